// `proofhub merkle` end to end against the RFC 6962 reference leaves and the transparency-dev
// vectors in test/vectors/merkle (hashes there are base64; the CLI speaks hex). Each CLI run is a
// child process (~0.5 s), so each test starts its runs together and asserts on all of them.
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseStdout, runCli, runMain } from './run-cli';

const VECTORS = new URL('../vectors/merkle/', import.meta.url);

/** The RFC 6962 reference leaf data (test/vectors/README.md). */
const REFERENCE_LEAF_DATA = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'];
const REFERENCE_ROOT = '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328';

// RFC 9162 §2.1.1 leaf hash, computed independently of lib/merkle.
const leafHashes = REFERENCE_LEAF_DATA.map((data) =>
  createHash('sha256').update(Buffer.concat([Buffer.from([0]), Buffer.from(data, 'hex')])).digest('hex'),
);

const hex = (base64: string): string => Buffer.from(base64, 'base64').toString('hex');

interface InclusionVector {
  leafIdx: number;
  treeSize: number;
  root: string;
  leafHash: string;
  proof: string[] | null;
  wantErr: boolean;
}
interface ConsistencyVector {
  size1: number;
  size2: number;
  root1: string;
  root2: string;
  proof: string[] | null;
  wantErr: boolean;
}

function inclusionCheckArgs(v: InclusionVector): string[] {
  const proof = { index: v.leafIdx, size: v.treeSize, root: hex(v.root), path: (v.proof ?? []).map(hex) };
  return ['--leaf', hex(v.leafHash), '--proof', JSON.stringify(proof)];
}

/** Even variants carry the roots inside the proof; odd ones use the wire form plus flags. */
function consistencyCheckArgs(v: ConsistencyVector, variant: number): string[] {
  const path = (v.proof ?? []).map(hex);
  if (variant % 2 === 0) return ['--proof', JSON.stringify({ from: v.size1, to: v.size2, old_root: hex(v.root1), new_root: hex(v.root2), path })];
  return ['--proof', JSON.stringify({ from: v.size1, to: v.size2, path }), '--old-root', hex(v.root1), '--new-root', hex(v.root2)];
}

function readVector<T>(path: string): T {
  return JSON.parse(readFileSync(new URL(path, VECTORS), 'utf8')) as T;
}

const dir = mkdtempSync(join(tmpdir(), 'proofhub-merkle-'));
const leavesFile = join(dir, 'leaves.txt');
// Blank lines and surrounding spaces are ignored; uppercase hex is accepted.
writeFileSync(leavesFile, `${leafHashes.map((h, i) => (i === 3 ? `  ${h.toUpperCase()}  ` : h)).join('\n')}\n\n`);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('proofhub merkle', () => {
  it('root, prove and consistency reproduce the published RFC 6962 vectors', async () => {
    const inclusionDirs = ['0', '2']; // (index, size) = (0, 1), (5, 8)
    const consistencyDirs = ['2']; // (from, to) = (6, 8)
    const inclusion = inclusionDirs.map((d) => readVector<InclusionVector>(`inclusion/${d}/happy-path.json`));
    const consistency = consistencyDirs.map((d) => readVector<ConsistencyVector>(`consistency/${d}/happy-path.json`));
    const [root, ...runs] = await Promise.all([
      runCli(['merkle', 'root', leavesFile]),
      ...inclusion.map((v) => runCli(['merkle', 'prove', leavesFile, '--index', String(v.leafIdx), '--size', String(v.treeSize)])),
      ...consistency.map((v) => runCli(['merkle', 'consistency', leavesFile, '--from', String(v.size1), '--to', String(v.size2)])),
    ]);
    expect(root).toMatchObject({ code: 0, stdout: `${REFERENCE_ROOT}\n` });
    inclusion.forEach((v, i) => {
      const run = runs[i]!;
      expect(run.code, run.stderr).toBe(0);
      expect(parseStdout(run)).toEqual({ index: v.leafIdx, size: v.treeSize, root: hex(v.root), path: (v.proof ?? []).map(hex) });
      expect(leafHashes[v.leafIdx]).toBe(hex(v.leafHash));
    });
    consistency.forEach((v, i) => {
      const run = runs[inclusion.length + i]!;
      expect(run.code, run.stderr).toBe(0);
      expect(parseStdout(run)).toEqual({ from: v.size1, to: v.size2, old_root: hex(v.root1), new_root: hex(v.root2), path: (v.proof ?? []).map(hex) });
    });
  });

  it('check accepts the published proofs and refuses their tamperings with exit 1 and a code', async () => {
    // A sample as child processes; the in-process test below runs every vector.
    const inclusionCases = ['happy-path', 'modified-proof[1]-bit-@3'];
    const consistencyCases = ['happy-path', 'swapped-roots'];
    const inclusion = inclusionCases.map((name) => readVector<InclusionVector>(`inclusion/2/${name}.json`));
    const consistency = consistencyCases.map((name) => readVector<ConsistencyVector>(`consistency/2/${name}.json`));
    const runs = await Promise.all([
      ...inclusion.map((v) => runCli(['merkle', 'check', ...inclusionCheckArgs(v)])),
      ...consistency.map((v, i) => runCli(['merkle', 'check', ...consistencyCheckArgs(v, i)])),
    ]);
    [...inclusion, ...consistency].forEach((v, i) => {
      const run = runs[i]!;
      const name = [...inclusionCases, ...consistencyCases][i];
      if (v.wantErr) {
        expect({ name, code: run.code }).toEqual({ name, code: 1 });
        expect(run.stdout).toMatch(/^FAILED (root_mismatch|old_root_mismatch|wrong_path_length|index_out_of_range|bad_size): /);
      } else {
        expect({ name, code: run.code, stderr: run.stderr }).toEqual({ name, code: 0, stderr: '' });
        expect(run.stdout).toMatch(/^ok: /);
      }
    });
  });

  it('check gives every published vector its exit code: 0 valid, 1 refused, 2 not a proof', async () => {
    const files = readdirSync(VECTORS, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.json')).sort();
    let counted = { 0: 0, 1: 0, 2: 0 };
    for (const file of files) {
      const isInclusion = file.startsWith('inclusion');
      const vector = readVector<InclusionVector & ConsistencyVector>(file);
      const hashes = isInclusion ? [vector.root, vector.leafHash, ...(vector.proof ?? [])] : [vector.root1, vector.root2, ...(vector.proof ?? [])];
      const sizes = isInclusion ? [vector.leafIdx, vector.treeSize] : [vector.size1, vector.size2];
      // Hashes of another length, and sizes beyond 2^53 (the Go vectors use uint64), are not proofs to the CLI.
      const wellFormed = hashes.every((h) => Buffer.from(h, 'base64').length === 32) && sizes.every((n) => Number.isSafeInteger(n));
      const expected = !wellFormed ? 2 : vector.wantErr ? 1 : 0;
      const run = await runMain(['merkle', 'check', ...(isInclusion ? inclusionCheckArgs(vector) : consistencyCheckArgs(vector, 0))]);
      expect({ file, code: run.code }).toEqual({ file, code: expected });
      counted = { ...counted, [expected]: counted[expected] + 1 };
    }
    // Every kind of outcome is exercised, and the directory was really read.
    expect(counted[0]).toBeGreaterThanOrEqual(10);
    expect(counted[1]).toBeGreaterThanOrEqual(100);
    expect(counted[2]).toBeGreaterThanOrEqual(20);
  });

  it('a proof it printed checks, and fails against another trusted root or leaf', async () => {
    const prove = await runCli(['merkle', 'prove', leavesFile, '--index', '6']);
    expect(prove.code, prove.stderr).toBe(0);
    const proofFile = join(dir, 'proof-6.json');
    writeFileSync(proofFile, prove.stdout);
    const [good, fromStdin] = await Promise.all([
      runCli(['merkle', 'check', '--leaf', leafHashes[6]!, '--proof', proofFile, '--root', REFERENCE_ROOT]),
      runCli(['merkle', 'root', '-'], { input: leafHashes.slice(0, 3).join('\n') }),
    ]);
    const wrongRoot = await runMain(['merkle', 'check', '--leaf', leafHashes[6]!, '--proof', proofFile, '--root', leafHashes[0]!]);
    const wrongLeaf = await runMain(['merkle', 'check', '--leaf', leafHashes[5]!, '--proof', proofFile]);
    expect(good.code).toBe(0);
    expect(wrongRoot.code).toBe(1);
    expect(wrongRoot.stdout).toMatch(/^FAILED root_mismatch: .*--root/);
    expect(wrongLeaf.code).toBe(1);
    expect(wrongLeaf.stdout).toMatch(/^FAILED root_mismatch/);
    // RFC 6962 reference root of the first 3 leaves (transparency-dev testdata, inclusion/3).
    expect(fromStdin.stdout.trim()).toBe(hex(readVector<InclusionVector>('inclusion/3/happy-path.json').root));
  });

  it('bad usage and unreadable input exit 2 with a message naming the problem', async () => {
    const badLeaves = join(dir, 'bad-leaves.txt');
    writeFileSync(badLeaves, `${leafHashes[0]}\n\n${leafHashes[1]!.slice(0, 60)}\n`);
    const [badLine, missing, unknownFlag, help] = await Promise.all([
      runCli(['merkle', 'root', badLeaves]),
      runCli(['merkle', 'root', join(dir, 'does-not-exist.txt')]),
      runCli(['merkle', 'prove', leavesFile, '--index', '1', '--depth', '3']),
      runCli(['merkle', 'prove', '--help']),
    ]);
    const outOfRange = await runMain(['merkle', 'prove', leavesFile, '--index', '8']);
    const notJson = await runMain(['merkle', 'check', '--leaf', leafHashes[0]!, '--proof', '{"index": 0,']);
    const unknownSub = await runMain(['merkle', 'graft', leavesFile]);
    const noLeaf = await runMain(['merkle', 'check', '--proof', `{"index":0,"size":1,"root":"${leafHashes[0]!}","path":[]}`]);
    const badSize = await runMain(['merkle', 'consistency', leavesFile, '--from', '0']);
    const negative = await runMain(['merkle', 'prove', leavesFile, '--index', '-1']);
    for (const run of [badLine, missing, unknownFlag, outOfRange, notJson, unknownSub, noLeaf, badSize, negative]) expect(run.code).toBe(2);
    expect(badSize.stderr).toContain('--from "0": must be at least 1');
    expect(badLine.stderr).toContain('bad-leaves.txt line 3');
    expect(missing.stderr).toMatch(/cannot read .*does-not-exist\.txt/);
    expect(unknownFlag.stderr).toContain("Unknown option '--depth'");
    expect(outOfRange.stderr).toContain('--index 8 is outside the tree of size 8');
    expect(notJson.stderr).toContain('not valid JSON');
    expect(unknownSub.stderr).toContain('unknown subcommand "graft"');
    expect(noLeaf.stderr).toContain('missing required option --leaf');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: proofhub merkle prove FILE --index I/);
    expect(help.stdout).toContain('Example');
  });
});

// Every published RFC 6962/9162 vector (transparency-dev/merkle testdata, test/vectors/merkle):
// happy paths must verify, every named tampering (wantErr) must fail; the happy paths must also
// be exactly what our own generators produce from the RFC 6962 reference leaves.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bytesToHex, hexToBytes } from '../bytes';
import { EMPTY_ROOT, leafHashOfData } from './hashing';
import { consistencyProof, inclusionProof, rootOf } from './tree';
import { verifyConsistency, verifyInclusion } from './verify';

const VECTORS = join(import.meta.dirname, '../../test/vectors/merkle');

interface InclusionVector {
  leafIdx: number;
  treeSize: number;
  root: string;
  leafHash: string;
  proof: string[] | null;
  desc: string;
  wantErr: boolean;
}

interface ConsistencyVector {
  size1: number;
  size2: number;
  root1: string;
  root2: string;
  proof: string[] | null;
  desc: string;
  wantErr: boolean;
}

function jsonFiles(dir: string): string[] {
  return readdirSync(dir).sort().flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return jsonFiles(path);
    return name.endsWith('.json') ? [path] : [];
  });
}

function load<T>(kind: string): Array<[string, T]> {
  return jsonFiles(join(VECTORS, kind)).map((path) => [relative(VECTORS, path), JSON.parse(readFileSync(path, 'utf8')) as T]);
}

/** The failure a named tampering must produce, where one code is the only right answer. */
function expectedCode(desc: string): string | undefined {
  if (/^(truncated proof|removed component|inserted component|trailing root|preceding root|empty proof)/.test(desc)) return 'wrong_path_length';
  if (/^(trailing garbage|preceding garbage|wrong leaf)$/.test(desc)) return 'bad_hash_length';
  if (/^modified proof\[/.test(desc) || desc === 'random root') return 'root_mismatch';
  if (/^size1 is (greater|zero)|^sizes are equal \(zero\)/.test(desc)) return 'bad_size';
  return undefined;
}

const b64 = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'base64'));

/** The RFC 6962 reference leaves the numbered vectors are built from. */
const RFC_LEAVES = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map((hex) => leafHashOfData(hexToBytes(hex)));

const inclusionVectors = load<InclusionVector>('inclusion');
const consistencyVectors = load<ConsistencyVector>('consistency');

describe('published inclusion vectors', () => {
  it('are all here', () => {
    expect(inclusionVectors.length).toBeGreaterThan(80);
    expect(inclusionVectors.filter(([, v]) => !v.wantErr).length).toBeGreaterThanOrEqual(6);
  });

  it.each(inclusionVectors)('%s', (_name, v) => {
    const result = verifyInclusion({
      leafHash: b64(v.leafHash),
      index: v.leafIdx,
      size: v.treeSize,
      path: (v.proof ?? []).map(b64),
      root: b64(v.root),
    });
    expect(result.ok).toBe(!v.wantErr);
    if (!result.ok && expectedCode(v.desc) !== undefined) expect(result.error.code).toBe(expectedCode(v.desc));
  });

  it.each(inclusionVectors.filter(([name, v]) => !v.wantErr && /^inclusion\/\d\//.test(name)))('%s is what inclusionProof generates', (_name, v) => {
    expect(bytesToHex(b64(v.leafHash))).toBe(bytesToHex(RFC_LEAVES[v.leafIdx] as Uint8Array));
    const proof = inclusionProof(RFC_LEAVES, v.leafIdx, v.treeSize);
    expect(proof.ok && proof.value.path.map(bytesToHex)).toEqual((v.proof ?? []).map((p) => bytesToHex(b64(p))));
    const root = rootOf(RFC_LEAVES, v.treeSize);
    expect(root.ok && bytesToHex(root.value)).toBe(bytesToHex(b64(v.root)));
  });
});

describe('published consistency vectors', () => {
  it('are all here', () => {
    expect(consistencyVectors.length).toBeGreaterThan(80);
  });

  it.each(consistencyVectors)('%s', (_name, v) => {
    const result = verifyConsistency({
      from: v.size1,
      to: v.size2,
      oldRoot: b64(v.root1),
      newRoot: b64(v.root2),
      path: (v.proof ?? []).map(b64),
    });
    expect(result.ok).toBe(!v.wantErr);
    if (!result.ok && expectedCode(v.desc) !== undefined) expect(result.error.code).toBe(expectedCode(v.desc));
  });

  it.each(consistencyVectors.filter(([name, v]) => !v.wantErr && /^consistency\/\d\//.test(name)))('%s is what consistencyProof generates', (_name, v) => {
    const proof = consistencyProof(RFC_LEAVES, v.size1, v.size2);
    expect(proof.ok && proof.value.path.map(bytesToHex)).toEqual((v.proof ?? []).map((p) => bytesToHex(b64(p))));
    for (const [size, root] of [[v.size1, v.root1], [v.size2, v.root2]] as const) {
      const computed = rootOf(RFC_LEAVES, size);
      expect(computed.ok && bytesToHex(computed.value)).toBe(bytesToHex(b64(root)));
    }
  });
});

describe('reference roots', () => {
  it('match RFC 6962 for the 8 reference leaves and the empty tree', () => {
    const all = rootOf(RFC_LEAVES);
    expect(all.ok && bytesToHex(all.value)).toBe('5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328');
    expect(bytesToHex(EMPTY_ROOT)).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    const empty = rootOf([]);
    expect(empty.ok && bytesToHex(empty.value)).toBe(bytesToHex(EMPTY_ROOT));
    // Roots of every prefix, from transparency-dev/merkle proof/verify_test.go.
    const prefixRoots = [
      '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
      'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
      'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
      '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
      '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
      'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
      '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
    ];
    prefixRoots.forEach((hex, i) => {
      const root = rootOf(RFC_LEAVES, i + 1);
      expect(root.ok && bytesToHex(root.value)).toBe(hex);
    });
  });
});

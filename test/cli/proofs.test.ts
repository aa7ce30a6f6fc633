// `proofhub keygen`, `sign` and `verify` end to end: the main flow as child processes of the real
// binary; the longer matrices (tamperings, chains, rotation, bad usage) through the same main()
// in-process, because each process start costs ~0.5 s.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { VerifyReport } from '@/server/cli/commands/verify';
import { parseStdout, runCli, runMain } from './run-cli';

const dir = mkdtempSync(join(tmpdir(), 'proofhub-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const file = (name: string): string => join(dir, name);
const T0 = '2026-11-23T18:00:00.000Z';
const T1 = '2026-11-23T18:01:00.000Z';
const T2 = '2026-11-23T18:02:00.000Z';

type Proof = Record<string, unknown> & { id: string; sig: string; issuer: string; seq: number };

async function keygen(name: string): Promise<string> {
  const run = await runMain(['keygen', '--out', file(name)]);
  expect(run.code, run.stderr).toBe(0);
  return run.stdout.trim();
}

/** Signs in-process and returns the printed JSON (a proof, or {proof, content} with --content). */
async function sign(args: string[]): Promise<unknown> {
  const run = await runMain(['sign', ...args]);
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as unknown;
}

async function verifyJson(input: unknown, extra: string[] = []): Promise<{ code: number; report: VerifyReport }> {
  const path = file(`input-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(path, typeof input === 'string' ? input : JSON.stringify(input));
  const run = await runMain(['verify', path, '--json', ...extra]);
  return { code: run.code, report: JSON.parse(run.stdout) as VerifyReport };
}

const codesOf = (report: VerifyReport): string[][] => report.proofs.map((proof) => proof.errors.map((error) => error.code));

/** Replaces one character of the JSON text inside a field's value: a one-byte tampering. */
function tamper(proof: object, field: string, pick: (value: string) => number): Proof {
  const text = JSON.stringify(proof);
  const marker = `"${field}":"`;
  const start = text.indexOf(marker) + marker.length;
  const value = text.slice(start, text.indexOf('"', start));
  const at = start + pick(value);
  const original = text[at]!;
  // Swap within the same alphabet so the value keeps its shape (hex stays hex, base64url stays base64url).
  const replacement = original === 'a' ? 'b' : original === 'A' ? 'B' : /[0-9]/.test(original) ? String((Number(original) + 1) % 10) : 'a';
  return JSON.parse(text.slice(0, at) + replacement + text.slice(at + 1)) as Proof;
}

describe('proofhub keygen → sign → verify as child processes', () => {
  it('signs a chain that verifies; a one-byte tampering fails with exit 1 and its code; bad input exits 2', async () => {
    const keyFile = file('alice.key');
    const generated = await runCli(['keygen', '--out', keyFile]);
    expect(generated.code, generated.stderr).toBe(0);
    const did = generated.stdout.trim();
    expect(did).toMatch(/^did:key:z6Mk[1-9A-HJ-NP-Za-km-z]+$/);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(keyFile, 'utf8'))).toEqual({ type: 'ed25519', seed: expect.stringMatching(/^[0-9a-f]{64}$/) as unknown, did });

    const first = await runCli(['sign', '--key', keyFile, '--type', 'identity', '--hub', 'general', '--claim', '{"name":"Alice"}']);
    expect(first.code, first.stderr).toBe(0);
    const identity = parseStdout(first) as Proof;
    expect(identity).toMatchObject({ v: 1, type: 'identity', hub: 'general', issuer: did, seq: 1, prev: null, claim: { name: 'Alice' }, evidence: [] });
    writeFileSync(file('p1.json'), first.stdout);
    const second = await runCli(['sign', '--key', keyFile, '--type', 'post', '--hub', 'general', '--after', file('p1.json'), '--claim', '{"visibility":"public"}', '--content', '{"title":"Hello","body":"First *post*"}']);
    expect(second.code, second.stderr).toBe(0);
    const post = parseStdout(second) as { proof: Proof; content: { salt: string; body: string; title: string } };
    expect(post.proof).toMatchObject({ type: 'post', seq: 2, prev: identity.id, claim: { visibility: 'public', content_digest: expect.stringMatching(/^[0-9a-f]{64}$/) as unknown } });
    expect(post.content).toMatchObject({ title: 'Hello', body: 'First *post*', salt: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) as unknown });

    // JSON Lines, as `sign >> file` writes them: the identity, then the post with its content.
    writeFileSync(file('chain.jsonl'), first.stdout + second.stdout);
    writeFileSync(file('tampered.json'), JSON.stringify([identity, tamper(post.proof, 'content_digest', () => 10)]));
    const [good, tampered, fromStdin, missing, again] = await Promise.all([
      runCli(['verify', file('chain.jsonl')]),
      runCli(['verify', file('tampered.json'), '--json']),
      runCli(['verify', '-', '--backend', 'noble'], { input: first.stdout }),
      runCli(['verify', file('nope.json')]),
      runCli(['keygen', '--out', keyFile]),
    ]);
    expect(good.code, good.stdout + good.stderr).toBe(0);
    expect(good.stdout).toContain('ok    #1 post seq 2');
    expect(good.stdout).toContain('(content matches)');
    expect(good.stdout).toMatch(/verified: 2 of 2 proof\(s\) valid \(node back-end\)\n$/);

    expect(tampered.code).toBe(1);
    const report = parseStdout(tampered) as VerifyReport;
    expect(report).toMatchObject({ ok: false, backend: 'node', counts: { total: 2, valid: 1, invalid: 1 } });
    expect(codesOf(report)).toEqual([[], ['id_mismatch']]);

    expect(fromStdin.code, fromStdin.stderr).toBe(0);
    expect(fromStdin.stdout).toContain('(noble back-end)');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/proofhub: verify: cannot read .*nope\.json/);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('refusing to overwrite');
    expect(JSON.parse(readFileSync(keyFile, 'utf8'))).toMatchObject({ did }); // untouched
    // Eight CLI processes (tsx start-up each): seconds on a quiet machine, tens of them on a busy one.
  }, 90_000);
});

describe('proofhub verify (in-process matrices)', () => {
  it('names the code of every one-byte tampering, with the same answer from both back-ends', async () => {
    await keygen('tamper.key');
    const key = ['--key', file('tamper.key'), '--hub', 'general'];
    const identity = (await sign([...key, '--type', 'identity', '--claim', '{"name":"Tess"}', '--created-at', T0])) as Proof;
    writeFileSync(file('tamper-1.json'), JSON.stringify(identity));
    const wrapped = (await sign([...key, '--type', 'post', '--after', file('tamper-1.json'), '--claim', '{"visibility":"members"}', '--content', '{"body":"hello"}', '--created-at', T1])) as {
      proof: Proof;
      content: { body: string };
    };
    const cases: [string, unknown[], string[]][] = [
      ['claim byte', [tamper(identity, 'name', () => 0)], ['id_mismatch']],
      ['id byte', [tamper(identity, 'id', () => 5)], ['id_mismatch']],
      ['signature byte', [tamper(identity, 'sig', () => 3)], ['bad_signature']],
      ['created_at byte', [tamper(identity, 'created_at', () => 3)], ['id_mismatch']],
      ['content body', [identity, { proof: wrapped.proof, content: { ...wrapped.content, body: 'hellp' } }], ['content_mismatch']],
    ];
    for (const [name, input, expected] of cases) {
      for (const backend of ['node', 'noble']) {
        const { code, report } = await verifyJson(input, ['--backend', backend]);
        expect({ name, backend, code, codes: codesOf(report).flat() }).toEqual({ name, backend, code: 1, codes: expected });
      }
    }
    const untouched = await verifyJson([identity, wrapped], ['--backend', 'noble']);
    expect(untouched.code).toBe(0);
    expect(untouched.report.proofs.map((proof) => proof.content)).toEqual(['absent', 'checked']);
  });

  it('reports forks, broken links, gaps, wrong hubs and missing references', async () => {
    const did = await keygen('chain.key');
    const key = ['--key', file('chain.key'), '--hub', 'general'];
    const p1 = (await sign([...key, '--type', 'identity', '--claim', '{"name":"Carl"}', '--created-at', T0])) as Proof;
    const post = (digit: string, seq: number, prev: string, at = T1) =>
      sign([...key, '--type', 'post', '--seq', String(seq), '--prev', prev, '--claim', `{"visibility":"public","content_digest":"${digit.repeat(64)}"}`, '--created-at', at]) as Promise<Proof>;
    const p2 = await post('a', 2, p1.id);
    const p2fork = await post('b', 2, p1.id);
    const p3wrongPrev = await post('c', 3, p1.id);
    const p4 = await post('d', 4, p1.id, T2);

    const fork = await verifyJson([p1, p2, p2fork]);
    expect(fork.code).toBe(1);
    expect(fork.report.failures).toEqual([expect.objectContaining({ code: 'fork', issuer: did, seq: 2, ids: expect.arrayContaining([p2.id, p2fork.id]) as unknown })]);
    expect(fork.report.issuers[0]).toMatchObject({ issuer: did, name: 'Carl', forkSeq: 2 });

    const link = await verifyJson([p1, p2, p3wrongPrev]);
    expect(link.code).toBe(1);
    expect(codesOf(link.report)).toEqual([[], [], ['prev_mismatch']]);

    // A gap is listed but fine for a sample of proofs; --complete makes it a failure.
    const sample = await verifyJson([p1, p4]);
    expect(sample.code).toBe(0);
    expect(sample.report.issuers[0]?.missing).toEqual([{ from: 2, to: 3 }]);
    const complete = await verifyJson([p1, p4], ['--complete']);
    expect(complete.code).toBe(1);
    expect(complete.report.failures.map((failure) => failure.code)).toContain('seq_gap');

    const hub = await verifyJson([p1], ['--hub', 'other']);
    expect(codesOf(hub.report)).toEqual([['wrong_hub']]);

    const like = (await sign([...key, '--type', 'reaction', '--seq', '3', '--prev', p2.id, '--claim', `{"target":"${'e'.repeat(64)}","kind":"like"}`, '--created-at', T2])) as Proof;
    expect((await verifyJson([p1, p2, like])).code).toBe(0);
    const thread = await verifyJson([p1, p2, like], ['--thread']);
    expect(codesOf(thread.report)).toEqual([[], [], ['unknown_parent']]);

    // The human report names the failure and its code too.
    writeFileSync(file('fork.json'), JSON.stringify({ proofs: [p1, p2, p2fork], anchors: [], tree_heads: [] }));
    const human = await runMain(['verify', file('fork.json')]);
    expect(human.code).toBe(1);
    expect(human.stdout).toContain(`FAIL  fork in the chain of ${did} at seq 2`);
    expect(human.stdout).toContain('note: bundle fields not checked by this version: anchors, tree_heads');
    expect(human.stdout).toMatch(/FAILED: 2 of 3 proof\(s\) invalid, 1 chain failure\(s\)/);
  });

  it('follows a key rotation: the new key signs for the old identity, the retired key no longer does', async () => {
    const alice = await keygen('rot-old.key');
    const next = await keygen('rot-new.key');
    const old = ['--key', file('rot-old.key'), '--hub', 'general'];
    const p1 = (await sign([...old, '--type', 'identity', '--claim', '{"name":"Rita"}', '--created-at', T0])) as Proof;
    writeFileSync(file('rot-1.json'), JSON.stringify(p1));
    const rotation = (await sign([...old, '--type', 'key_rotation', '--after', file('rot-1.json'), '--claim', JSON.stringify({ next_key: next }), '--created-at', T1])) as Proof;
    writeFileSync(file('rot-2.json'), JSON.stringify(rotation));
    const claim = ['--type', 'post', '--claim', `{"visibility":"public","content_digest":"${'f'.repeat(64)}"}`, '--created-at', T2, '--after', file('rot-2.json')];
    const byNewKey = (await sign(['--key', file('rot-new.key'), '--hub', 'general', ...claim])) as Proof;
    const byOldKey = (await sign([...old, ...claim])) as Proof;
    expect(byNewKey.issuer).toBe(alice);

    const good = await verifyJson([p1, rotation, byNewKey]);
    expect(good.code).toBe(0);
    expect(good.report.issuers[0]?.keys).toEqual([alice, next]);
    const retired = await verifyJson([p1, rotation, byOldKey]);
    expect(codesOf(retired.report)).toEqual([[], [], ['bad_signature']]);
  });

  it('refuses bad usage and bad input with exit 2 and a clear message', async () => {
    await keygen('usage.key');
    const key = file('usage.key');
    const base = ['--key', key, '--hub', 'general'];
    const stored = JSON.parse(readFileSync(key, 'utf8')) as { seed: string; did: string };
    writeFileSync(file('wrong-did.key'), JSON.stringify({ type: 'ed25519', seed: stored.seed, did: 'did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp' }));
    writeFileSync(file('short.key'), JSON.stringify({ type: 'ed25519', seed: stored.seed.slice(2) }));
    writeFileSync(file('not-json.txt'), 'hello');
    writeFileSync(file('bad-bundle.json'), '{"proofs": {"0": {}}}');
    writeFileSync(file('empty.json'), '[]');
    writeFileSync(file('number.json'), '42');
    writeFileSync(file('bad-line.jsonl'), '{"v":1}\n\n{"v":1}\n{"v":1,\n');
    const identity = (await sign([...base, '--type', 'identity', '--claim', '{"name":"U"}'])) as Proof;
    writeFileSync(file('usage-1.json'), JSON.stringify(identity));
    const cases: [string[], RegExp][] = [
      [['sign', '--type', 'identity', '--hub', 'general', '--claim', '{"name":"A"}'], /missing required option --key/],
      [['sign', '--key', file('wrong-did.key'), '--type', 'identity', '--hub', 'general', '--claim', '{"name":"A"}'], /is not the did:key of its seed/],
      [['sign', '--key', file('short.key'), '--type', 'identity', '--hub', 'general', '--claim', '{"name":"A"}'], /not an Ed25519 key file: seed/],
      [['sign', '--key', file('not-json.txt'), '--type', 'identity', '--hub', 'general', '--claim', '{}'], /key file .* is not valid JSON/],
      [['sign', ...base, '--type', 'identity', '--claim', '{"name":"A"}', '--content', '{"body":"x"}'], /--content applies to post and reply/],
      [['sign', ...base, '--type', 'identity', '--claim', '{"name":"A"}', '--created-at', 'yesterday'], /malformed_proof: created_at/],
      [['sign', ...base, '--type', 'identity', '--claim', '{"name":"A"}', '--seq', '0'], /--seq "0": must be at least 1/],
      [['sign', ...base, '--type', 'identity', '--claim', '{"nom":"A"}'], /invalid_claim/],
      [['sign', ...base, '--type', 'post', '--claim', '{"visibility":"public"}'], /pass --content/],
      [['sign', ...base, '--type', 'posting', '--claim', '{}'], /--type: expected one of identity/],
      [['sign', ...base, '--type', 'identity', '--claim', '{name:"A"}'], /--claim is not valid JSON/],
      [['sign', ...base, '--type', 'identity', '--claim', '{"name":"A"}', '--colour', 'red'], /Unknown option '--colour'/],
      [['sign', ...base, '--type', 'post', '--after', file('usage-1.json'), '--seq', '2', '--claim', '{}'], /do not combine it with --seq/],
      [['sign', ...base, '--type', 'post', '--after', file('usage-1.json'), '--issuer', 'did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp', '--claim', '{}'], /is not the issuer of the --after proof/],
      [['sign', ...base, '--type', 'post', '--after', file('not-json.txt'), '--claim', '{}'], /--after .* is not valid JSON/],
      [['verify', file('not-json.txt')], /not-json\.txt is not valid JSON/],
      [['verify', file('bad-line.jsonl')], /bad-line\.jsonl line 4 is not valid JSON \(reading JSON Lines\)/],
      [['verify', file('bad-bundle.json')], /not a bundle: proofs/],
      [['verify', file('empty.json')], /holds no proofs/],
      [['verify', file('number.json')], /expected a proof object, an array of proofs or a bundle, got number/],
      [['verify', file('empty.json'), '--backend', 'openssl'], /--backend must be node or noble/],
      [['verify'], /missing argument/],
      [['verify', 'a.json', 'b.json'], /unexpected argument "b\.json"/],
      [['keygen'], /missing required option --out/],
      [['keygen', '--out', join(dir, 'no-such-dir', 'k.key')], /cannot write .*no-such-dir/],
    ];
    for (const [args, message] of cases) {
      const run = await runMain(args);
      expect({ args, code: run.code }).toEqual({ args, code: 2 });
      expect(run.stderr).toMatch(message);
      expect(run.stdout).toBe('');
    }
    for (const command of ['keygen', 'sign', 'verify']) {
      const help = await runMain([command, '--help']);
      expect(help.code).toBe(0);
      expect(help.stdout).toMatch(new RegExp(`^Usage: proofhub ${command} `));
      expect(help.stdout).toContain('Example');
    }
  });

  it('reads a key file whose seed is base64url, and signs as the same did', async () => {
    const did = await keygen('hex.key');
    const stored = JSON.parse(readFileSync(file('hex.key'), 'utf8')) as { seed: string };
    writeFileSync(file('b64.key'), JSON.stringify({ type: 'ed25519', seed: Buffer.from(stored.seed, 'hex').toString('base64url') }));
    const proof = (await sign(['--key', file('b64.key'), '--type', 'identity', '--hub', 'general', '--claim', '{"name":"B"}'])) as Proof;
    expect(proof.issuer).toBe(did);
    expect((await verifyJson(proof)).code).toBe(0);
  });

  it('keygen --force replaces a key file with a new 0600 key', async () => {
    const first = await keygen('force.key');
    const run = await runMain(['keygen', '--out', file('force.key'), '--force']);
    expect(run.code).toBe(0);
    const second = run.stdout.trim();
    expect(second).not.toBe(first);
    expect(JSON.parse(readFileSync(file('force.key'), 'utf8'))).toMatchObject({ did: second });
    expect(statSync(file('force.key')).mode & 0o777).toBe(0o600);
  });
});

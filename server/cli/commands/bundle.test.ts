// export → verify → import through the real REST routes of two in-process hubs, with the command
// modules run in this process (stdout/stderr captured).
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { SignedProof } from '@/lib/proof/schema';
import { startTestHub, type TestHub, type TestUser } from '@/server/testing/hub';
import { run as runExport } from './export';
import { run as runImport } from './import';
import { run as runVerify } from './verify';

let source: TestHub;
let target: TestHub;
let alice: TestUser;
let bob: TestUser;
let dir: string;
let root: SignedProof;
const replies: SignedProof[] = [];

async function capture(fn: () => Promise<number>): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((stderr += String(chunk)), true));
  try {
    return { code: await fn(), stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

beforeAll(async () => {
  [source, target] = await Promise.all([startTestHub(), startTestHub()]);
  alice = await source.signUp('alice');
  bob = await source.signUp('bob');
  const post = await alice.identity.post('public', { title: 'Exported', body: 'The root' });
  expect((await source.fetchJson('/api/v1/proofs', { body: post, cookie: alice.cookie })).status).toBeLessThan(300);
  root = post.proof;
  let parent = post.proof;
  for (let i = 0; i < 3; i++) {
    const user = i % 2 === 0 ? bob : alice;
    const reply = await user.identity.reply('public', parent, `Reply ${i}`);
    expect((await source.fetchJson('/api/v1/proofs', { body: reply, cookie: user.cookie })).status).toBeLessThan(300);
    replies.push(reply.proof);
    parent = reply.proof;
  }
  const like = await bob.identity.react('public', root.id, 'like');
  expect((await source.fetchJson('/api/v1/proofs', { body: { proof: like }, cookie: bob.cookie })).status).toBeLessThan(300);
  dir = await mkdtemp(join(tmpdir(), 'proofhub-bundle-'));
}, 120_000);

afterAll(async () => {
  await Promise.all([source?.close(), target?.close()]);
});

describe('proofhub export / verify / import', () => {
  it('exports a thread that verifies offline, and names the item one changed byte breaks', async () => {
    const file = join(dir, 'thread.json');
    const exported = await capture(() => runExport(['--url', source.url, '--thread', root.id, '-o', file]));
    expect(exported.code).toBe(0);
    const bundle = JSON.parse(await readFile(file, 'utf8')) as { items: { proof: { id: string }; content?: { body: string } }[]; identities: unknown[] };
    expect(bundle.items.map((item) => item.proof.id)).toEqual(expect.arrayContaining([root.id, ...replies.map((r) => r.id)]));
    expect(bundle.items).toHaveLength(5);
    expect(bundle.identities.length).toBeGreaterThanOrEqual(2);

    const verified = await capture(() => runVerify([file]));
    expect(verified.stdout).toContain('verified: thread bundle');
    expect(verified.code).toBe(0);
    expect((await capture(() => runVerify([file, '--require-anchors']))).code).toBe(1);

    const text = await readFile(file, 'utf8');
    const target = replies[1] as SignedProof;
    const at = text.indexOf('Reply 1');
    const tampered = join(dir, 'tampered.json');
    await writeFile(tampered, `${text.slice(0, at)}X${text.slice(at + 1)}`);
    const caught = await capture(() => runVerify([tampered]));
    expect(caught.code).toBe(1);
    expect(caught.stdout).toContain(`${target.id}: content_mismatch`);

    await writeFile(join(dir, 'broken.json'), text.slice(0, 100));
    await expect(runVerify([join(dir, 'broken.json')])).rejects.toThrow();
  }, 120_000);

  it('pages a hub, and answers not_found for a private hub to a non-member', async () => {
    const first = await source.fetchJson<{ bundle: { kind: string; items: unknown[] }; next: string | null }>('/api/v1/bundles?hub=public&limit=2');
    expect(first.status).toBe(200);
    expect(first.body.bundle.kind).toBe('hub');
    expect(first.body.bundle.items).toHaveLength(2);
    expect(first.body.next).not.toBeNull();
    const file = join(dir, 'hub.json');
    expect((await capture(() => runExport(['--url', source.url, '--hub', 'public', '-o', file]))).code).toBe(0);
    expect((await capture(() => runVerify([file]))).code).toBe(0);

    expect((await source.fetchJson('/api/v1/hubs', { body: { id: 'secret', name: 'Secret', visibility: 'private' }, cookie: alice.cookie })).status).toBe(201);
    expect((await source.fetchJson('/api/v1/bundles?hub=secret')).status).toBe(404);
    expect((await source.fetchJson('/api/v1/bundles?hub=secret', { cookie: bob.cookie })).status).toBe(404);
    expect((await source.fetchJson('/api/v1/bundles?hub=secret', { cookie: alice.cookie })).status).toBe(200);
    expect((await source.fetchJson('/api/v1/bundles?hub=public&thread=' + root.id)).status).toBe(400);
  }, 120_000);

  it('imports into a second hub, and importing twice changes nothing', async () => {
    const file = join(dir, 'thread.json');
    const admin = await target.signUp('operator');
    process.env.PROOFHUB_COOKIE = admin.cookie;
    const first = await capture(() => runImport(['--url', target.url, file]));
    expect(first.stdout).toContain('0 refused');
    expect(first.code).toBe(0);
    const thread = await target.fetchJson<{ replies: unknown[] }>(`/api/v1/threads/${root.id}`);
    expect(thread.status).toBe(200);
    expect(thread.body.replies).toHaveLength(3);
    const again = await capture(() => runImport(['--url', target.url, file]));
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^0 imported, \d+ already present, 0 refused/m);
    const after = await target.fetchJson<{ replies: unknown[] }>(`/api/v1/threads/${root.id}`);
    expect(after.body).toEqual(thread.body);

    process.env.PROOFHUB_COOKIE = alice.cookie; // not an admin of the target
    expect((await capture(() => runImport(['--url', target.url, file]))).code).toBe(1);
    delete process.env.PROOFHUB_COOKIE;
  }, 120_000);
});

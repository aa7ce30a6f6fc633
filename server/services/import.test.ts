// Bundle import of moderation proofs between two real hubs (HTTP, database): a hide or flag takes
// effect on the target hub only if its signer's account there is a moderator (the live rule,
// moderation.ts checkModerator); otherwise it is stored, verifiable, without effect. The signer's
// later proofs still import (their chain is not broken), importing twice changes nothing, and a
// rebuild of the views gives the same tables.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { importOrder, parseBundle } from '@/lib/bundle';
import type { Bundle } from '@/lib/bundle';
import type { ModerationLogPage } from '@/lib/protocol/moderation';
import type { ItemView, ThreadDetail } from '@/lib/protocol/views';
import type { ModerationAction, SignedProof } from '@/lib/proof/schema';
import { run as runImport } from '../cli/commands/import';
import { startTestHub } from '../testing/hub';
import type { TestHub, TestUser } from '../testing/hub';
import type { ImportResult } from './import';
import { rebuildViews, snapshotViews } from './views';

let source: TestHub;
let target: TestHub;
let operator: TestUser; // admin of the target
let sourceAdmin: TestUser;
let elsewhere: TestUser; // moderator of the source only, no account on the target
let both: TestUser; // moderator of the source and of the target
let plain: TestUser; // moderator of the source, a plain user on the target
let carol: TestUser;
let root: SignedProof;
const replies: SignedProof[] = [];
const acts: Record<string, SignedProof> = {};
let bundle: Bundle;
let file: string;

async function submit(hub: TestHub, user: TestUser, payload: { proof: unknown; content?: unknown }): Promise<void> {
  const response = await hub.fetchJson('/api/v1/proofs', { body: payload, cookie: user.cookie });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
}

async function moderate(user: TestUser, target: string, action: ModerationAction, reason: string): Promise<SignedProof> {
  const proof = await user.identity.sign('moderation', 'public', { target, action, reason });
  await submit(source, user, { proof });
  return proof;
}

/** Signs up on the target hub with the identity (seq-1 proof) the user already has on the source. */
async function signUpWithSameKey(user: TestUser): Promise<void> {
  const inception = bundle.identities.find((proof) => proof.issuer === user.identity.did && proof.seq === 1);
  expect(inception).toBeDefined();
  const response = await target.fetchJson('/api/v1/auth/signup', { body: { username: user.username, password: 'correct horse battery', identity: inception } });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
}

async function capture(fn: () => Promise<number>): Promise<{ code: number; stdout: string }> {
  let stdout = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    return { code: await fn(), stdout };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

async function targetThread(): Promise<Map<string, ItemView>> {
  const response = await target.fetchJson<ThreadDetail>(`/api/v1/threads/${root.id}`); // signed out: what every reader sees
  expect(response.status).toBe(200);
  return new Map([response.body.root, ...response.body.replies].map((item) => [item.proof.id, item]));
}

async function everything(hub: TestHub): Promise<unknown> {
  return {
    proofs: await hub.ctx.prisma.proof.findMany({ orderBy: { logIndex: 'asc' }, select: { id: true, submittedBy: true } }),
    views: await snapshotViews(hub.ctx.prisma),
  };
}

beforeAll(async () => {
  [source, target] = await Promise.all([startTestHub(), startTestHub()]);
  sourceAdmin = await source.signUp('admin');
  elsewhere = await source.signUp('elsewhere');
  both = await source.signUp('both');
  plain = await source.signUp('plain');
  carol = await source.signUp('carol');
  for (const user of [elsewhere, both, plain]) {
    const granted = await source.fetchJson(`/api/v1/admin/users/${user.username}/role`, { method: 'PUT', body: { role: 'moderator' }, cookie: sourceAdmin.cookie });
    expect(granted.status).toBe(200);
  }
  const post = await carol.identity.post('public', { title: 'Imported thread', body: 'the root' });
  await submit(source, carol, post);
  root = post.proof;
  for (let i = 0; i < 3; i++) {
    const reply = await carol.identity.reply('public', root, `reply ${i}`);
    await submit(source, carol, reply);
    replies.push(reply.proof);
  }
  const [r0, r1, r2] = replies as [SignedProof, SignedProof, SignedProof];
  acts.elsewhereHide = await moderate(elsewhere, r0.id, 'hide', 'hidden on the source only');
  acts.elsewhereFlag = await moderate(elsewhere, root.id, 'flag', 'flagged on the source only');
  acts.bothHide = await moderate(both, r1.id, 'hide', 'hidden by a moderator of both hubs');
  acts.plainHide = await moderate(plain, r2.id, 'hide', 'hidden by someone who is a plain user on the target');
  // A later proof of a signer whose moderation has no effect on the target: its chain must go on.
  const after = await elsewhere.identity.reply('public', root, 'written after moderating');
  await submit(source, elsewhere, after);
  replies.push(after.proof);

  const exported = await source.fetchJson<{ bundle: unknown }>(`/api/v1/bundles?thread=${root.id}`);
  expect(exported.status).toBe(200);
  const parsed = parseBundle(exported.body.bundle);
  if (!parsed.ok) throw new Error(parsed.error.message);
  bundle = parsed.value;
  file = join(await mkdtemp(join(tmpdir(), 'proofhub-import-')), 'thread.json');
  await writeFile(file, JSON.stringify(exported.body.bundle));

  operator = await target.signUp('operator'); // first account of the target: its admin
  await signUpWithSameKey(both);
  await signUpWithSameKey(plain);
  const granted = await target.fetchJson('/api/v1/admin/users/both/role', { method: 'PUT', body: { role: 'moderator' }, cookie: operator.cookie });
  expect(granted.status).toBe(200);
}, 120_000);

afterAll(async () => {
  await Promise.all([source?.close(), target?.close()]);
});

describe('importing moderation proofs', () => {
  it('gives effect only to moderation signed by a moderator of the target hub, and reports the others', async () => {
    process.env.PROOFHUB_COOKIE = operator.cookie;
    let imported: { code: number; stdout: string };
    try {
      imported = await capture(() => runImport(['--url', target.url, file]));
    } finally {
      delete process.env.PROOFHUB_COOKIE;
    }
    expect(imported.stdout).toContain(' 0 refused');
    expect(imported.code).toBe(0);
    for (const proof of [acts.elsewhereHide, acts.elsewhereFlag, acts.plainHide]) expect(imported.stdout).toContain(`NO EFFECT ${proof?.id ?? ''} moderation_without_effect`);
    expect(imported.stdout).not.toContain(`NO EFFECT ${acts.bothHide?.id ?? ''}`);
    expect(imported.stdout).toContain('3 moderation proofs stored without effect');

    const items = await targetThread();
    const [r0, r1, r2, r3] = replies as [SignedProof, SignedProof, SignedProof, SignedProof];
    // Non-moderators here: stored, but nothing is hidden or flagged for the target's readers.
    expect(items.get(r0.id)?.moderation).toBeUndefined();
    expect(items.get(root.id)?.moderation).toBeUndefined();
    expect(items.get(r2.id)?.moderation).toBeUndefined();
    // A moderator of the target: hidden there too.
    expect(items.get(r1.id)?.moderation).toMatchObject({ hidden: true, hidden_reason: 'hidden by a moderator of both hubs', hidden_proof: acts.bothHide?.id, hidden_by: { did: both.identity.did, username: 'both' } });
    // The chain of a signer without effect goes on: the reply written after moderating is there.
    expect(items.get(r3.id)?.content).toMatchObject({ body: 'written after moderating' });

    // Every proof is stored and readable (verifiable), with or without effect.
    for (const proof of Object.values(acts)) expect(await target.fetchJson(`/api/v1/proofs/${proof.id}`)).toMatchObject({ status: 200, body: { proof } });
    // The public log lists the actions that took effect here.
    const log = await target.fetchJson<ModerationLogPage>('/api/v1/moderation?hub=public');
    expect(log.body.actions.map((entry) => entry.proof.id)).toEqual([acts.bothHide?.id]);
  });

  it('changes nothing when the bundle is imported again, and a rebuild of the views agrees', async () => {
    const before = await everything(target);
    const again = await target.fetchJson<ImportResult>('/api/v1/import', {
      body: { proofs: importOrder(bundle).map((entry) => (entry.content === undefined ? { proof: entry.proof } : { proof: entry.proof, content: entry.content })) },
      cookie: operator.cookie,
    });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ imported: 0, refused: 0, without_effect: 0 });
    expect(again.body.present).toBe(again.body.results.length);
    expect(await everything(target)).toEqual(before);

    const live = await snapshotViews(target.ctx.prisma);
    await rebuildViews(target.ctx.prisma);
    expect(await snapshotViews(target.ctx.prisma)).toEqual(live);
  });

  it('keeps an effective hide when the moderator role is revoked later (the role counts at admission)', async () => {
    const revoked = await target.fetchJson('/api/v1/admin/users/both/role', { method: 'PUT', body: { role: 'user' }, cookie: operator.cookie });
    expect(revoked.status).toBe(200);
    await rebuildViews(target.ctx.prisma);
    expect((await targetThread()).get(replies[1]?.id ?? '')?.moderation).toMatchObject({ hidden: true });
  });
});

// Proof admission against a real database (PGlite here; PostgreSQL under npm run test:pg): the
// happy path, then every refusal code, each checked to leave the database exactly as it was.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { createContext } from '../context';
import type { AppContext } from '../context';
import { createTestDatabase } from '../testing/database';
import type { TestDatabase } from '../testing/database';
import { TestIdentity, makeContent } from '../testing/identities';
import type { ProofNewEvent } from '@/lib/protocol/events';
import { createHub } from './hubs';
import { buildItems, proofRowSelect } from './read-model';
import { rebuildViews, snapshotViews } from './views';

let testDb: TestDatabase;
let ctx: AppContext;
const alice = new TestIdentity();
const bob = new TestIdentity();
let aliceId: string;
let bobId: string;
const stored: string[] = [];
const events: ProofNewEvent[] = [];

async function signUp(identity: TestIdentity, username: string): Promise<string> {
  const result = await ctx.users.signup({ username, password: 'correct horse battery', identity: await identity.identity(username) }, '127.0.0.1');
  if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
  return result.value.id;
}

/** Everything a refused proof must leave untouched. */
async function snapshot(): Promise<unknown> {
  const prisma = ctx.prisma;
  return {
    proofs: await prisma.proof.findMany({ orderBy: { logIndex: 'asc' }, select: { id: true, status: true } }),
    contents: await prisma.proofContent.count(),
    users: await prisma.user.findMany({ orderBy: { id: 'asc' }, select: { id: true, did: true } }),
    views: await snapshotViews(prisma),
  };
}

async function expectRefused(promise: Promise<{ ok: boolean; error?: { code: string } }>, code: string): Promise<void> {
  const before = await snapshot();
  const result = await promise;
  expect(result.ok).toBe(false);
  expect(result.error?.code, JSON.stringify(result.error)).toBe(code);
  expect(await snapshot()).toEqual(before);
}

beforeAll(async () => {
  testDb = await createTestDatabase();
  ctx = await createContext({ database: testDb.db, secret: randomBytes(32).toString('hex') });
  ctx.events.on('proof:stored', (event) => {
    stored.push(event.proof.id);
    events.push(event);
  });
  aliceId = await signUp(alice, 'alice');
  bobId = await signUp(bob, 'bob');
  const hubs = await Promise.all([
    createHub(ctx.prisma, aliceId, { id: 'garden', name: 'Garden', visibility: 'public' }),
    createHub(ctx.prisma, aliceId, { id: 'secret', name: 'Secret', visibility: 'private' }),
  ]);
  expect(hubs.every((hub) => hub.ok)).toBe(true);
});

afterAll(async () => {
  await testDb.destroy();
});

describe('proof ingest', () => {
  it('stores a post, a reply and a reaction with their views and broadcasts each', async () => {
    const post = await alice.post('public', { title: 'Hello', body: 'First **post**' });
    const posted = await ctx.ingest.submit(post, aliceId);
    expect(posted).toEqual({ ok: true, value: { id: post.proof.id, status: 'signed', log_index: expect.any(Number) as number, duplicate: false } });

    const reply = await bob.reply('public', post.proof, 'Welcome');
    expect((await ctx.ingest.submit(reply, bobId)).ok).toBe(true);
    const like = await bob.react('public', post.proof.id, 'like');
    expect((await ctx.ingest.submit({ proof: like }, bobId)).ok).toBe(true);

    const row = await ctx.prisma.proof.findUniqueOrThrow({ where: { id: post.proof.id }, include: { content: true } });
    expect(JSON.parse(row.raw)).toEqual(post.proof);
    expect(JSON.parse(row.content?.raw ?? 'null')).toEqual(post.content);
    const thread = await ctx.prisma.threadView.findUniqueOrThrow({ where: { rootId: post.proof.id } });
    expect(thread.replyCount).toBe(1);
    expect(await ctx.prisma.reactionCount.findUnique({ where: { targetId_kind: { targetId: post.proof.id, kind: 'like' } } })).toMatchObject({ count: 1 });
    expect(await ctx.prisma.identityView.findUnique({ where: { did: bob.did } })).toMatchObject({ headSeq: 3, headId: like.id });
    expect(stored.slice(-3)).toEqual([post.proof.id, reply.proof.id, like.id]);
  });

  it('broadcasts each proof exactly as a reader of the stored rows sees it (no re-read after commit)', async () => {
    const rename = await alice.sign('identity', 'public', { name: 'Alice Liddell' });
    const post = await alice.post('public', { title: 'Views', body: 'the event is built from the insert' });
    const first = await bob.reply('public', post.proof, 'depth one');
    const second = await alice.reply('public', first.proof, 'depth two');
    const like = await bob.react('public', second.proof.id, 'like');
    const submitted = [
      { item: { proof: rename }, by: aliceId },
      { item: post, by: aliceId },
      { item: first, by: bobId },
      { item: second, by: aliceId },
      { item: { proof: like }, by: bobId },
    ].map(({ item, by }) => ({ ...item, by }));
    const from = events.length;
    for (const { by, ...item } of submitted) {
      const result = await ctx.ingest.submit(item, by);
      expect(result.ok, JSON.stringify(result)).toBe(true);
    }
    const sent = events.slice(from);
    expect(sent.map((event) => event.proof.id)).toEqual(submitted.map((item) => item.proof.id));
    for (const event of sent) {
      const row = await ctx.prisma.proof.findUniqueOrThrow({ where: { id: event.proof.id }, select: proofRowSelect });
      const [item] = await buildItems(ctx.prisma, [row], null);
      expect({ proof: event.proof, content: event.content, view: event.view }).toEqual({ proof: item?.proof, content: item?.content, view: item?.view });
    }
    expect(sent.map((event) => event.view.depth)).toEqual([null, 0, 1, 2, null]);
    expect(sent[1]?.view.signer).toMatchObject({ did: alice.did, username: 'alice', display_name: 'Alice Liddell' });
  });

  it('answers a resubmitted proof as a duplicate and changes nothing', async () => {
    const post = await alice.post('garden', { body: 'once' });
    const first = await ctx.ingest.submit(post, aliceId);
    const before = await snapshot();
    const again = await ctx.ingest.submit(post, aliceId);
    expect(again).toEqual({ ok: true, value: first.ok ? { ...first.value, duplicate: true } : null });
    expect(await snapshot()).toEqual(before);
  });

  it('an undo withdraws a reaction, and reacting twice counts once', async () => {
    const post = await alice.post('public', { body: 'react to me' });
    await ctx.ingest.submit(post, aliceId);
    for (const undo of [false, false, true]) expect((await ctx.ingest.submit({ proof: await bob.react('public', post.proof.id, 'verified', undo) }, bobId)).ok).toBe(true);
    expect(await ctx.prisma.reactionCount.findUnique({ where: { targetId_kind: { targetId: post.proof.id, kind: 'verified' } } })).toMatchObject({ count: 0 });
  });

  it('refuses without a session', async () => {
    await expectRefused(ctx.ingest.submit(await alice.post('public', { body: 'x' }, { advance: false }), null), 'not_signed_in');
  });

  it('refuses a bad signature, a tampered body and a malformed proof', async () => {
    const post = await alice.post('public', { body: 'sig' }, { advance: false });
    const sig = post.proof.sig;
    const forged = { ...post.proof, sig: (sig.startsWith('A') ? 'B' : 'A') + sig.slice(1) };
    await expectRefused(ctx.ingest.submit({ proof: forged, content: post.content }, aliceId), 'bad_signature');
    await expectRefused(ctx.ingest.submit({ proof: { ...post.proof, created_at: new Date(Date.now() - 1000).toISOString() }, content: post.content }, aliceId), 'id_mismatch');
    await expectRefused(ctx.ingest.submit({ proof: { hello: 'world' } }, aliceId), 'malformed_proof');
  });

  it('refuses a proof signed by someone else\'s key for your issuer (bad_signature) and another issuer (not_your_identity)', async () => {
    const mallory = new TestIdentity();
    await mallory.identity('mallory');
    const forged = await mallory.post('public', { body: 'as alice' }, { advance: false });
    const asAlice = { ...forged.proof, issuer: alice.did, seq: alice.seq + 1, prev: alice.head };
    await expectRefused(ctx.ingest.submit({ proof: asAlice, content: forged.content }, aliceId), 'id_mismatch');
    await expectRefused(ctx.ingest.submit(await alice.post('public', { body: 'mine' }, { advance: false }), bobId), 'not_your_identity');
  });

  it('refuses chain breaks: seq gap, prev mismatch; records a fork with both proofs', async () => {
    const gap = await alice.sign('identity', 'public', { name: 'A' }, { seq: alice.seq + 2, prev: alice.head, advance: false });
    await expectRefused(ctx.ingest.submit({ proof: gap }, aliceId), 'seq_gap');
    const wrongPrev = await alice.sign('identity', 'public', { name: 'A' }, { seq: alice.seq + 1, prev: 'f'.repeat(64), advance: false });
    await expectRefused(ctx.ingest.submit({ proof: wrongPrev }, aliceId), 'prev_mismatch');

    const first = await alice.post('public', { body: 'first at this seq' }, { advance: false });
    const second = await alice.post('public', { body: 'second at this seq' });
    expect((await ctx.ingest.submit(first, aliceId)).ok).toBe(true);
    const before = await ctx.prisma.proof.count();
    const fork = await ctx.ingest.submit(second, aliceId);
    expect(fork).toMatchObject({ ok: false, error: { code: 'fork' } });
    expect(await ctx.prisma.proof.count()).toBe(before);
    const forks = await ctx.prisma.fork.findMany({ where: { issuer: alice.did } });
    expect(forks).toEqual([expect.objectContaining({ seq: second.proof.seq, storedId: first.proof.id, conflictingId: second.proof.id })]);
    expect(JSON.parse(forks[0]?.conflictingRaw ?? '{}')).toEqual(second.proof);
    alice.head = first.proof.id; // continue on the stored branch
  });

  it('refuses unknown parents and targets, and references across hubs', async () => {
    const ghost = { type: 'post', id: randomBytes(32).toString('hex') } as Parameters<TestIdentity['reply']>[1];
    await expectRefused(ctx.ingest.submit(await bob.reply('public', ghost, 'to nobody', { advance: false }), bobId), 'unknown_parent');
    await expectRefused(ctx.ingest.submit({ proof: await bob.sign('reaction', 'public', { target: randomBytes(32).toString('hex'), kind: 'like' }, { advance: false }) }, bobId), 'unknown_parent');
    const gardenPost = await alice.post('garden', { body: 'in the garden' });
    expect((await ctx.ingest.submit(gardenPost, aliceId)).ok).toBe(true);
    await expectRefused(ctx.ingest.submit(await bob.reply('public', gardenPost.proof, 'from public', { advance: false }), bobId), 'wrong_hub');
  });

  it('refuses missing, mismatched and oversized content', async () => {
    const post = await alice.post('public', { body: 'content' }, { advance: false });
    await expectRefused(ctx.ingest.submit({ proof: post.proof }, aliceId), 'content_required');
    await expectRefused(ctx.ingest.submit({ proof: post.proof, content: makeContent({ body: 'other' }) }, aliceId), 'content_mismatch');
    await expectRefused(ctx.ingest.submit({ proof: post.proof, content: { ...post.content, body: 'x'.repeat(20_001) } }, aliceId), 'too_large');
    const target = await ctx.prisma.proof.findFirstOrThrow({ where: { type: 'post', hub: 'public' }, select: { id: true } });
    const reaction = await alice.sign('reaction', 'public', { target: target.id, kind: 'like' }, { advance: false });
    await expectRefused(ctx.ingest.submit({ proof: reaction, content: post.content }, aliceId), 'invalid_content');
  });

  it('refuses hubs that do not exist or that you are not a member of', async () => {
    await expectRefused(ctx.ingest.submit(await bob.post('nowhere', { body: 'x' }, { advance: false }), bobId), 'unknown_hub');
    await expectRefused(ctx.ingest.submit(await bob.post('secret', { body: 'let me in' }, { advance: false }), bobId), 'private_hub');
    expect((await ctx.ingest.submit(await alice.post('secret', { body: 'members only' }), aliceId)).ok).toBe(true);
  });

  it('refuses a first identity proof over submit and a created_at far from the server clock', async () => {
    await expectRefused(ctx.ingest.submit({ proof: await new TestIdentity().identity('new') }, bobId), 'unsupported_type');
    const late = await bob.sign('identity', 'public', { name: 'Bob' }, { createdAt: new Date(Date.now() - 3_600_000), advance: false });
    await expectRefused(ctx.ingest.submit({ proof: late }, bobId), 'timestamp_skew');
  });

  it('rate-limits each account and says when to retry', async () => {
    const limited = await createContext({ database: testDb.db, secret: 'x'.repeat(32), rateLimits: { proofs: { points: 1, windowSeconds: 60 }, signups: { points: 5, windowSeconds: 60 }, logins: { points: 5, windowSeconds: 60 } } });
    expect((await limited.ingest.submit(await bob.post('public', { body: 'one' }), bobId)).ok).toBe(true);
    const before = await snapshot();
    const second = await limited.ingest.submit(await bob.post('public', { body: 'two' }, { advance: false }), bobId);
    expect(second).toMatchObject({ ok: false, error: { code: 'rate_limited', retryAfter: expect.any(Number) as number } });
    expect(await snapshot()).toEqual(before);
    // Another account has its own budget.
    expect((await limited.ingest.submit(await alice.post('public', { body: 'alice still can' }), aliceId)).ok).toBe(true);
  });

  it('stores nothing when a reply cannot write its views (a post or reply is one statement: no half-stored proof)', async () => {
    const post = await alice.post('public', { body: 'a thread whose view goes missing' });
    expect((await ctx.ingest.submit(post, aliceId)).ok).toBe(true);
    await ctx.prisma.threadView.delete({ where: { rootId: post.proof.id } });
    const before = await snapshot();
    const reply = await bob.reply('public', post.proof, 'into the void', { advance: false });
    await expect(ctx.ingest.submit(reply, bobId)).rejects.toThrow(/thread view/);
    expect(await snapshot()).toEqual(before);
    // With its views back (a rebuild), the same reply is stored with its rows.
    await rebuildViews(ctx.prisma);
    expect((await ctx.ingest.submit(reply, bobId)).ok).toBe(true);
    expect(await ctx.prisma.replyView.findUnique({ where: { id: reply.proof.id } })).toMatchObject({ rootId: post.proof.id, depth: 1 });
  });
});

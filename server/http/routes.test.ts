// The REST API on a real HTTP server and database: what a browser or agent sees, status codes and
// error bodies included.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { createSessionCookie } from '../auth/session';
import { startTestHub } from '../testing/hub';
import type { TestHub, TestUser } from '../testing/hub';
import { TestIdentity } from '../testing/identities';
import { nobleVerifier } from '@/lib/crypto/ed25519';
import { verifyProof } from '@/lib/proof/proof';
import { purgeContent } from '../services/purge';
import type { HubView, IdentityView, ThreadDetail, ThreadPage } from '@/lib/protocol/views';

let hub: TestHub;
let alice: TestUser;
let bob: TestUser;

beforeAll(async () => {
  hub = await startTestHub();
  alice = await hub.signUp('alice');
  bob = await hub.signUp('bob');
});

afterAll(async () => {
  await hub.close();
});

async function submit(user: TestUser, payload: { proof: unknown; content?: unknown }) {
  return hub.fetchJson('/api/v1/proofs', { body: payload, cookie: user.cookie });
}

describe('health and accounts', () => {
  it('answers /health and /api/v1/health', async () => {
    for (const path of ['/health', '/api/v1/health']) {
      const response = await hub.fetchJson(path);
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ ok: true, database: expect.stringMatching(/^(pglite|postgres)$/) as string });
    }
  });

  it('signs up with an identity proof and answers /me for the session only', async () => {
    // The hub's first account is its admin (docs/moderation.md); later sign-ups are users.
    expect((await hub.fetchJson('/api/v1/me', { cookie: alice.cookie })).body).toEqual({ id: alice.id, username: 'alice', did: alice.identity.did, role: 'admin' });
    expect((await hub.fetchJson('/api/v1/me', { cookie: bob.cookie })).body).toMatchObject({ username: 'bob', role: 'user' });
    expect(await hub.fetchJson('/api/v1/me')).toMatchObject({ status: 401, body: { error: { code: 'not_signed_in' } } });
    const forged = await createSessionCookie(alice.id, 'alice', 'another secret of at least thirty-two chars');
    expect((await hub.fetchJson('/api/v1/me', { cookie: forged })).status).toBe(401);
  });

  it('refuses taken usernames, bad bodies and bad identity proofs', async () => {
    const identity = new TestIdentity();
    const proof = await identity.identity('x');
    expect(await hub.fetchJson('/api/v1/auth/signup', { body: { username: 'ALICE', password: 'long enough pw', identity: proof } })).toMatchObject({ status: 409, body: { error: { code: 'username_taken' } } });
    expect(await hub.fetchJson('/api/v1/auth/signup', { body: { username: 'c', password: 'long enough pw', identity: proof } })).toMatchObject({ status: 400, body: { error: { code: 'invalid_request' } } });
    expect(await hub.fetchJson('/api/v1/auth/signup', { body: '{not json', headers: { 'content-type': 'application/json' } })).toMatchObject({ status: 400, body: { error: { code: 'invalid_request' } } });
    expect(await hub.fetchJson('/api/v1/auth/signup', { body: { username: 'carol', password: 'long enough pw', identity: { ...proof, sig: `B${proof.sig.slice(1)}` } } })).toMatchObject({ status: 422, body: { error: { code: 'bad_signature' } } });
    expect(await hub.fetchJson('/api/v1/auth/signup', { body: { username: 'carol', password: 'long enough pw', identity: await alice.identity.sign('identity', 'public', { name: 'again' }, { seq: 1, prev: null, advance: false }) } })).toMatchObject({ status: 409, body: { error: { code: 'did_taken' } } });
    expect(await hub.ctx.prisma.user.count()).toBe(2);
  });

  it('binds an identity to an operator-created account once', async () => {
    const created = await hub.ctx.users.createUser({ username: 'dave', password: 'operator made this', role: 'user' });
    if (!created.ok) throw new Error(created.error.message);
    const cookie = await createSessionCookie(created.value.id, 'dave', hub.ctx.secret);
    const identity = new TestIdentity();
    const rename = await identity.sign('identity', 'public', { name: 'Dave' }, { seq: 2, prev: 'a'.repeat(64), advance: false });
    const post = await hub.fetchJson('/api/v1/proofs', { body: { proof: rename }, cookie });
    expect(post.body).toMatchObject({ error: { code: 'no_identity' } });
    const bound = await hub.fetchJson('/api/v1/identities/bind', { body: { identity: await identity.identity('Dave') }, cookie });
    expect(bound).toMatchObject({ status: 200, body: { user: { username: 'dave', did: identity.did } } });
    const again = await hub.fetchJson('/api/v1/identities/bind', { body: { identity: await new TestIdentity().identity('Dave 2') }, cookie });
    expect(again).toMatchObject({ status: 409, body: { error: { code: 'already_bound' } } });
    expect(await hub.fetchJson('/api/v1/identities/bind', { body: { identity: await identity.identity('x') } })).toMatchObject({ status: 401 });
  });
});

describe('proofs, threads and identities', () => {
  it('stores a post (201), answers a resubmission as a duplicate (200) and serves it back', async () => {
    const post = await alice.identity.post('public', { title: 'Hi', body: 'hello' });
    const created = await submit(alice, post);
    expect(created).toMatchObject({ status: 201, body: { id: post.proof.id, status: 'signed', duplicate: false } });
    expect(await submit(alice, post)).toMatchObject({ status: 200, body: { id: post.proof.id, duplicate: true } });
    const read = await hub.fetchJson(`/api/v1/proofs/${post.proof.id}`);
    expect(read.body).toMatchObject({ proof: post.proof, content: post.content, status: 'signed', view: { type: 'post', thread: post.proof.id, depth: 0, signer: { did: alice.identity.did, username: 'alice', display_name: 'alice' } } });
    expect((await hub.fetchJson('/api/v1/proofs/nothex')).status).toBe(400);
    expect((await hub.fetchJson(`/api/v1/proofs/${'0'.repeat(64)}`)).body).toEqual({ error: { code: 'not_found', message: expect.any(String) as string } });
  });

  it('refuses proofs without a session, across sites and over the size limit', async () => {
    const post = await alice.identity.post('public', { body: 'refused' }, { advance: false });
    expect(await hub.fetchJson('/api/v1/proofs', { body: post })).toMatchObject({ status: 401, body: { error: { code: 'not_signed_in' } } });
    expect(await hub.fetchJson('/api/v1/proofs', { body: post, cookie: alice.cookie, headers: { origin: 'https://evil.example' } })).toMatchObject({ status: 403, body: { error: { code: 'forbidden' } } });
    expect(await hub.fetchJson('/api/v1/proofs', { body: { ...post, content: { ...post.content, body: 'x'.repeat(300_000) } }, cookie: alice.cookie })).toMatchObject({ status: 413, body: { error: { code: 'too_large' } } });
    expect(await hub.fetchJson('/api/v1/proofs', { body: JSON.stringify(post), cookie: alice.cookie, headers: { 'content-type': 'text/plain' } })).toMatchObject({ status: 400 });
  });

  it('lists threads by latest activity with a cursor, and serves a thread with nested replies, counts and my reactions', async () => {
    const posts = [];
    for (const body of ['one', 'two', 'three']) {
      const post = await bob.identity.post('public', { title: body, body });
      expect((await submit(bob, post)).status).toBe(201);
      posts.push(post.proof);
    }
    const [one, , three] = posts;
    if (one === undefined || three === undefined) throw new Error('unreachable');
    // A reply bumps thread "one" to the top; a reaction does not bump.
    const reply = await alice.identity.reply('public', one, 'reply to one');
    expect((await submit(alice, reply)).status).toBe(201);
    const nested = await bob.identity.reply('public', reply.proof, 'nested');
    expect((await submit(bob, nested)).status).toBe(201);
    expect((await submit(alice, { proof: await alice.identity.react('public', three.id, 'like') })).status).toBe(201);
    expect((await submit(alice, { proof: await alice.identity.react('public', reply.proof.id, 'verified') })).status).toBe(201);

    const first = await hub.fetchJson<ThreadPage>('/api/v1/hubs/public/threads?limit=2', { cookie: alice.cookie });
    expect(first.status).toBe(200);
    expect(first.body.threads.map((t) => t.title)).toEqual(['one', 'three']);
    expect(first.body.threads[0]).toMatchObject({ reply_count: 2, root: { proof: one, view: { depth: 0 } } });
    expect(first.body.threads[1]).toMatchObject({ root: { counts: { like: 1, verified: 0, disputed: 0 }, mine: { like: true } } });
    const second = await hub.fetchJson<ThreadPage>(`/api/v1/hubs/public/threads?limit=2&cursor=${first.body.next_cursor ?? ''}`);
    expect(second.body.threads.map((t) => t.title)).toEqual(['two', 'Hi']);
    expect((await hub.fetchJson('/api/v1/hubs/public/threads?limit=500')).status).toBe(400);

    const thread = await hub.fetchJson<ThreadDetail>(`/api/v1/threads/${one.id}`, { cookie: alice.cookie });
    expect(thread.status).toBe(200);
    expect(thread.body.thread).toMatchObject({ id: one.id, reply_count: 2, title: 'one' });
    expect(thread.body.replies.map((r) => [r.proof.id, r.view.depth, r.view.parent])).toEqual([
      [reply.proof.id, 1, one.id],
      [nested.proof.id, 2, reply.proof.id],
    ]);
    expect(thread.body.replies[0]).toMatchObject({ content: reply.content, counts: { verified: 1 }, mine: { verified: true, like: false } });
    expect((await hub.fetchJson<ThreadDetail>(`/api/v1/threads/${one.id}`)).body.replies[0]?.mine).toBeNull();
    expect((await hub.fetchJson(`/api/v1/threads/${reply.proof.id}`)).status).toBe(404);
  });

  it('purges a post\'s content and keeps a proof that still verifies', async () => {
    const post = await alice.identity.post('public', { title: 'takedown', body: 'to be purged' });
    expect((await submit(alice, post)).status).toBe(201);
    expect(await purgeContent(hub.ctx.prisma, post.proof.id, 'legal takedown')).toMatchObject({ ok: true });
    const read = await hub.fetchJson<{ proof: unknown; content: unknown; view: { purged: boolean } }>(`/api/v1/proofs/${post.proof.id}`);
    expect(read.body).toMatchObject({ proof: post.proof, content: null, view: { purged: true } });
    expect(verifyProof(read.body.proof, nobleVerifier).ok).toBe(true);
    expect((await hub.fetchJson<ThreadDetail>(`/api/v1/threads/${post.proof.id}`)).body.thread.title).toBeNull();
    expect(await purgeContent(hub.ctx.prisma, '0'.repeat(64), 'nothing there')).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });

  it('serves an identity with its head so a client can sign the next proof', async () => {
    const response = await hub.fetchJson<IdentityView>(`/api/v1/identities/${alice.identity.did}`);
    expect(response.body).toMatchObject({
      did: alice.identity.did,
      username: 'alice',
      display_name: 'alice',
      head: { seq: alice.identity.seq, id: alice.identity.head },
      keys: [{ key: alice.identity.did, from_seq: 1 }],
    });
    expect(response.body.proofs).toHaveLength(1);
    expect((await hub.fetchJson('/api/v1/identities/did:key:nope')).status).toBe(400);
    expect((await hub.fetchJson(`/api/v1/identities/${new TestIdentity().did}`)).status).toBe(404);
  });
});

describe('hubs', () => {
  it('creates a private hub invisible to non-members until the owner adds them', async () => {
    const created = await hub.fetchJson('/api/v1/hubs', { body: { id: 'den', name: 'Den', visibility: 'private' }, cookie: alice.cookie });
    expect(created).toMatchObject({ status: 201, body: { hub: { id: 'den', visibility: 'private', owner: 'alice', role: 'owner' } } });
    expect((await hub.fetchJson('/api/v1/hubs', { body: { id: 'den', name: 'Again' }, cookie: bob.cookie })).body).toMatchObject({ error: { code: 'hub_exists' } });
    expect((await hub.fetchJson('/api/v1/hubs', { body: { id: 'x y', name: 'Bad' }, cookie: bob.cookie })).status).toBe(400);
    expect((await hub.fetchJson('/api/v1/hubs', { body: { id: 'anon', name: 'Anon' } })).status).toBe(401);

    const post = await alice.identity.post('den', { title: 'secret', body: 'members only' });
    expect((await submit(alice, post)).status).toBe(201);
    const ids = async (cookie?: string) => (await hub.fetchJson<{ hubs: HubView[] }>('/api/v1/hubs', cookie === undefined ? {} : { cookie })).body.hubs.map((h) => h.id);
    expect(await ids(bob.cookie)).not.toContain('den');
    expect(await ids()).toEqual(['public']);
    expect((await hub.fetchJson('/api/v1/hubs/den', { cookie: bob.cookie })).status).toBe(404);
    expect((await hub.fetchJson('/api/v1/hubs/den/threads', { cookie: bob.cookie })).status).toBe(404);
    expect((await hub.fetchJson(`/api/v1/threads/${post.proof.id}`, { cookie: bob.cookie })).status).toBe(404);
    expect((await hub.fetchJson(`/api/v1/proofs/${post.proof.id}`)).status).toBe(404);
    expect((await submit(bob, await bob.identity.post('den', { body: 'let me in' }, { advance: false }))).body).toMatchObject({ error: { code: 'private_hub' } });

    expect((await hub.fetchJson('/api/v1/hubs/den/members', { body: { username: 'bob' }, cookie: bob.cookie })).status).toBe(404);
    expect((await hub.fetchJson('/api/v1/hubs/den/members', { body: { username: 'nobody' }, cookie: alice.cookie })).body).toMatchObject({ error: { code: 'unknown_user' } });
    expect(await hub.fetchJson('/api/v1/hubs/den/members', { body: { username: 'Bob' }, cookie: alice.cookie })).toMatchObject({ status: 201, body: { hub: { id: 'den', role: 'owner' }, username: 'bob' } });
    expect((await hub.fetchJson('/api/v1/hubs/den/members', { body: { username: 'bob' }, cookie: alice.cookie })).body).toMatchObject({ error: { code: 'already_member' } });

    expect(await ids(bob.cookie)).toContain('den');
    expect((await hub.fetchJson('/api/v1/hubs/den', { cookie: bob.cookie })).body).toMatchObject({ hub: { role: 'member' } });
    expect((await hub.fetchJson<ThreadPage>('/api/v1/hubs/den/threads', { cookie: bob.cookie })).body.threads).toHaveLength(1);
    expect((await hub.fetchJson('/api/v1/hubs/den/members', { body: { username: 'dave' }, cookie: bob.cookie })).body).toMatchObject({ error: { code: 'forbidden' } });
  });

  it('answers unknown API paths and methods with JSON errors', async () => {
    expect(await hub.fetchJson('/api/v1/nothing')).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } });
    expect(await hub.fetchJson('/api/v1/hubs', { method: 'DELETE' })).toMatchObject({ status: 405, body: { error: { code: 'invalid_request' } } });
  });
});

describe('rate limits', () => {
  it('answers 429 with Retry-After once an account spends its budget', async () => {
    const limited = await startTestHub({ testDb: hub.testDb, rateLimits: { proofs: { points: 1, windowSeconds: 60 }, signups: { points: 5, windowSeconds: 60 }, logins: { points: 5, windowSeconds: 60 } } });
    try {
      const carol = await limited.signUp(`carol_${randomBytes(3).toString('hex')}`);
      const first = await carol.identity.post('public', { body: 'one' });
      expect((await limited.fetchJson('/api/v1/proofs', { body: first, cookie: carol.cookie })).status).toBe(201);
      const second = await limited.fetchJson('/api/v1/proofs', { body: await carol.identity.post('public', { body: 'two' }), cookie: carol.cookie });
      expect(second).toMatchObject({ status: 429, body: { error: { code: 'rate_limited', retry_after: expect.any(Number) as number } } });
      expect(Number(second.headers.get('retry-after'))).toBeGreaterThan(0);
    } finally {
      await limited.close();
    }
  });
});

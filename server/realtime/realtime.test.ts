// Socket.IO on real sockets: two signed-in clients in a hub room, one submits, the other receives
// proof:new and reaction:count; private rooms refused to non-members; bad payloads refused;
// missed proofs replayed on subscribe {since}.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProofNewEvent, ReactionCountEvent } from '@/lib/protocol/events';
import { startTestHub } from '../testing/hub';
import type { ClientSocket, TestHub, TestUser } from '../testing/hub';

let hub: TestHub;
let alice: TestUser;
let bob: TestUser;

beforeAll(async () => {
  hub = await startTestHub();
  alice = await hub.signUp('alice');
  bob = await hub.signUp('bob');
  const created = await hub.fetchJson('/api/v1/hubs', { body: { id: 'den', name: 'Den', visibility: 'private' }, cookie: alice.cookie });
  expect(created.status).toBe(201);
});

afterAll(async () => {
  await hub.close();
});

function next<E extends 'proof:new' | 'reaction:count'>(socket: ClientSocket, event: E): Promise<E extends 'proof:new' ? ProofNewEvent : ReactionCountEvent> {
  return new Promise((resolve) => {
    socket.once(event, ((payload: unknown) => resolve(payload as E extends 'proof:new' ? ProofNewEvent : ReactionCountEvent)) as never);
  });
}

describe('realtime', () => {
  it('delivers a proof submitted by one client to another in the hub and thread rooms', async () => {
    const [aliceSocket, bobSocket] = await Promise.all([hub.connect(alice.cookie), hub.connect(bob.cookie)]);
    expect(await bobSocket.emitWithAck('subscribe', { hub: 'public' })).toMatchObject({ ok: true, data: { room: 'hub:public', replayed: 0 } });

    const post = await alice.identity.post('public', { title: 'live', body: 'hello, live' });
    const arriving = next(bobSocket, 'proof:new');
    const ack = await aliceSocket.emitWithAck('proof:submit', post);
    expect(ack).toMatchObject({ ok: true, data: { id: post.proof.id, status: 'signed', duplicate: false } });
    const received = await arriving;
    expect(received.proof).toEqual(post.proof);
    expect(received.content).toEqual(post.content);
    expect(received.view).toMatchObject({ id: post.proof.id, thread: post.proof.id, depth: 0, signer: { username: 'alice' } });

    // Bob follows the thread too; a reply reaches him once although he is in both rooms.
    expect(await bobSocket.emitWithAck('subscribe', { thread: post.proof.id })).toMatchObject({ ok: true, data: { room: `thread:${post.proof.id}` } });
    const received2: ProofNewEvent[] = [];
    bobSocket.on('proof:new', (event) => received2.push(event));
    const counted = next(bobSocket, 'reaction:count');
    const reply = await alice.identity.reply('public', post.proof, 'a reply');
    expect(await aliceSocket.emitWithAck('proof:submit', reply)).toMatchObject({ ok: true });
    expect(await aliceSocket.emitWithAck('proof:submit', { proof: await alice.identity.react('public', post.proof.id, 'like') })).toMatchObject({ ok: true });
    expect(await counted).toMatchObject({ hub: 'public', thread: post.proof.id, target: post.proof.id, counts: { like: 1, verified: 0, disputed: 0 }, by: { issuer: alice.identity.did, kind: 'like', active: true } });
    expect(received2.map((event) => event.proof.type)).toEqual(['reply', 'reaction']);
    expect(received2[0]?.view).toMatchObject({ parent: post.proof.id, depth: 1, thread: post.proof.id });

    // After unsubscribing from both rooms, nothing more arrives.
    await bobSocket.emitWithAck('unsubscribe', { hub: 'public' });
    await bobSocket.emitWithAck('unsubscribe', { thread: post.proof.id });
    const silent = await alice.identity.post('public', { body: 'unheard' });
    expect(await aliceSocket.emitWithAck('proof:submit', silent)).toMatchObject({ ok: true });
    const sub = await bobSocket.emitWithAck('subscribe', { hub: 'public', since: received.view.log_index });
    expect(sub).toMatchObject({ ok: true, data: { replayed: 3 } });
    expect(received2.map((event) => event.proof.type)).toEqual(['reply', 'reaction', 'reply', 'reaction', 'post']);
  });

  it('refuses private rooms to non-members and to anonymous sockets', async () => {
    const post = await alice.identity.post('den', { body: 'members only' });
    expect((await hub.fetchJson('/api/v1/proofs', { body: post, cookie: alice.cookie })).status).toBe(201);
    const [bobSocket, anonymous, aliceSocket] = await Promise.all([hub.connect(bob.cookie), hub.connect(), hub.connect(alice.cookie)]);
    expect(await bobSocket.emitWithAck('subscribe', { hub: 'den' })).toMatchObject({ ok: false, error: { code: 'private_hub' } });
    expect(await bobSocket.emitWithAck('subscribe', { thread: post.proof.id })).toMatchObject({ ok: false, error: { code: 'private_hub' } });
    expect(await anonymous.emitWithAck('subscribe', { hub: 'den' })).toMatchObject({ ok: false, error: { code: 'private_hub' } });
    expect(await anonymous.emitWithAck('subscribe', { hub: 'nowhere' })).toMatchObject({ ok: false, error: { code: 'unknown_hub' } });
    expect(await aliceSocket.emitWithAck('subscribe', { hub: 'den' })).toMatchObject({ ok: true });
    expect(await anonymous.emitWithAck('subscribe', { hub: 'public' })).toMatchObject({ ok: true });
  });

  it('answers bad payloads and anonymous submissions with error codes', async () => {
    const anonymous = await hub.connect();
    expect(await anonymous.emitWithAck('subscribe', { hub: 'Not A Hub!' })).toMatchObject({ ok: false, error: { code: 'invalid_request' } });
    expect(await anonymous.emitWithAck('proof:submit', { proof: 'nope' } as never)).toMatchObject({ ok: false, error: { code: 'invalid_request' } });
    const post = await alice.identity.post('public', { body: 'anon' }, { advance: false });
    expect(await anonymous.emitWithAck('proof:submit', post)).toMatchObject({ ok: false, error: { code: 'not_signed_in' } });
    const bobSocket = await hub.connect(bob.cookie);
    expect(await bobSocket.emitWithAck('proof:submit', post)).toMatchObject({ ok: false, error: { code: 'not_your_identity' } });
  });

  it('refuses a handshake from another site', async () => {
    await expect(hub.connect(alice.cookie, { extraHeaders: { origin: 'https://evil.example' } })).rejects.toThrow();
  });
});

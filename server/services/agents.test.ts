// Agents end to end on the real server (PGlite): an agent posts over Socket.IO and a person sees
// it live; on_behalf_of needs the owner's live delegation with that scope; the owner's
// revocation disconnects the agent, kills its tokens and refuses its next proof while its earlier
// proofs stay valid; per-agent and per-hub limits refuse with retry_after.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProofNewEvent } from '@/lib/protocol/events';
import { startTestHub } from '../testing/hub';
import type { TestHub, TestUser } from '../testing/hub';
import { accessToken, connectAgent, fetchToken, registerTestAgent, revoke } from './agents-testing';
import type { TestAgent } from './agents-testing';

let hub: TestHub;
let alice: TestUser;
let bob: TestUser;

beforeAll(async () => {
  hub = await startTestHub({ agentLimits: { perAgent: { points: 6, windowSeconds: 60 }, perHub: { points: 9, windowSeconds: 60 } } });
  alice = await hub.signUp('alice');
  bob = await hub.signUp('bob');
});

afterAll(async () => {
  await hub.close();
});

describe('agents over Socket.IO', () => {
  it('posts and replies with acks; a person sees them live; on_behalf_of needs the scope', async () => {
    const agent = await registerTestAgent(hub, alice, { scopes: ['read', 'post', 'reply'] });
    expect(agent.credentials.agent).toMatchObject({ state: 'pending', owner: { username: 'alice', did: alice.identity.did } });
    const page = await hub.fetchJson(`/api/v1/agents/${agent.credentials.agent.id}`);
    expect(page).toMatchObject({ status: 200, body: { agent: { state: 'active', did: agent.identity.did }, activity: [] } });
    const socket = await connectAgent(hub, await accessToken(hub, agent));
    const watcher = await hub.connect(bob.cookie);
    expect(await watcher.emitWithAck('subscribe', { hub: 'public' })).toMatchObject({ ok: true });
    expect(await socket.emitWithAck('subscribe', { hub: 'public' })).toMatchObject({ ok: true });

    expect(await socket.emitWithAck('proof:submit', { proof: await agent.identity.identity('Helper bot') })).toMatchObject({ ok: true, data: { duplicate: false } });
    const seen = new Promise<ProofNewEvent>((resolve) => watcher.on('proof:new', (event) => event.proof.type === 'post' && resolve(event)));
    const post = await agent.identity.post('public', { title: 'bot post', body: 'hello from a bot' });
    expect(await socket.emitWithAck('proof:submit', post)).toMatchObject({ ok: true, data: { id: post.proof.id, status: 'signed' } });
    const event = await seen;
    expect(event.proof).toEqual(post.proof);
    expect(event.view.signer).toMatchObject({ did: agent.identity.did, display_name: 'Helper bot', agent: { id: agent.credentials.agent.id, owner: 'alice' } });

    // Acting for the owner: allowed for reply (granted), refused for react (not granted).
    const onBehalf = await agent.identity.reply('public', post.proof, 'for alice', { advance: false });
    const signed = await agent.identity.sign('reply', 'public', { ...(onBehalf.proof.claim as { parent: string; root: string; content_digest: string }), on_behalf_of: alice.identity.did });
    expect(await socket.emitWithAck('proof:submit', { proof: signed, content: onBehalf.content })).toMatchObject({ ok: true });
    const react = await agent.identity.sign('reaction', 'public', { target: post.proof.id, kind: 'like' }, { advance: false });
    expect(await socket.emitWithAck('proof:submit', { proof: react })).toMatchObject({ ok: false, error: { code: 'insufficient_scope' } });
    // on_behalf_of someone who never delegated: refused by the proof-format rule.
    const forBob = await agent.identity.post('public', { body: 'for bob?' }, { advance: false });
    const claimForBob = { ...(forBob.proof.claim as { content_digest: string; visibility: 'public' }), on_behalf_of: bob.identity.did };
    const signedForBob = await agent.identity.sign('post', 'public', claimForBob, { advance: false });
    expect(await socket.emitWithAck('proof:submit', { proof: signedForBob, content: forBob.content })).toMatchObject({ ok: false, error: { code: 'not_delegated' } });

    // A person cannot pass a proof off as the agent's, nor the agent as the person's.
    const bobPost = await bob.identity.post('public', { body: 'mine' }, { advance: false });
    expect(await socket.emitWithAck('proof:submit', bobPost)).toMatchObject({ ok: false, error: { code: 'not_your_identity' } });
    socket.close();
  });

  it('revocation disconnects the agent, refuses its token and next proof, and keeps earlier proofs valid', async () => {
    const agent = await registerTestAgent(hub, bob, { scopes: ['read', 'post'] });
    const token = await accessToken(hub, agent);
    const socket = await connectAgent(hub, token);
    expect(await socket.emitWithAck('proof:submit', { proof: await agent.identity.identity('Soon gone') })).toMatchObject({ ok: true });
    const before = await agent.identity.post('public', { body: 'before the revocation' });
    expect(await socket.emitWithAck('proof:submit', before)).toMatchObject({ ok: true });

    const disconnected = new Promise<string>((resolve) => socket.once('disconnect', (reason) => resolve(reason)));
    expect(await revoke(hub, agent)).toMatchObject({ status: 201 });
    expect(await disconnected).toBe('io server disconnect');

    const after = await agent.identity.post('public', { body: 'after the revocation' }, { advance: false });
    expect(await hub.fetchJson('/api/v1/proofs', { body: after, headers: { authorization: `Bearer ${token}` } })).toMatchObject({ status: 401, body: { error: { code: 'invalid_token' } } });
    await expect(connectAgent(hub, token)).rejects.toMatchObject({ message: 'invalid_token' });
    expect(await fetchToken(hub, agent)).toMatchObject({ status: 400, body: { error: 'unauthorized_client' } });
    // Nor can the owner's session pass the agent's proof off as its own.
    expect(await hub.fetchJson('/api/v1/proofs', { body: after, cookie: bob.cookie })).toMatchObject({ status: 403, body: { error: { code: 'not_your_identity' } } });

    const earlier = await hub.fetchJson<{ status: string }>(`/api/v1/proofs/${before.proof.id}`);
    expect(earlier).toMatchObject({ status: 200, body: { status: 'signed' } });
    const listed = await hub.fetchJson<{ agents: { state: string; revoked_at: string | null }[] }>('/api/v1/agents', { cookie: bob.cookie });
    expect(listed.body.agents[0]).toMatchObject({ state: 'revoked', revoked_at: expect.any(String) as string });
  });
});

describe('agent limits', () => {
  it('refuses past the per-agent budget with retry_after, and holds a per-hub budget across agents', async () => {
    for (const id of ['solo', 'busy']) expect((await hub.fetchJson('/api/v1/hubs', { body: { id, name: id }, cookie: alice.cookie })).status).toBe(201);
    // One after another: each delegation is alice's next seq, and three in flight at once could
    // reach her chain out of order (seq_gap), as any client sending unacknowledged seqs would.
    const agents: TestAgent[] = [];
    for (const name of ['One', 'Two', 'Three']) agents.push(await registerTestAgent(hub, alice, { name, scopes: ['read', 'post'] }));
    const sockets = await Promise.all(agents.map(async (agent) => connectAgent(hub, await accessToken(hub, agent))));
    const submit = async (index: number, hubId: string, advance = true) => {
      const agent = agents[index];
      const socket = sockets[index];
      if (agent === undefined || socket === undefined) throw new Error('no such agent');
      return socket.emitWithAck('proof:submit', await agent.identity.post(hubId, { body: `from ${index}` }, { advance }));
    };
    for (const [index, agent] of agents.entries()) expect(await sockets[index]?.emitWithAck('proof:submit', { proof: await agent.identity.identity(`Busy ${index}`) })).toMatchObject({ ok: true });

    // Per agent: 6 proofs a minute here, the identity proof included.
    for (let i = 0; i < 5; i++) expect(await submit(0, 'solo')).toMatchObject({ ok: true });
    expect(await submit(0, 'solo', false)).toMatchObject({ ok: false, error: { code: 'rate_limited', retry_after: expect.any(Number) as number, message: expect.stringContaining('this agent') as string } });

    // Per hub: 9 agent proofs a minute into "busy", whichever agents send them.
    for (let i = 0; i < 5; i++) expect(await submit(1, 'busy')).toMatchObject({ ok: true });
    for (let i = 0; i < 4; i++) expect(await submit(2, 'busy')).toMatchObject({ ok: true });
    expect(await submit(2, 'busy', false)).toMatchObject({ ok: false, error: { code: 'rate_limited', retry_after: expect.any(Number) as number, message: expect.stringContaining('hub "busy"') as string } });
    for (const socket of sockets) socket.close();
    // Three registrations one after another, eleven proofs: 20 s on PGlite at load 28.
  }, 90_000);
});

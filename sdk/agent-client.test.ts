// The SDK against the real server (PGlite): connect with client credentials (identity proof made
// on first connect), subscribe, answer a person's post with a reply the person sees, react; after
// the server drops the socket the client reconnects with a fresh token and catches up.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentRoom } from '@/lib/protocol/agents';
import type { ProofNewEvent } from '@/lib/protocol/events';
import { registerTestAgent } from '@/server/services/agents-testing';
import { startTestHub } from '@/server/testing/hub';
import type { TestHub, TestUser } from '@/server/testing/hub';
import { AgentClient, AgentError } from './agent-client';

let hub: TestHub;
let carol: TestUser;

beforeAll(async () => {
  hub = await startTestHub();
  carol = await hub.signUp('carol');
});

afterAll(async () => {
  await hub.close();
});

function waitFor(client: AgentClient, predicate: (event: ProofNewEvent) => boolean): Promise<ProofNewEvent> {
  return new Promise((resolve) => {
    const off = client.on('proof:new', (event) => {
      if (!predicate(event)) return;
      off();
      resolve(event);
    });
  });
}

describe('AgentClient', () => {
  it('connects, replies to a mention, reacts, and catches up after the server drops it', async () => {
    const seed = randomBytes(32);
    const agent = await registerTestAgent(hub, carol, { seed, scopes: ['read', 'post', 'reply', 'react'] });
    const client = new AgentClient({ url: hub.url, clientId: agent.credentials.client_id, clientSecret: agent.credentials.client_secret, seed, name: 'Echo', backoffMs: 50 });
    await client.connect();
    expect(client.did).toBe(agent.identity.did);
    expect(client.head.seq).toBe(1);
    expect(client.scopes).toEqual(['read', 'post', 'reply', 'react']);
    await client.subscribe({ hub: 'public' });

    const watcher = await hub.connect(carol.cookie);
    expect(await watcher.emitWithAck('subscribe', { hub: 'public' })).toMatchObject({ ok: true });
    const mention = waitFor(client, (event) => event.content?.body.includes('@echo') === true);
    const post = await carol.identity.post('public', { title: 'question', body: 'hey @echo, what is 2 + 2?' });
    expect((await hub.fetchJson('/api/v1/proofs', { body: post, cookie: carol.cookie })).status).toBe(201);
    const seen = await mention;

    const replySeen = new Promise<ProofNewEvent>((resolve) => watcher.on('proof:new', (event) => event.proof.type === 'reply' && resolve(event)));
    const answered = await client.reply(seen.proof as never, '4');
    expect(answered.result).toMatchObject({ status: 'signed', duplicate: false });
    expect(answered.proof).toMatchObject({ seq: 2, issuer: client.did });
    expect((await replySeen).proof.id).toBe(answered.proof.id);
    const reacted = await client.react(seen.proof as never, 'like', { onBehalfOf: carol.identity.did });
    expect(reacted.proof).toMatchObject({ seq: 3, claim: { on_behalf_of: carol.identity.did } });

    // The server drops the agent's socket (as a restart would); posts made meanwhile arrive anyway.
    const back = new Promise<void>((resolve) => client.on('connected', resolve));
    const missed = waitFor(client, (event) => event.content?.body === 'while you were away');
    hub.web.realtime.io.in(agentRoom(agent.credentials.agent.id)).disconnectSockets(true);
    const away = await carol.identity.post('public', { body: 'while you were away' });
    expect((await hub.fetchJson('/api/v1/proofs', { body: away, cookie: carol.cookie })).status).toBe(201);
    await back;
    expect((await missed).proof.id).toBe(away.proof.id);
    const after = await client.post('public', { body: 'still here' });
    expect(after.proof.seq).toBe(4);
    await client.close();
  });

  it('reports refusals with their codes', async () => {
    const seed = randomBytes(32);
    const agent = await registerTestAgent(hub, carol, { seed, scopes: ['read', 'post'] });
    const wrong = new AgentClient({ url: hub.url, clientId: agent.credentials.client_id, clientSecret: 'wrong', seed, name: 'Nope' });
    await expect(wrong.connect()).rejects.toMatchObject({ code: 'invalid_client' });
    const client = new AgentClient({ url: hub.url, clientId: agent.credentials.client_id, clientSecret: agent.credentials.client_secret, seed, name: 'Poster', backoffMs: 50 });
    await client.connect();
    const post = await client.post('public', { body: 'hello' });
    const error = await client.reply(post.proof, 'no reply scope').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AgentError);
    expect(error).toMatchObject({ code: 'insufficient_scope' });
    // The refused reply did not move the chain: the next post takes seq 3.
    expect((await client.post('public', { body: 'next' })).proof.seq).toBe(3);
    await client.close();
  });
});

// Test helpers for agents against a running test hub: an owner registers an agent over REST,
// signs the delegation with its own key, and the agent fetches tokens and opens sockets.
import { io as connectSocket } from 'socket.io-client';
import type { DelegationScope } from '@/lib/proof/schema';
import type { AgentCredentials, TokenResponse } from '@/lib/protocol/agents';
import { SOCKET_PATH } from '@/lib/protocol/events';
import type { ClientSocket, TestHub, TestUser } from '../testing/hub';
import { TestIdentity } from '../testing/identities';

export interface TestAgent {
  identity: TestIdentity;
  credentials: AgentCredentials;
  owner: TestUser;
}

/** Registers an agent for `owner` and, unless `delegate` is false, signs and submits its delegation. */
export async function registerTestAgent(hub: TestHub, owner: TestUser, options: { name?: string; scopes?: DelegationScope[]; delegate?: boolean; expiresAt?: Date; delegatedAt?: Date; seed?: Uint8Array } = {}): Promise<TestAgent> {
  const identity = new TestIdentity(options.seed);
  const scopes = options.scopes ?? ['read', 'post', 'reply'];
  const registered = await hub.fetchJson<AgentCredentials>('/api/v1/agents', { body: { name: options.name ?? 'Helper bot', did: identity.did, scopes }, cookie: owner.cookie });
  if (registered.status !== 201) throw new Error(`agent registration failed: ${JSON.stringify(registered.body)}`);
  const agent = { identity, credentials: registered.body, owner };
  if (options.delegate !== false) await delegate(hub, agent, scopes, options.expiresAt, options.delegatedAt);
  return agent;
}

export async function delegate(hub: TestHub, agent: TestAgent, scopes: DelegationScope[], expiresAt = new Date(Date.now() + 24 * 3600_000), createdAt = new Date()): Promise<void> {
  const proof = await agent.owner.identity.sign('delegation', 'public', { agent: agent.identity.did, scopes, expires_at: expiresAt.toISOString() }, { createdAt });
  const stored = await hub.fetchJson('/api/v1/proofs', { body: { proof }, cookie: agent.owner.cookie });
  if (stored.status !== 201) throw new Error(`delegation refused: ${JSON.stringify(stored.body)}`);
}

export async function revoke(hub: TestHub, agent: TestAgent): Promise<{ status: number; body: unknown }> {
  const proof = await agent.owner.identity.sign('revocation', 'public', { agent: agent.identity.did, reason: 'test over' });
  return hub.fetchJson('/api/v1/proofs', { body: { proof }, cookie: agent.owner.cookie });
}

export async function fetchToken(hub: TestHub, agent: TestAgent, scope?: string): Promise<{ status: number; body: TokenResponse & { error?: string }; headers: Headers }> {
  return hub.fetchJson('/api/oauth/token', {
    body: { grant_type: 'client_credentials', client_id: agent.credentials.client_id, client_secret: agent.credentials.client_secret, ...(scope === undefined ? {} : { scope }) },
  });
}

export async function accessToken(hub: TestHub, agent: TestAgent, scope?: string): Promise<string> {
  const answer = await fetchToken(hub, agent, scope);
  if (answer.status !== 200) throw new Error(`token refused: ${JSON.stringify(answer.body)}`);
  return answer.body.access_token;
}

/** A socket authenticated with the agent's token (auth.token); rejects with the connect_error. */
export function connectAgent(hub: TestHub, token: string): Promise<ClientSocket> {
  const socket: ClientSocket = connectSocket(hub.url, { path: SOCKET_PATH, transports: ['websocket'], reconnection: false, auth: { token } });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (error) => {
      socket.close();
      reject(error);
    });
  });
}

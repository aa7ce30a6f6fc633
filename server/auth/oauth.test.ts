// The token endpoint and Bearer tokens against the real server: client credentials (RFC 6749
// §4.4) in JSON, form and HTTP Basic; refusals per §5.2; tokens verify with the published JWKS;
// expired, forged, foreign-key and alg:none tokens are refused on REST and Socket.IO.
import { generateKeyPair, SignJWT, UnsecuredJWT, createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JSONWebKeySet } from 'jose';
import { startTestHub } from '../testing/hub';
import type { TestHub, TestUser } from '../testing/hub';
import { accessToken, connectAgent, fetchToken, registerTestAgent } from '../services/agents-testing';
import type { TestAgent } from '../services/agents-testing';
import { createSigningKeys } from './jwks';
import { createOAuthServer, TOKEN_AUDIENCE, TOKEN_ISSUER } from './oauth';

let hub: TestHub;
let owner: TestUser;
let agent: TestAgent;

beforeAll(async () => {
  hub = await startTestHub();
  owner = await hub.signUp('owner');
  // Delegated 4 minutes ago (inside the admission skew), so a clock 3 minutes back sees it live.
  agent = await registerTestAgent(hub, owner, { scopes: ['read', 'post'], delegatedAt: new Date(Date.now() - 4 * 60_000) });
});

afterAll(async () => {
  await hub.close();
});

function form(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString();
}

describe('POST /api/oauth/token', () => {
  it('issues a short-lived EdDSA JWT with the standard claims, verifiable with the published JWKS', async () => {
    const answer = await fetchToken(hub, agent);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('cache-control')).toBe('no-store');
    expect(answer.body).toMatchObject({ token_type: 'Bearer', expires_in: 600, scope: 'read post' });
    const header = decodeProtectedHeader(answer.body.access_token);
    expect(header).toMatchObject({ alg: 'EdDSA', typ: 'at+jwt', kid: expect.any(String) as string });
    const jwks = await hub.fetchJson<JSONWebKeySet>('/.well-known/jwks.json');
    expect(jwks.status).toBe(200);
    expect(jwks.body.keys.map((key) => key.kid)).toContain(header.kid);
    expect(jwks.body.keys.every((key) => key.d === undefined)).toBe(true);
    const { payload } = await jwtVerify(answer.body.access_token, createLocalJWKSet(jwks.body), { issuer: TOKEN_ISSUER, audience: TOKEN_AUDIENCE });
    expect(payload).toMatchObject({ sub: agent.identity.did, agent_did: agent.identity.did, owner_did: owner.identity.did, scope: 'read post', client_id: agent.credentials.client_id });
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(600);
    expect(payload.jti).toEqual(expect.any(String));
  });

  it('accepts a form body and HTTP Basic client authentication, and a narrower scope', async () => {
    const viaForm = await hub.fetchJson<{ scope: string }>('/api/oauth/token', {
      body: form({ grant_type: 'client_credentials', client_id: agent.credentials.client_id, client_secret: agent.credentials.client_secret, scope: 'read' }),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(viaForm).toMatchObject({ status: 200, body: { scope: 'read' } });
    const basic = Buffer.from(`${agent.credentials.client_id}:${agent.credentials.client_secret}`).toString('base64');
    const viaBasic = await hub.fetchJson<{ scope: string }>('/api/oauth/token', {
      body: form({ grant_type: 'client_credentials' }),
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${basic}` },
    });
    expect(viaBasic).toMatchObject({ status: 200, body: { scope: 'read post' } });
  });

  it('refuses a bad secret, an unknown client, a wrong grant type, scope widening and a pending agent', async () => {
    const bad = await hub.fetchJson('/api/oauth/token', { body: { grant_type: 'client_credentials', client_id: agent.credentials.client_id, client_secret: 'not-the-secret' } });
    expect(bad).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
    const unknown = await hub.fetchJson('/api/oauth/token', { body: { grant_type: 'client_credentials', client_id: 'agt_nobody', client_secret: agent.credentials.client_secret } });
    expect(unknown).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
    const grant = await hub.fetchJson('/api/oauth/token', { body: { grant_type: 'password', client_id: agent.credentials.client_id, client_secret: agent.credentials.client_secret } });
    expect(grant).toMatchObject({ status: 400, body: { error: 'unsupported_grant_type' } });
    expect(await fetchToken(hub, agent, 'read post react')).toMatchObject({ status: 400, body: { error: 'invalid_scope' } });
    expect(await fetchToken(hub, agent, 'read admin')).toMatchObject({ status: 400, body: { error: 'invalid_scope' } });
    const noBody = await hub.fetchJson('/api/oauth/token', { body: 'grant_type=client_credentials', headers: { 'content-type': 'text/plain' } });
    expect(noBody).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
    const pending = await registerTestAgent(hub, owner, { delegate: false });
    expect(await fetchToken(hub, pending)).toMatchObject({ status: 400, body: { error: 'unauthorized_client' } });
  });
});

describe('Bearer tokens', () => {
  it('reads and submits with a good token; refuses expired, forged, foreign and alg:none tokens', async () => {
    const token = await accessToken(hub, agent);
    const auth = (value: string) => ({ authorization: `Bearer ${value}` });
    expect((await hub.fetchJson('/api/v1/hubs', { headers: auth(token) })).status).toBe(200);

    // Expired: a one-minute token the hub's keys issued three minutes ago (a clock in the past).
    const past = () => new Date(Date.now() - 3 * 60_000);
    const pastServer = createOAuthServer({ agents: hub.ctx.agents, keys: createSigningKeys({ prisma: hub.ctx.prisma, secret: hub.ctx.secret, now: past, tokenLifetimeMs: 60_000 }), now: past, tokenLifetimeS: 60 });
    const old = await pastServer.token({ grant_type: 'client_credentials', client_id: agent.credentials.client_id, client_secret: agent.credentials.client_secret }, undefined);
    expect(old.status).toBe(200);
    const expired = (old.body as { access_token: string }).access_token;
    expect(await hub.fetchJson('/api/v1/hubs', { headers: auth(expired) })).toMatchObject({ status: 401, body: { error: { code: 'invalid_token', message: expect.stringContaining('expired') as string } } });

    // Forged: the payload widened (scope) under the original signature.
    const [head, body, sig] = token.split('.') as [string, string, string];
    const claims = decodeJwt(token);
    const widened = Buffer.from(JSON.stringify({ ...claims, scope: 'read post react moderate' })).toString('base64url');
    expect(await hub.fetchJson('/api/v1/hubs', { headers: auth(`${head}.${widened}.${sig}`) })).toMatchObject({ status: 401, body: { error: { code: 'invalid_token' } } });
    expect(body).not.toBe(widened);

    // Signed by a key that is not ours, under our kid.
    const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    const foreign = await new SignJWT({ ...claims }).setProtectedHeader({ alg: 'EdDSA', typ: 'at+jwt', kid: decodeProtectedHeader(token).kid ?? '' }).sign(privateKey);
    expect(await hub.fetchJson('/api/v1/hubs', { headers: auth(foreign) })).toMatchObject({ status: 401, body: { error: { code: 'invalid_token' } } });

    // alg: none (RFC 7519 §6): an unsecured JWT with the same claims.
    const unsecured = new UnsecuredJWT({ ...claims }).encode();
    expect(await hub.fetchJson('/api/v1/hubs', { headers: auth(unsecured) })).toMatchObject({ status: 401, body: { error: { code: 'invalid_token' } } });
    expect(await hub.fetchJson('/api/v1/hubs', { headers: auth('not a token at all') })).toMatchObject({ status: 401, body: { error: { code: 'invalid_token' } } });

    // The same refusals on the Socket.IO handshake.
    for (const bad of [expired, foreign, unsecured]) {
      await expect(connectAgent(hub, bad)).rejects.toMatchObject({ message: 'invalid_token' });
    }
    const socket = await connectAgent(hub, token);
    expect(socket.connected).toBe(true);
    socket.close();
  });

  it('lets a Bearer token submit proofs and read, but not act as its owner elsewhere', async () => {
    const token = await accessToken(hub, agent, 'post');
    const auth = { authorization: `Bearer ${token}` };
    expect(await hub.fetchJson('/api/v1/hubs', { headers: auth })).toMatchObject({ status: 403, body: { error: { code: 'insufficient_scope' } } });
    expect(await hub.fetchJson('/api/v1/hubs', { body: { id: 'botland', name: 'Bots' }, headers: auth })).toMatchObject({ status: 403, body: { error: { code: 'forbidden' } } });
    const identity = await agent.identity.identity('Helper bot');
    expect(await hub.fetchJson('/api/v1/proofs', { body: { proof: identity }, headers: auth })).toMatchObject({ status: 201 });
    const post = await agent.identity.post('public', { title: 'from a bot', body: 'hello over REST' });
    expect(await hub.fetchJson('/api/v1/proofs', { body: post, headers: auth })).toMatchObject({ status: 201, body: { id: post.proof.id } });
  });
});

// REST routes of the agent features (docs/agents.md): the OAuth2 token endpoint, the JWK Set, the
// owner's agent registry, and the agent page's data. Also the Bearer side of every other route:
// server/http/routes.ts asks `agentUserId` who a Bearer token speaks for.
import { registerAgentRequestSchema, JWKS_PATH, TOKEN_PATH } from '@/lib/protocol/agents';
import { didKeySchema } from '@/lib/crypto/did-key';
import { bearerToken } from '../auth/oauth';
import { readSessionUserId } from '../auth/session';
import type { AppContext } from '../context';
import { refuse } from '../errors';
import type { AgentPrincipal } from '../services/agents';
import { listHubs } from '../services/hubs';
import { buildItems, proofRowSelect } from '../services/read-model';
import { ApiFailure, failureResponse, parseWith, respond } from './router';
import type { ApiRequest, ApiResponse, Router } from './router';

/** Items listed on an agent's page. */
export const AGENT_ACTIVITY_LIMIT = 50;

const principals = new WeakMap<ApiRequest, Promise<AgentPrincipal | null>>();

/**
 * The agent behind `Authorization: Bearer …`, verified once per request (signature, alg, iss,
 * aud, exp and the registry); null without a Bearer header. A bad token is refused, never
 * treated as anonymous (RFC 6750 §3.1).
 */
export function bearerPrincipal(ctx: AppContext, request: ApiRequest): Promise<AgentPrincipal | null> {
  let found = principals.get(request);
  if (found === undefined) {
    found = (async () => {
      const header = request.headers.authorization;
      if (header === undefined || !/^bearer\b/i.test(header.trim())) return null;
      const token = bearerToken(header);
      if (token === null || token === 'malformed') throw new ApiFailure({ code: 'invalid_token', message: 'send Authorization: Bearer <access token>' });
      const verified = await ctx.agents.oauth.verify(token.token);
      if (!verified.ok) throw new ApiFailure(verified.error);
      return verified.value;
    })();
    principals.set(request, found);
  }
  return found;
}

/**
 * The account a Bearer request acts as: the owner's for reads with the `read` scope (private hubs
 * the owner belongs to included) and for proof submission (the ingest applies the agent rules);
 * any other write is the owner's alone. undefined: no Bearer header (use the session).
 */
export async function agentUserId(ctx: AppContext, request: ApiRequest): Promise<string | undefined> {
  const agent = await bearerPrincipal(ctx, request);
  if (agent === null) return undefined;
  if (request.method === 'POST' && request.url.pathname === '/api/v1/proofs') return agent.userId;
  if (request.method !== 'GET') throw new ApiFailure({ code: 'forbidden', message: 'an agent token submits proofs and reads; other writes are its owner\'s' });
  if (!agent.scopes.includes('read')) throw new ApiFailure({ code: 'insufficient_scope', message: 'the access token lacks the "read" scope' });
  return agent.userId;
}

/** Parses an OAuth2 token request body: application/x-www-form-urlencoded (RFC 6749 §4.4.2) or JSON. */
async function tokenRequestBody(request: ApiRequest): Promise<unknown> {
  const type = request.headers['content-type'] ?? '';
  const raw = await request.readRawBody();
  if (/^application\/json\b/i.test(type)) {
    try {
      return JSON.parse(raw.toString('utf8')) as unknown;
    } catch {
      return undefined;
    }
  }
  if (/^application\/x-www-form-urlencoded\b/i.test(type)) {
    const params = new URLSearchParams(raw.toString('utf8'));
    const body: Record<string, string> = {};
    for (const [key, value] of params) {
      // RFC 6749 §3.1: a parameter sent twice is an error; the schema refuses the array marker.
      if (key in body) return undefined;
      body[key] = value;
    }
    return body;
  }
  return undefined;
}

async function sessionOrNull(ctx: AppContext, request: ApiRequest): Promise<string | null> {
  return readSessionUserId(request.headers.cookie, ctx.secret);
}

export function registerAgentRoutes(router: Router, ctx: AppContext, write: (handler: (request: ApiRequest) => Promise<ApiResponse>) => (request: ApiRequest) => Promise<ApiResponse>): void {
  router
    .add('POST', TOKEN_PATH, async (request) => {
      const answer = await ctx.agents.oauth.token(await tokenRequestBody(request), request.headers.authorization);
      return { status: answer.status, body: answer.body, headers: answer.headers };
    })
    .add('GET', JWKS_PATH, async () => ({ status: 200, body: await ctx.agents.oauth.jwks(), headers: { 'cache-control': 'public, max-age=300' } }))

    // The owner's registry: cookie sessions only (an agent does not register agents).
    .add('POST', '/api/v1/agents', write(async (request) => {
      const userId = await sessionOrNull(ctx, request);
      if (userId === null) return failureResponse(refuse('not_signed_in', 'sign in to register an agent').error);
      const body = parseWith(registerAgentRequestSchema, await request.readBody());
      return respond(await ctx.agents.register(userId, body), 201);
    }))
    .add('GET', '/api/v1/agents', async (request) => {
      const userId = await sessionOrNull(ctx, request);
      if (userId === null) return failureResponse(refuse('not_signed_in', 'sign in to list your agents').error);
      return { status: 200, body: { agents: await ctx.agents.list(userId) } };
    })
    .add('GET', '/api/v1/agents/by-did/:did', async (request) => {
      const did = parseWith(didKeySchema, request.params.did);
      const agent = await ctx.agents.getByDid(did);
      return agent === null ? failureResponse(refuse('unknown_agent', `no agent ${did}`).error) : { status: 200, body: { agent } };
    })
    // The agent page: the agent, its owner, and its latest proofs in hubs the viewer may read.
    .add('GET', '/api/v1/agents/:id', async (request) => {
      const id = request.params.id ?? '';
      const agent = /^[0-9a-f-]{36}$/.test(id) ? await ctx.agents.get(id) : null;
      if (agent === null) return failureResponse(refuse('unknown_agent', `no agent ${id}`).error);
      const viewer = (await agentUserId(ctx, request)) ?? (await sessionOrNull(ctx, request));
      const hubs = (await listHubs(ctx.prisma, viewer)).map((hub) => hub.id);
      const rows = await ctx.prisma.proof.findMany({ where: { issuer: agent.did, hub: { in: hubs } }, orderBy: { logIndex: 'desc' }, take: AGENT_ACTIVITY_LIMIT, select: proofRowSelect });
      const viewerDid = viewer === null ? null : ((await ctx.prisma.user.findUnique({ where: { id: viewer }, select: { did: true } }))?.did ?? null);
      return { status: 200, body: { agent, activity: await buildItems(ctx.prisma, rows, viewerDid) } };
    });
}

/** Paths the agent routes own outside /api/v1 (server/http/routes.ts isApiPath). */
export function isAgentApiPath(path: string): boolean {
  return path === TOKEN_PATH || path === JWKS_PATH || path.startsWith('/api/oauth/');
}

// The REST API (docs/api.md): thin handlers that parse with the lib/protocol schemas, resolve the
// session, call a service and answer. Every route is here, in one table.
import type { IncomingMessage } from 'node:http';
import { proofIdSchema } from '@/lib/protocol/events';
import { addMemberRequestSchema, bindIdentityRequestSchema, createHubRequestSchema, signupRequestSchema, submitProofRequestSchema, threadsQuerySchema } from '@/lib/protocol/rest';
import { didKeySchema } from '@/lib/crypto/did-key';
import { readSessionUserId } from '../auth/session';
import { loadAnchor } from '../chain/anchors';
import { chainServiceOf } from '../chain/registry';
import type { AppContext } from '../context';
import { refuse } from '../errors';
import { addMember, createHub, getHub, listHubs } from '../services/hubs';
import { getIdentityView } from '../services/identities';
import { getProof, getThread, listThreads } from '../services/threads';
import type { Viewer } from '../services/threads';
import { getMe } from '../services/users';
import { agentUserId, bearerPrincipal, isAgentApiPath, registerAgentRoutes } from './agent-routes';
import { registerBundleRoutes } from './bundle-routes';
import { registerChainRoutes } from './chain-routes';
import { registerModerationRoutes } from './moderation-routes';
import { ApiFailure, Router, failureResponse, parseWith, respond } from './router';
import type { ApiRequest, ApiResponse } from './router';

async function sessionUserId(ctx: AppContext, request: ApiRequest): Promise<string | null> {
  return (await agentUserId(ctx, request)) ?? readSessionUserId(request.headers.cookie, ctx.secret);
}

async function viewerOf(ctx: AppContext, request: ApiRequest): Promise<Viewer> {
  const userId = await sessionUserId(ctx, request);
  if (userId === null) return { userId: null, did: null };
  const user = await ctx.prisma.user.findUnique({ where: { id: userId }, select: { did: true } });
  return user === null ? { userId: null, did: null } : { userId, did: user.did };
}

/**
 * Cookie-authenticated writes must come from our own pages: a browser always sends Origin on
 * cross-site POSTs, so an Origin naming another host is refused (agents and curl send none).
 */
function checkOrigin(request: ApiRequest): void {
  const origin = request.headers.origin;
  if (origin === undefined || origin === 'null') return;
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    throw new ApiFailure({ code: 'forbidden', message: 'unreadable Origin header' });
  }
  if (host !== request.headers.host) throw new ApiFailure({ code: 'forbidden', message: `cross-site request from ${origin} refused` });
}

function query(request: ApiRequest): Record<string, string> {
  return Object.fromEntries(request.url.searchParams);
}

export async function health(ctx: AppContext): Promise<ApiResponse> {
  const body = { ok: true, database: ctx.db.kind, version: ctx.version, uptime_s: Math.round((Date.now() - ctx.startedAt.getTime()) / 1000) };
  try {
    await ctx.prisma.$queryRawUnsafe('SELECT 1');
    return { status: 200, body };
  } catch {
    return { status: 503, body: { ...body, ok: false } };
  }
}

export function createApiRouter(ctx: AppContext): Router {
  const router = new Router((error) => ctx.logger.error({ err: error }, 'request failed'));
  const write = (handler: (request: ApiRequest) => Promise<ApiResponse>) => async (request: ApiRequest) => {
    checkOrigin(request);
    return handler(request);
  };

  router
    .add('GET', '/health', () => health(ctx))
    .add('GET', '/api/v1/health', () => health(ctx))

    .add('POST', '/api/v1/auth/signup', write(async (request) => {
      const body = parseWith(signupRequestSchema, await request.readBody());
      return respond(await ctx.users.signup(body, request.address), 201, (user) => ({ user }));
    }))
    .add('GET', '/api/v1/me', async (request) => {
      const userId = await sessionUserId(ctx, request);
      const me = userId === null ? null : await getMe(ctx.prisma, userId);
      return me === null ? failureResponse(refuse('not_signed_in', 'no session').error) : { status: 200, body: me };
    })
    .add('POST', '/api/v1/identities/bind', write(async (request) => {
      const body = parseWith(bindIdentityRequestSchema, await request.readBody());
      return respond(await ctx.users.bindIdentity(await sessionUserId(ctx, request), body.identity), 200, (user) => ({ user }));
    }))
    .add('GET', '/api/v1/identities/:did', async (request) => {
      const did = parseWith(didKeySchema, request.params.did);
      const view = await getIdentityView(ctx.prisma, did);
      return view === null ? failureResponse(refuse('not_found', `no identity ${did} on this hub`).error) : { status: 200, body: view };
    })

    .add('POST', '/api/v1/proofs', write(async (request) => {
      const body = parseWith(submitProofRequestSchema, await request.readBody());
      const result = await ctx.ingest.submit(body, (await bearerPrincipal(ctx, request)) ?? (await sessionUserId(ctx, request)));
      return respond(result, result.ok && result.value.duplicate ? 200 : 201);
    }))
    .add('GET', '/api/v1/proofs/:id', async (request) => {
      const id = parseWith(proofIdSchema, request.params.id);
      const result = await getProof(ctx.prisma, id, await viewerOf(ctx, request));
      const anchor = result.ok ? await loadAnchor(ctx.prisma, id) : null;
      return respond(result, 200, (item) => ({ proof: item.proof, content: item.content, status: item.view.status, view: item.view, anchor }));
    })

    .add('GET', '/api/v1/hubs', async (request) => ({ status: 200, body: { hubs: await listHubs(ctx.prisma, await sessionUserId(ctx, request)) } }))
    .add('POST', '/api/v1/hubs', write(async (request) => {
      const body = parseWith(createHubRequestSchema, await request.readBody());
      return respond(await createHub(ctx.prisma, await sessionUserId(ctx, request), body), 201, (hub) => ({ hub }));
    }))
    .add('GET', '/api/v1/hubs/:hub', async (request) => respond(await getHub(ctx.prisma, request.params.hub ?? '', await sessionUserId(ctx, request)), 200, (hub) => ({ hub })))
    .add('POST', '/api/v1/hubs/:hub/members', write(async (request) => {
      const body = parseWith(addMemberRequestSchema, await request.readBody());
      return respond(await addMember(ctx.prisma, await sessionUserId(ctx, request), request.params.hub ?? '', body.username), 201);
    }))
    .add('GET', '/api/v1/hubs/:hub/threads', async (request) => {
      const page = parseWith(threadsQuerySchema, query(request));
      return respond(await listThreads(ctx.prisma, request.params.hub ?? '', await viewerOf(ctx, request), page));
    })

    .add('GET', '/api/v1/threads/:id', async (request) => {
      const id = parseWith(proofIdSchema, request.params.id);
      return respond(await getThread(ctx.prisma, id, await viewerOf(ctx, request), chainServiceOf(ctx)?.mirror ?? null));
    });
  registerModerationRoutes(router, ctx, write);
  registerAgentRoutes(router, ctx, write);
  registerChainRoutes(router, ctx);
  registerBundleRoutes(router, ctx, write);
  return router;
}

/** True for paths the API router owns (anything else goes to Next). */
export function isApiPath(req: IncomingMessage): boolean {
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  return path === '/health' || path === '/api/v1' || path.startsWith('/api/v1/') || isAgentApiPath(path);
}

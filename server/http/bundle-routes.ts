// Bundle REST routes (docs/bundles.md): GET /api/v1/bundles?thread=ID or ?hub=HUB[&cursor=&limit=]
// exports (readers of the hub only), POST /api/v1/import loads a batch (admin session).
import { z } from 'zod';
import { proofIdSchema } from '@/lib/proof/schema';
import { hubIdSchema } from '@/lib/proof/schema';
import { readSessionUserId } from '../auth/session';
import type { AppContext } from '../context';
import { exportHubBundlePage, exportThreadBundle, HUB_PAGE_DEFAULT, HUB_PAGE_MAX } from '../services/bundles';
import { importBatch, importRequestSchema } from '../services/import';
import { ApiFailure, parseWith, respond } from './router';
import type { ApiRequest, ApiResponse, Router } from './router';

type WriteGuard = (handler: (request: ApiRequest) => Promise<ApiResponse>) => (request: ApiRequest) => Promise<ApiResponse>;

const bundleQuerySchema = z.strictObject({
  thread: proofIdSchema.optional(),
  hub: hubIdSchema.optional(),
  cursor: z.string().regex(/^\d{1,16}$/).optional(),
  limit: z.coerce.number().int().min(1).max(HUB_PAGE_MAX).default(HUB_PAGE_DEFAULT),
});

export function registerBundleRoutes(router: Router, ctx: AppContext, write: WriteGuard): void {
  const session = (request: ApiRequest) => readSessionUserId(request.headers.cookie, ctx.secret);
  router
    .add('GET', '/api/v1/bundles', async (request) => {
      const query = parseWith(bundleQuerySchema, Object.fromEntries(request.url.searchParams));
      if ((query.thread === undefined) === (query.hub === undefined)) throw new ApiFailure({ code: 'invalid_request', message: 'give exactly one of thread=ID or hub=HUB' });
      const viewer = { userId: await session(request), did: null };
      const source = `${request.url.origin}${request.url.pathname}${request.url.search}`;
      if (query.thread !== undefined) return respond(await exportThreadBundle(ctx, query.thread, viewer, source));
      return respond(await exportHubBundlePage(ctx, query.hub as string, viewer, { limit: query.limit, ...(query.cursor === undefined ? {} : { cursor: query.cursor }) }, source));
    })
    .add('POST', '/api/v1/import', write(async (request) => {
      const body = parseWith(importRequestSchema, await request.readBody());
      return respond(await importBatch(ctx, await session(request), body));
    }));
}

// The HTTP side of observability: every request gets a request id (the client's X-Request-Id
// when sane, echoed back), a log scope, a line in proofhub_http_requests_total and the duration
// histogram; GET /metrics (Prometheus text) and GET /ready (can this instance take traffic?) are
// answered here, before the REST router.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AppContext } from '../context';
import { readMigrations } from '../db/migrate';
import { clientAddress } from './client-address';
import { requestIdFrom, withLogScope } from './logging';
import { METRICS_CONTENT_TYPE, metrics, renderMetrics } from './metrics';

export type ReadinessResult = { ok: true; detail?: unknown } | { ok: false; message: string; detail?: unknown };
export type ReadinessCheck = () => Promise<ReadinessResult>;

const extraChecks = new WeakMap<AppContext, Map<string, ReadinessCheck>>();

/**
 * Adds a named check to GET /ready for this context (the chain follower reports its state this
 * way). Returns a function that removes it.
 */
export function addReadinessCheck(ctx: AppContext, name: string, check: ReadinessCheck): () => void {
  let checks = extraChecks.get(ctx);
  if (checks === undefined) {
    checks = new Map();
    extraChecks.set(ctx, checks);
  }
  checks.set(name, check);
  const registered = checks;
  return () => {
    if (registered.get(name) === check) registered.delete(name);
  };
}

const STATIC_SEGMENTS = new Set(['api', 'v1', 'auth', 'signup', 'me', 'identities', 'bind', 'proofs', 'hubs', 'members', 'threads', 'health', 'agents', 'tokens', 'badges', 'bundles', 'moderation', 'chain', 'status']);

/**
 * The route label of a request: bounded, so a crawler cannot grow the metric's label set. REST
 * paths keep their static segments and name the rest `:param`; pages are all `next`.
 */
export function routeLabel(url: string | undefined): string {
  const path = (url ?? '/').split('?')[0] ?? '/';
  if (path === '/health' || path === '/ready' || path === '/metrics') return path;
  if (path.startsWith('/_next/')) return 'next_static';
  if (!path.startsWith('/api/')) return 'next';
  const segments = path.split('/').filter(Boolean).slice(0, 6);
  return `/${segments.map((segment) => (STATIC_SEGMENTS.has(segment) ? segment : ':param')).join('/')}`;
}

let migrationNames: Promise<string[]> | null = null;

async function checkMigrations(ctx: AppContext): Promise<ReadinessResult> {
  migrationNames ??= readMigrations().then((list) => list.map((migration) => migration.name));
  const known = await migrationNames;
  const rows = await ctx.prisma.$queryRawUnsafe<{ name: string }[]>('SELECT name FROM _proofhub_migrations');
  const applied = new Set(rows.map((row) => row.name));
  const pending = known.filter((name) => !applied.has(name));
  return pending.length === 0 ? { ok: true, detail: { applied: applied.size } } : { ok: false, message: `migrations not applied: ${pending.join(', ')}`, detail: { pending } };
}

async function runCheck(check: () => Promise<ReadinessResult>): Promise<ReadinessResult> {
  try {
    return await check();
  } catch (error) {
    return { ok: false, message: error instanceof Error ? error.message : String(error) };
  }
}

/** GET /ready: 200 when the database answers, every migration is applied and every added check passes. */
export async function readiness(ctx: AppContext): Promise<{ status: number; body: { ready: boolean; checks: Record<string, ReadinessResult> } }> {
  const checks: Record<string, ReadinessResult> = {};
  checks.database = await runCheck(async () => {
    await ctx.prisma.$queryRawUnsafe('SELECT 1');
    return { ok: true, detail: { kind: ctx.db.kind } };
  });
  checks.migrations = checks.database.ok ? await runCheck(() => checkMigrations(ctx)) : { ok: false, message: 'database unreachable' };
  for (const [name, check] of extraChecks.get(ctx) ?? []) checks[name] = await runCheck(check);
  const ready = Object.values(checks).every((result) => result.ok);
  return { status: ready ? 200 : 503, body: { ready, checks } };
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

/**
 * Runs one request under its id: the id is echoed in X-Request-Id and mixed into every log line
 * written while handling it; the answer is counted when the response finishes. /metrics and
 * /ready are answered here; every other request goes to `next`.
 */
export function observeRequest(ctx: AppContext, req: IncomingMessage, res: ServerResponse, next: () => Promise<void>): Promise<void> {
  const reqId = requestIdFrom(req.headers['x-request-id']);
  res.setHeader('x-request-id', reqId);
  const route = routeLabel(req.url);
  const method = req.method ?? 'GET';
  const stopTimer = metrics.httpDuration.startTimer({ method, route });
  const started = process.hrtime.bigint();
  res.once('finish', () => {
    stopTimer();
    metrics.httpRequests.inc({ method, route, status: String(res.statusCode) });
    if (route !== 'next_static') {
      withLogScope({ reqId }, () => ctx.logger.info({ method, url: req.url, ip: clientAddress(req), status: res.statusCode, ms: Number(process.hrtime.bigint() - started) / 1e6 }, 'request'));
    }
  });
  return withLogScope({ reqId }, async () => {
    if (method === 'GET' && route === '/metrics') {
      if (!metricsAuthorized(req.headers.authorization, process.env.METRICS_TOKEN)) {
        res.setHeader('www-authenticate', 'Bearer realm="metrics"');
        sendJson(res, 401, { error: { code: 'not_signed_in', message: 'GET /metrics needs Authorization: Bearer <METRICS_TOKEN>' } });
        return;
      }
      res.writeHead(200, { 'content-type': METRICS_CONTENT_TYPE, 'cache-control': 'no-store' });
      res.end(await renderMetrics());
      return;
    }
    if (method === 'GET' && route === '/ready') {
      const { status, body } = await readiness(ctx);
      sendJson(res, status, body);
      return;
    }
    await next();
  });
}

/**
 * With METRICS_TOKEN set, /metrics answers only `Authorization: Bearer <token>` (RFC 6750 §2.1);
 * unset, anyone who reaches the port may scrape. Digests are compared, in constant time, so
 * neither the token's bytes nor its length leak through timing.
 */
export function metricsAuthorized(authorization: string | undefined, token: string | undefined): boolean {
  if (token === undefined || token === '') return true;
  const match = /^Bearer ([^\s]+)$/i.exec(authorization ?? '');
  if (match === null) return false;
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(match[1] ?? ''), digest(token));
}

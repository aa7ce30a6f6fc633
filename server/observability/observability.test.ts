// /metrics, /ready, request ids and the log scope on a real HTTP server (startTestHub: REST and
// Socket.IO on a fresh database): a post, a refused post and a socket show up in the metrics.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { startTestHub } from '../testing/hub';
import type { TestHub } from '../testing/hub';
import { addReadinessCheck, routeLabel } from './http';
import { createLogger, withLogScope } from './logging';
import { renderMetrics } from './metrics';
import { openDatabase } from '../db/database';
import { createPostgresDatabase } from '../testing/database';

const PG_TEST_URL = process.env.PG_TEST_URL;

let hub: TestHub;

beforeAll(async () => {
  hub = await startTestHub();
});

afterAll(async () => {
  await hub.close();
});

/** The value of one sample line of the exposition, 0 when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const labelPart = line.slice(name.length).split(' ')[0] ?? '';
    if (wanted.every((pair) => labelPart.includes(pair))) return Number(line.split(' ').at(-1));
  }
  return 0;
}

async function scrape(): Promise<string> {
  const response = await fetch(`${hub.url}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
  return response.text();
}

describe('metrics', () => {
  it('asks for the bearer token when METRICS_TOKEN is set', async () => {
    process.env.METRICS_TOKEN = 'scrape-secret-0123456789';
    try {
      const anonymous = await fetch(`${hub.url}/metrics`);
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect(await anonymous.text()).not.toContain('proofhub_');
      expect((await fetch(`${hub.url}/metrics`, { headers: { authorization: 'Bearer wrong-token' } })).status).toBe(401);
      const scraped = await fetch(`${hub.url}/metrics`, { headers: { authorization: 'Bearer scrape-secret-0123456789' } });
      expect(scraped.status).toBe(200);
      expect(await scraped.text()).toContain('proofhub_http_requests_total');
    } finally {
      delete process.env.METRICS_TOKEN;
    }
  });

  it('counts requests, sockets, broadcasts, accepted and refused proofs', async () => {
    const before = await scrape();
    const alice = await hub.signUp('alice');
    const socket = await hub.connect(alice.cookie);
    const post = await alice.identity.post('public', { body: 'counted' });
    expect((await hub.fetchJson('/api/v1/proofs', { body: post, cookie: alice.cookie })).status).toBe(201);
    const forged = await alice.identity.post('public', { body: 'forged' }, { advance: false });
    forged.proof.sig = forged.proof.sig.replace(/^./, (c) => (c === 'A' ? 'B' : 'A'));
    const refused = await hub.fetchJson<{ error: { code: string } }>('/api/v1/proofs', { body: forged, cookie: alice.cookie });
    expect(refused).toMatchObject({ status: 422, body: { error: { code: 'bad_signature' } } });
    await hub.fetchJson('/api/v1/hubs/public/threads');

    const after = await scrape();
    const delta = (name: string, labels: Record<string, string> = {}) => sample(after, name, labels) - sample(before, name, labels);
    expect(delta('proofhub_proofs_accepted_total', { type: 'post', duplicate: 'false' })).toBe(1);
    expect(delta('proofhub_proofs_accepted_total', { type: 'identity' })).toBe(1);
    expect(delta('proofhub_proofs_refused_total', { code: refused.body.error.code })).toBe(1);
    expect(delta('proofhub_events_emitted_total', { event: 'proof:new' })).toBe(2);
    expect(delta('proofhub_http_requests_total', { method: 'POST', route: '/api/v1/proofs', status: '201' })).toBe(1);
    expect(delta('proofhub_http_requests_total', { method: 'GET', route: '/api/v1/hubs/:param/threads', status: '200' })).toBe(1);
    expect(sample(after, 'proofhub_sockets_connected')).toBeGreaterThanOrEqual(1);
    expect(after).toContain('# TYPE proofhub_anchor_latency_seconds histogram');
    expect(after).toContain('proofhub_process_resident_memory_bytes');

    socket.disconnect();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(sample(await scrape(), 'proofhub_sockets_connected')).toBe(sample(after, 'proofhub_sockets_connected') - 1);
  });

  it('labels routes with bounded patterns', () => {
    expect(routeLabel('/api/v1/proofs/abc123?x=1')).toBe('/api/v1/proofs/:param');
    expect(routeLabel('/api/v1/identities/did:key:z6Mk')).toBe('/api/v1/identities/:param');
    expect(routeLabel('/hubs/public')).toBe('next');
    expect(routeLabel('/_next/static/chunk.js')).toBe('next_static');
    expect(routeLabel('/api/a/b/c/d/e/f/g/h/i')).toBe('/api/:param/:param/:param/:param/:param');
  });

  it.runIf(PG_TEST_URL !== undefined && PG_TEST_URL !== '')('reports the PostgreSQL pool sized by poolMax: total, idle, waiting', async () => {
    const { url, drop } = await createPostgresDatabase();
    const db = await openDatabase({ kind: 'postgres', url, poolMax: 2 });
    try {
      const sleeping = Array.from({ length: 5 }, () => db.prisma.$queryRawUnsafe('SELECT 1 AS one FROM pg_sleep(0.3)').then(() => undefined));
      await new Promise((resolve) => setTimeout(resolve, 100));
      const busy = await renderMetrics();
      expect(sample(busy, 'proofhub_db_pool_connections', { pool: 'main', state: 'total' })).toBe(2);
      expect(sample(busy, 'proofhub_db_pool_connections', { pool: 'main', state: 'waiting' })).toBe(3);
      await Promise.all(sleeping);
      expect(sample(await renderMetrics(), 'proofhub_db_pool_connections', { pool: 'main', state: 'idle' })).toBe(2);
    } finally {
      await db.close();
      await drop();
    }
    expect(await renderMetrics()).not.toContain('proofhub_db_pool_connections{pool="main"');
  });
});

describe('ready and request ids', () => {
  it('is ready with the database up and every migration applied; an added check can make it unready', async () => {
    const ready = await hub.fetchJson<{ ready: boolean; checks: Record<string, { ok: boolean }> }>('/ready');
    expect(ready).toMatchObject({ status: 200, body: { ready: true, checks: { database: { ok: true }, migrations: { ok: true } } } });
    const remove = addReadinessCheck(hub.ctx, 'follower', () => Promise.resolve({ ok: false, message: 'no lease yet' }));
    expect(await hub.fetchJson('/ready')).toMatchObject({ status: 503, body: { ready: false, checks: { follower: { ok: false, message: 'no lease yet' } } } });
    remove();
    expect((await hub.fetchJson('/ready')).status).toBe(200);
  });

  it('echoes a sane X-Request-Id and makes one otherwise', async () => {
    const echoed = await hub.fetchJson('/health', { headers: { 'x-request-id': 'trace-42.a' } });
    expect(echoed.headers.get('x-request-id')).toBe('trace-42.a');
    const made = await hub.fetchJson('/health', { headers: { 'x-request-id': 'bad id\twith spaces' } });
    expect(made.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('writes JSON lines carrying the scope id', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        lines.push(chunk.toString('utf8'));
        callback();
      },
    });
    const logger = createLogger('info', sink);
    await withLogScope({ reqId: 'r-1' }, async () => {
      await Promise.resolve();
      logger.info({ step: 'inside' }, 'scoped');
    });
    logger.info('outside');
    const [inside, outside] = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(inside).toMatchObject({ reqId: 'r-1', step: 'inside', msg: 'scoped', level: 30, service: 'proofhub-web' });
    expect(outside).not.toHaveProperty('reqId');
  });
});

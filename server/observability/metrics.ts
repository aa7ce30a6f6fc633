// Prometheus metrics of the web process (prom-client), served as text on GET /metrics
// (docs/operations.md, "Metrics"). One registry per process: every counter here is a fact about
// this process, and Prometheus sums instances itself. Other modules record through the exported
// `metrics` object; the chain follower observes `metrics.anchorLatency`.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** What the pool gauges read: pg.Pool has these three counters. */
export interface PoolStats {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
}

const pools = new Map<string, PoolStats>();

export const registry = new Registry();
collectDefaultMetrics({ register: registry, prefix: 'proofhub_' });

export const metrics = {
  httpRequests: new Counter({
    name: 'proofhub_http_requests_total',
    help: 'HTTP requests answered, by method, route pattern and status code.',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  }),
  httpDuration: new Histogram({
    name: 'proofhub_http_request_duration_seconds',
    help: 'Time from request to the end of the response, by method and route pattern.',
    labelNames: ['method', 'route'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  }),
  socketsConnected: new Gauge({
    name: 'proofhub_sockets_connected',
    help: 'Socket.IO connections open on this instance.',
    registers: [registry],
  }),
  socketConnections: new Counter({
    name: 'proofhub_socket_connections_total',
    help: 'Socket.IO connections accepted, by whether Socket.IO recovered the previous session.',
    labelNames: ['recovered'] as const,
    registers: [registry],
  }),
  eventsEmitted: new Counter({
    name: 'proofhub_events_emitted_total',
    help: 'Room broadcasts this instance emitted, by event name (rate() gives events/s). Each reaches every subscriber on every instance.',
    labelNames: ['event'] as const,
    registers: [registry],
  }),
  proofsReplayed: new Counter({
    name: 'proofhub_proofs_replayed_total',
    help: 'Proofs replayed to reconnecting clients by subscribe {since}.',
    registers: [registry],
  }),
  proofsAccepted: new Counter({
    name: 'proofhub_proofs_accepted_total',
    help: 'Proofs admitted (stored, or a duplicate of a stored one), by proof type.',
    labelNames: ['type', 'duplicate'] as const,
    registers: [registry],
  }),
  proofsRefused: new Counter({
    name: 'proofhub_proofs_refused_total',
    help: 'Proofs refused, by error code (docs/api.md, error codes).',
    labelNames: ['code'] as const,
    registers: [registry],
  }),
  /** Seconds from a proof's receipt to the commit that anchors it; the chain follower observes it. */
  anchorLatency: new Histogram({
    name: 'proofhub_anchor_latency_seconds',
    help: 'Seconds from a proof being stored to the chain commit that anchors it.',
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120],
    registers: [registry],
  }),
  /** The chain follower left a validator whose commit stream fell behind the others (follower.ts). */
  chainFollowerSwitches: new Counter({
    name: 'proofhub_chain_follower_switches_total',
    help: 'Times the commit follower left a validator whose stream adopted nothing while another reported a higher height.',
    registers: [registry],
  }),
  dbPool: new Gauge({
    name: 'proofhub_db_pool_connections',
    help: 'PostgreSQL pool connections by state: total (open), idle, waiting (queued clients).',
    labelNames: ['pool', 'state'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const [name, pool] of pools) {
        this.set({ pool: name, state: 'total' }, pool.totalCount);
        this.set({ pool: name, state: 'idle' }, pool.idleCount);
        this.set({ pool: name, state: 'waiting' }, pool.waitingCount);
      }
    },
  }),
};

export type Metrics = typeof metrics;

/** Reports a pool in proofhub_db_pool_connections until the returned function is called. */
export function watchPool(name: string, pool: PoolStats): () => void {
  pools.set(name, pool);
  return () => {
    if (pools.get(name) === pool) pools.delete(name);
  };
}

export const METRICS_CONTENT_TYPE = registry.contentType;

/** The Prometheus text exposition of every metric of this process. */
export function renderMetrics(): Promise<string> {
  return registry.metrics();
}

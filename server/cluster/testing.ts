// Helpers for tests and bench:load that drive a real cluster (server/cluster/launcher.ts): a fresh
// PostgreSQL database and Redis prefix per cluster, accounts made over REST, Socket.IO clients,
// and a client that follows a room across drops the way docs/operations.md tells clients to.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { io as connectSocket } from 'socket.io-client';
import type { Socket } from 'socket.io-client';
import type { ClientToServerEvents, ProofNewEvent, ProofStatus, ProofStatusEvent, ServerToClientEvents } from '@/lib/protocol/events';
import { SOCKET_PATH } from '@/lib/protocol/events';
import { createSessionCookie } from '../auth/session';
import { FOLLOWER_APPLICATION_NAME } from '../chain/leader-lock';
import { createPostgresDatabase } from '../testing/database';
import { TestIdentity } from '../testing/identities';
import { startCluster } from './launcher';
import type { Cluster, ClusterOptions } from './launcher';

export type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export interface TestCluster extends Cluster {
  secret: string;
  databaseUrl: string;
  signUp(username: string, baseUrl?: string): Promise<ClusterUser>;
  destroy(): Promise<void>;
}

export interface ClusterUser {
  id: string;
  username: string;
  identity: TestIdentity;
  cookie: string;
}

/** A cluster on a fresh database of the PG_TEST_URL server and its own prefix on REDIS_TEST_URL. */
export async function startTestCluster(options: Partial<Pick<ClusterOptions, 'instances' | 'env' | 'onLine'>> & { redisUrl: string } = { redisUrl: '' }): Promise<TestCluster> {
  const database = await createPostgresDatabase();
  const dataDir = await mkdtemp(join(tmpdir(), 'proofhub-cluster-'));
  const secret = randomBytes(32).toString('base64url');
  let cluster: Cluster;
  try {
    cluster = await startCluster({
      instances: options.instances ?? 2,
      databaseUrl: database.url,
      redisUrl: options.redisUrl,
      port: 0,
      next: false,
      dataDir,
      ...(options.onLine === undefined ? {} : { onLine: options.onLine }),
      startTimeoutS: 120,
      env: {
        LOG_LEVEL: 'warn',
        NEXTAUTH_SECRET: secret,
        REDIS_PREFIX: `proofhub-test-${randomBytes(4).toString('hex')}`,
        PROOFHUB_DEVNET: '0',
        PROOFHUB_RATE_POINTS: '100000',
        ...options.env,
      },
    });
  } catch (error) {
    await database.drop();
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
  return {
    ...cluster,
    secret,
    databaseUrl: database.url,
    async signUp(username, baseUrl = cluster.url) {
      const identity = new TestIdentity();
      const response = await fetch(`${baseUrl}/api/v1/auth/signup`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username, password: 'correct horse battery', identity: await identity.identity(username) }),
      });
      const body = (await response.json()) as { user?: { id: string } };
      if (response.status !== 201 || body.user === undefined) throw new Error(`sign-up failed (${response.status}): ${JSON.stringify(body)}`);
      return { id: body.user.id, username, identity, cookie: await createSessionCookie(body.user.id, username, secret) };
    },
    async destroy() {
      await cluster.close();
      await database.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** A Socket.IO client on the websocket transport (no stickiness needed), resolved once connected. */
export function connectClient(url: string, cookie?: string, options: { reconnection?: boolean } = {}): Promise<ClientSocket> {
  const socket: ClientSocket = connectSocket(url, {
    path: SOCKET_PATH,
    transports: ['websocket'],
    reconnection: options.reconnection ?? false,
    reconnectionDelay: 100,
    reconnectionDelayMax: 1000,
    forceNew: true,
    ...(cookie === undefined ? {} : { extraHeaders: { cookie } }),
  });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (error) => {
      socket.close();
      reject(error);
    });
  });
}

const STATUS_RANK: Record<ProofStatus, number> = { signed: 0, anchored: 1, verified: 2, invalid: 3 };

/**
 * Follows one hub room across drops, as docs/operations.md ("Reconnect catch-up") tells clients
 * to: every (re)connect subscribes with `since` = the highest log index received and
 * `status_since` = the highest status index (live proof:status and subscribe acks); a proof id,
 * or a proof's status, already received is dropped. `received` and `statuses` are what an
 * application would see; `duplicates` counts what the dedup dropped.
 */
export class RoomFollower {
  readonly received: ProofNewEvent[] = [];
  readonly statuses: ProofStatusEvent[] = [];
  duplicates = 0;
  readonly #seen = new Set<string>();
  #highest = 0;
  #statusSince = 0;
  #socket: ClientSocket | null = null;

  constructor(readonly hub: string) {}

  get highest(): number {
    return this.#highest;
  }

  get socket(): ClientSocket | null {
    return this.#socket;
  }

  /** Connects to `url` (the proxy or an instance) and subscribes, replaying what was missed. */
  async attach(url: string, cookie?: string, options: { reconnection?: boolean } = {}): Promise<{ replayed: number }> {
    const socket = await connectClient(url, cookie, options);
    this.#socket = socket;
    socket.on('proof:new', (event) => this.#receive(event));
    socket.on('proof:status', (event) => this.#receiveStatus(event));
    const replayed = await this.#subscribe(socket);
    // With reconnection on (the fault tests), a reconnect subscribes again from where it was.
    socket.io.on('reconnect', () => void this.#subscribe(socket).catch(() => undefined));
    return { replayed };
  }

  async #subscribe(socket: ClientSocket): Promise<number> {
    const cursors = { ...(this.#highest === 0 ? {} : { since: this.#highest }), ...(this.#statusSince === 0 ? {} : { status_since: this.#statusSince }) };
    const ack = await socket.emitWithAck('subscribe', { hub: this.hub, ...cursors });
    if (!ack.ok) throw new Error(`subscribe refused: ${ack.error.code} ${ack.error.message}`);
    this.#statusSince = Math.max(this.#statusSince, ack.data.status_index);
    return ack.data.replayed;
  }

  #receiveStatus(event: ProofStatusEvent): void {
    if (event.hub !== this.hub) return;
    if (event.status_index !== undefined) this.#statusSince = Math.max(this.#statusSince, event.status_index);
    const key = `${event.id} ${event.status}`;
    if (this.#seen.has(key)) {
      this.duplicates++;
      return;
    }
    this.#seen.add(key);
    this.statuses.push(event);
  }

  /** The proof's latest status as this client knows it (its view, then status events). */
  statusOf(id: string): ProofStatus | undefined {
    let status = this.received.find((event) => event.proof.id === id)?.view.status;
    for (const event of this.statuses) {
      if (event.id === id && (status === undefined || STATUS_RANK[event.status] > STATUS_RANK[status])) status = event.status;
    }
    return status;
  }

  #receive(event: ProofNewEvent): void {
    if (event.view.hub !== this.hub) return;
    if (this.#seen.has(event.proof.id)) {
      this.duplicates++;
      return;
    }
    this.#seen.add(event.proof.id);
    this.#highest = Math.max(this.#highest, event.view.log_index);
    this.received.push(event);
  }

  has(id: string): boolean {
    return this.#seen.has(id);
  }

  detach(): void {
    this.#socket?.disconnect();
    this.#socket = null;
  }
}

/** Resolves when `check` holds, polling every 20 ms; rejects after timeoutMs with `what`. */
export async function waitFor(check: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** PID of the process whose connection holds the chain follower's lock (server/chain/leader-lock.ts), or null. */
export async function followerPid(databaseUrl: string): Promise<number | null> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const rows = await client.query<{ name: string }>(
      `SELECT a.application_name AS name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
        WHERE l.locktype = 'advisory' AND l.granted AND a.datname = current_database() AND a.application_name LIKE $1`,
      [`${FOLLOWER_APPLICATION_NAME} pid=%`],
    );
    const pid = /pid=(\d+)$/.exec(rows.rows[0]?.name ?? '')?.[1];
    return pid === undefined ? null : Number(pid);
  } finally {
    await client.end();
  }
}

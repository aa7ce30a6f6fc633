// One web instance follows commits at a time. On PostgreSQL that is whoever holds a session
// advisory lock (pg_try_advisory_lock) on its own dedicated connection: when that process dies its
// connection closes, the lock is released, and the next instance's retry takes it over. PGlite is
// one process anyway: it always leads.
import pg from 'pg';
import type { Logger } from 'pino';

/** "phchain!" as ASCII, a 64-bit key distinct from the migration lock ("proofhub"). */
export const FOLLOWER_LOCK_KEY = '8099833229787885089';
/** application_name of the lock's connection, followed by ` pid=N`. */
export const FOLLOWER_APPLICATION_NAME = 'proofhub-chain-follower';

export interface LeaderLock {
  /** Calls onAcquire when this instance becomes the follower, onLose if its connection fails. */
  start(onAcquire: () => void, onLose: () => void): void;
  readonly held: boolean;
  close(): Promise<void>;
}

export function alwaysLeader(): LeaderLock {
  let held = false;
  return {
    start(onAcquire) {
      held = true;
      onAcquire();
    },
    get held() {
      return held;
    },
    close: () => Promise.resolve(),
  };
}

export function postgresLeaderLock(url: string, logger: Logger, retryMs = 2000): LeaderLock {
  let client: pg.Client | null = null;
  let held = false;
  let closed = false;
  let timer: NodeJS.Timeout | null = null;

  const attempt = async (onAcquire: () => void, onLose: () => void): Promise<void> => {
    if (closed) return;
    try {
      if (client === null) {
        // The pid names the process holding the lock in pg_stat_activity (which instance leads).
        const fresh = new pg.Client({ connectionString: url, application_name: `${FOLLOWER_APPLICATION_NAME} pid=${process.pid}` });
        fresh.on('error', (error) => {
          logger.warn({ err: error }, 'chain: follower lock connection failed');
          if (client === fresh) client = null;
          if (held) {
            held = false;
            onLose();
          }
        });
        await fresh.connect();
        client = fresh;
      }
      const rows = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1::bigint) AS locked', [FOLLOWER_LOCK_KEY]);
      if (rows.rows[0]?.locked === true && !closed) {
        held = true;
        logger.info('chain: this instance follows the commits');
        onAcquire();
        return;
      }
    } catch (error) {
      logger.warn({ err: error }, 'chain: follower lock attempt failed');
      await client?.end().catch(() => undefined);
      client = null;
    }
    if (!closed) timer = setTimeout(() => void attempt(onAcquire, onLose), retryMs);
  };

  return {
    start(onAcquire, onLose) {
      // After losing the lock (connection error) try again.
      const lose = () => {
        onLose();
        if (!closed) timer = setTimeout(() => void attempt(onAcquire, lose), retryMs);
      };
      void attempt(onAcquire, lose);
    },
    get held() {
      return held;
    },
    async close() {
      closed = true;
      if (timer !== null) clearTimeout(timer);
      held = false;
      await client?.end().catch(() => undefined);
      client = null;
    },
  };
}

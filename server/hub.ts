// Starts the hub from a validated Env: data dir lock, session secret, database (migrated),
// context, admin socket, Next.js, one HTTP server for everything. Returns a handle whose close()
// undoes it all in reverse order. server/main.ts is the command-line entry around it.
import { fileURLToPath } from 'node:url';
import type { Server } from 'node:http';
import type { Logger } from 'pino';
import { startAdminSocket } from './admin/admin-socket';
import type { AdminSocket } from './admin/admin-socket';
import { registerAppContext } from './app-context';
import type { ChainSource } from './chain/devnet-supervisor';
import { startChainService } from './chain/service';
import { createContext } from './context';
import type { AppContext } from './context';
import { adminSocketPath, loadOrCreateSecret, lockDataDir, pgliteDir } from './data-dir';
import type { DataDirLock } from './data-dir';
import { startDatabaseMaintenance } from './db/pglite-vacuum';
import type { Env } from './env';
import { createLogger } from './observability/logging';
import { connectRedis } from './redis';
import { createNextUpgradeBus, createWebServer } from './web-server';
import type { NextHandlers, WebServer } from './web-server';

export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface HubHandle {
  ctx: AppContext;
  web: WebServer;
  port: number;
  /** http://localhost:PORT (or the HOST given). */
  url: string;
  close(): Promise<void>;
}

export interface StartHubOptions {
  env: Env;
  /** false: serve only the API and Socket.IO (tests); true: Next.js too. */
  next: boolean;
  /** Validators to anchor proofs on (server/chain/devnet-supervisor.ts); none: no chain. */
  chain?: ChainSource | null;
  logger?: Logger;
}

function displayHost(host: string): string {
  return ['127.0.0.1', '0.0.0.0', '::', '::1', 'localhost'].includes(host) ? 'localhost' : host.includes(':') ? `[${host}]` : host;
}

async function startNext(env: Env, upgrades: NextHandlers['upgrades']): Promise<{ handlers: NextHandlers; close: () => Promise<void> }> {
  const { default: next } = await import('next');
  const app = next({ dev: env.dev, dir: REPO_ROOT, hostname: env.host, port: env.port, httpServer: upgrades as unknown as Server });
  await app.prepare();
  const handle = app.getRequestHandler();
  return { handlers: { handleRequest: (req, res) => handle(req, res), upgrades }, close: () => app.close() };
}

export async function startHub(options: StartHubOptions): Promise<HubHandle> {
  const { env } = options;
  const logger = options.logger ?? createLogger(env.logLevel);
  const undo: (() => Promise<void>)[] = [];
  const cleanup = async () => {
    for (const step of undo.reverse()) {
      try {
        await step();
      } catch (error) {
        logger.error({ err: error }, 'shutdown step failed');
      }
    }
  };
  try {
    let lock: DataDirLock | null = null;
    if (env.databaseUrl === null) {
      lock = await lockDataDir(env.dataDir);
      const held = lock;
      undo.push(() => held.release());
    }
    const secret = await loadOrCreateSecret(env.dataDir, env.nextAuthSecret);
    // next-auth (bundled by Next) reads these at request time.
    process.env.NEXTAUTH_SECRET = secret;
    process.env.NEXTAUTH_URL = env.publicUrl;

    const redis = env.redisUrl === null ? null : await connectRedis(env.redisUrl, env.redisPrefix);
    if (redis !== null) undo.push(() => redis.close());
    const ctx = await createContext({
      redis,
      database: env.databaseUrl === null ? { kind: 'pglite', dir: pgliteDir(env.dataDir) } : { kind: 'postgres', url: env.databaseUrl, poolMax: env.databasePoolMax, onIdleError: (error) => logger.warn({ err: error }, 'an idle database connection was lost; the pool reconnects') },
      secret,
      logger,
      rateLimits: {
        proofs: env.rateLimit,
        signups: { points: 30, windowSeconds: 600 },
        logins: { points: 20, windowSeconds: 60 },
      },
    });
    undo.push(() => ctx.db.close());
    undo.push(startDatabaseMaintenance(ctx.db, { intervalMs: env.vacuumIntervalMs, logger }));
    logger.info({ database: ctx.db.kind, migrations: ctx.db.migrations }, 'database ready');
    registerAppContext(ctx);
    undo.push(() => Promise.resolve(registerAppContext(undefined)));

    let admin: AdminSocket | null = null;
    try {
      admin = await startAdminSocket(adminSocketPath(env.dataDir), { prisma: ctx.prisma, users: ctx.users, agents: ctx.agents, ingest: ctx.ingest }, logger);
      const opened = admin;
      undo.push(() => opened.close());
    } catch (error) {
      // With DATABASE_URL two instances may share a data dir; the admin socket is then the first one's.
      if (lock !== null) throw error;
      logger.warn({ err: error }, 'admin socket not started');
    }

    let nextApp: Awaited<ReturnType<typeof startNext>> | null = null;
    if (options.next) {
      nextApp = await startNext(env, createNextUpgradeBus());
      const started = nextApp;
      undo.push(() => started.close());
    }
    const web = createWebServer(ctx, nextApp?.handlers ?? null);
    const { port } = await web.listen(env.port, env.host);
    undo.push(() => web.close());
    if (options.chain) {
      const chain = startChainService({ ctx, io: web.realtime.io, source: options.chain, databaseUrl: env.databaseUrl });
      undo.push(() => chain.close());
    }
    const url = `http://${displayHost(env.host)}:${port}`;
    return { ctx, web, port, url, close: cleanup };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

// The web process's configuration, validated once at start (docs/api.md, "Starting it"). Nothing
// else in server/ reads process.env: the context is built from this object.
import { join, resolve } from 'node:path';
import { z } from 'zod';
import type { ChainEnv } from './chain/config';

const portSchema = z.coerce.number().int().min(0).max(65535);

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('production'),
  PORT: portSchema.default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  PROOFHUB_DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'DATABASE_URL must be a postgres:// or postgresql:// URL (unset it to use the embedded PGlite)')
    .optional(),
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(1000).default(10),
  PROOFHUB_VACUUM_INTERVAL_S: z.coerce.number().int().min(0).max(86_400).default(300),
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'REDIS_URL must be a redis:// URL').optional(),
  REDIS_PREFIX: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'REDIS_PREFIX is 1-64 letters, digits, _ . -').default('proofhub'),
  NEXTAUTH_SECRET: z.string().min(32, 'NEXTAUTH_SECRET needs at least 32 characters').optional(),
  NEXTAUTH_URL: z.url().optional(),
  PROOFHUB_RATE_POINTS: z.coerce.number().int().min(1).default(60),
  PROOFHUB_RATE_WINDOW_S: z.coerce.number().int().min(1).default(60),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** GET /metrics then needs Authorization: Bearer <token> (server/observability/http.ts reads it). */
  /** Proxies whose X-Forwarded-For is believed (server/observability/client-address.ts reads it). */
  TRUST_PROXY: z.string().regex(/^[0-9a-fA-F.:]+(\s*,\s*[0-9a-fA-F.:]+)*$/, 'TRUST_PROXY is a comma-separated list of IP addresses').optional(),
  METRICS_TOKEN: z.string().regex(/^[\x21-\x7e]{16,256}$/, 'METRICS_TOKEN is 16-256 printable characters without spaces').optional(),
  /** Chain (docs/chain-anchoring.md): 0 runs the hub without validators. */
  PROOFHUB_DEVNET: z.enum(['0', '1']).default('1'),
  PROOFHUB_DEVNET_BASE_PORT: z.coerce.number().int().min(1).max(65532).default(26657),
  CHAIN_GENESIS: z.string().min(1).optional(),
  CHAIN_RPC: z
    .string()
    .regex(/^https?:\/\/[^,\s]+(,https?:\/\/[^,\s]+)*$/, 'CHAIN_RPC is a comma-separated list of http:// validator RPC URLs')
    .optional(),
});

export interface Env {
  dev: boolean;
  port: number;
  host: string;
  /** Absolute path of the data directory. */
  dataDir: string;
  /** PostgreSQL URL, or null for embedded PGlite in `${dataDir}/pglite`. */
  databaseUrl: string | null;
  /** Connections in the PostgreSQL pool of this process (DATABASE_POOL_MAX; docs/operations.md). */
  databasePoolMax: number;
  /** Embedded PGlite's periodic VACUUM (ANALYZE) (PROOFHUB_VACUUM_INTERVAL_S, default 300 s, 0 off; server/db/pglite-vacuum.ts). */
  vacuumIntervalMs: number;
  redisUrl: string | null;
  /** Prefix of every Redis key and channel (REDIS_PREFIX): several hubs may share one Redis. */
  redisPrefix: string;
  /** null: generated once and kept in the data dir (server/secrets.ts). */
  nextAuthSecret: string | null;
  /** Public origin, http://localhost:PORT unless NEXTAUTH_URL says otherwise. */
  publicUrl: string;
  rateLimit: { points: number; windowSeconds: number };
  logLevel: z.infer<typeof envSchema>['LOG_LEVEL'];
  /** Validators: a devnet beside the hub (default), external ones, or none. */
  chain: ChainEnv;
}

export class EnvError extends Error {
  override readonly name = 'EnvError';
}

function chainEnvOf(env: z.infer<typeof envSchema>, dataDir: string): ChainEnv {
  if (env.CHAIN_GENESIS !== undefined || env.CHAIN_RPC !== undefined) {
    if (env.CHAIN_GENESIS === undefined || env.CHAIN_RPC === undefined) throw new EnvError('invalid environment:\n  CHAIN_GENESIS and CHAIN_RPC go together (a genesis file and its validators\' RPC URLs)');
    return { kind: 'external', genesisPath: resolve(env.CHAIN_GENESIS), rpcUrls: env.CHAIN_RPC.split(',') };
  }
  if (env.PROOFHUB_DEVNET === '0') return { kind: 'off' };
  return { kind: 'devnet', dir: join(dataDir, 'devnet'), basePort: env.PROOFHUB_DEVNET_BASE_PORT };
}

/** Parses the environment; throws EnvError naming every bad variable. */
export function loadEnv(source: Record<string, string | undefined> = process.env, options: { dev?: boolean } = {}): Env {
  // Empty strings mean unset (shells and .env files write VAR= for "nothing").
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new EnvError(`invalid environment:\n${lines.join('\n')}`);
  }
  const env = parsed.data;
  return {
    dev: options.dev ?? env.NODE_ENV === 'development',
    port: env.PORT,
    host: env.HOST,
    dataDir: resolve(env.PROOFHUB_DATA_DIR),
    databaseUrl: env.DATABASE_URL ?? null,
    databasePoolMax: env.DATABASE_POOL_MAX,
    vacuumIntervalMs: env.PROOFHUB_VACUUM_INTERVAL_S * 1000,
    redisUrl: env.REDIS_URL ?? null,
    redisPrefix: env.REDIS_PREFIX,
    nextAuthSecret: env.NEXTAUTH_SECRET ?? null,
    publicUrl: (env.NEXTAUTH_URL ?? `http://localhost:${env.PORT}`).replace(/\/$/, ''),
    rateLimit: { points: env.PROOFHUB_RATE_POINTS, windowSeconds: env.PROOFHUB_RATE_WINDOW_S },
    logLevel: env.LOG_LEVEL,
    chain: chainEnvOf(env, resolve(env.PROOFHUB_DATA_DIR)),
  };
}

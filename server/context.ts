// The one context object of the web process, built once at start from the validated Env (or, in
// tests, from explicit options): database, services, events and limits. Everything that serves
// requests (REST router, Socket.IO, next-auth via the app-context bridge, the admin socket)
// receives this object; nothing reaches for globals or process.env.
import { readFileSync } from 'node:fs';
import pino from 'pino';
import type { Logger } from 'pino';
import type { Hasher } from '@/lib/crypto/sha256';
import type { SignatureVerifier } from '@/lib/crypto/types';
import { nodeVerifier } from './crypto/ed25519-node';
import { nodeHasher } from './crypto/sha256-node';
import { openDatabase } from './db/database';
import type { Database, DatabaseConfig } from './db/database';
import type { Db } from './db/types';
import { createRateLimits, DEFAULT_RATE_LIMITS } from './rate-limit';
import type { RateLimitConfig, RateLimits } from './rate-limit';
import type { RedisConnection } from './redis';
import { rebroadcastDuplicates } from './cluster/rebroadcast';
import { instrumentIngest } from './observability/realtime';
import { createAgentFeatures } from './services/agents-setup';
import type { AgentFeatures } from './services/agents-setup';
import type { AgentLimitConfig } from './services/agents';
import { HubEvents } from './services/events';
import { ensureDefaultHub } from './services/hubs';
import { createProofIngest } from './services/proof-ingest';
import type { ProofIngest } from './services/proof-ingest';
import { createUserService } from './services/users';
import type { UserService } from './services/users';

export const VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

export interface AppContext {
  db: Database;
  prisma: Db;
  /** next-auth secret: REST and Socket.IO decode session cookies with it. */
  secret: string;
  events: HubEvents;
  limits: RateLimits;
  ingest: ProofIngest;
  users: UserService;
  /** Agents: registry, OAuth2 tokens, ingest rules (docs/agents.md). */
  agents: AgentFeatures;
  logger: Logger;
  redis: RedisConnection | null;
  startedAt: Date;
  version: string;
}

export interface ContextOptions {
  /** An open database, or how to open one (then it is migrated here). */
  database: Database | DatabaseConfig;
  secret: string;
  rateLimits?: RateLimitConfig;
  /** Shared rate limits and Socket.IO adapter across web instances (REDIS_URL). */
  redis?: RedisConnection | null;
  logger?: Logger;
  /** Admission clock (created_at skew); tests may pin it. */
  now?: () => Date;
  verifier?: SignatureVerifier;
  hasher?: Hasher;
  /** Per-agent and per-hub agent limits (defaults: DEFAULT_AGENT_LIMITS). */
  agentLimits?: Partial<AgentLimitConfig>;
}

export async function createContext(options: ContextOptions): Promise<AppContext> {
  const db = 'prisma' in options.database ? options.database : await openDatabase(options.database);
  await ensureDefaultHub(db.prisma);
  const logger = options.logger ?? pino({ level: 'silent' });
  const events = new HubEvents();
  const limits = createRateLimits(options.rateLimits ?? DEFAULT_RATE_LIMITS, options.redis ?? null);
  const now = options.now ?? (() => new Date());
  const agents = createAgentFeatures({ db: db.prisma, secret: options.secret, now, redis: options.redis ?? null, limits: options.agentLimits });
  const ingest = rebroadcastDuplicates(instrumentIngest(createProofIngest({
    db: db.prisma,
    verifier: options.verifier ?? nodeVerifier,
    hasher: options.hasher ?? nodeHasher,
    events,
    rateLimiter: limits.proofs,
    now,
    agents: agents.ingest,
    onBroadcastError: (error) => logger.error({ err: error }, 'broadcast failed'),
  })), { db: db.prisma, events, logger });
  const users = createUserService({ db: db.prisma, ingest, signupLimiter: limits.signups, loginLimiter: limits.logins });
  return { db, prisma: db.prisma, secret: options.secret, events, limits, ingest, users, agents, logger, redis: options.redis ?? null, startedAt: new Date(), version: VERSION };
}

// Builds the agent features of one web process: the registry and ingest hooks
// (server/services/agents.ts), the rotating signing keys and the OAuth2 server (server/auth).
// server/context.ts calls this once and exposes the result as ctx.agents.
import { createSigningKeys } from '../auth/jwks';
import { createOAuthServer, TOKEN_LIFETIME_S } from '../auth/oauth';
import type { OAuthServer } from '../auth/oauth';
import type { Db } from '../db/types';
import type { RedisConnection } from '../redis';
import { createAgentService } from './agents';
import type { AgentLimitConfig, AgentService } from './agents';

export type AgentFeatures = AgentService & { oauth: OAuthServer };

export interface AgentFeatureOptions {
  db: Db;
  /** The hub's session secret: seals the JWT signing keys at rest. */
  secret: string;
  now: () => Date;
  redis?: RedisConnection | null;
  limits?: Partial<AgentLimitConfig> | undefined;
}

export function createAgentFeatures(options: AgentFeatureOptions): AgentFeatures {
  const service = createAgentService({ db: options.db, now: options.now, redis: options.redis ?? null, ...(options.limits === undefined ? {} : { limits: options.limits }) });
  const keys = createSigningKeys({ prisma: options.db, secret: options.secret, now: options.now, tokenLifetimeMs: TOKEN_LIFETIME_S * 1000 });
  return Object.assign(service, { oauth: createOAuthServer({ agents: service, keys, now: options.now }) });
}

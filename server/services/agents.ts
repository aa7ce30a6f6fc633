// AI agents (docs/agents.md): the registry (an agent's did:key bound to an owner and to OAuth2
// client credentials), what the owner's signed proofs decide about it, the agent rules proof
// ingest applies, and per-agent and per-hub limits.
//
// The proofs are the authority. A delegation proof in the owner's chain grants the agent scopes
// until an expiry; a revocation proof ends it. The hub decides with lib/proof's identity replay
// (loadIdentityState + mayActFor), the same rule a browser or `proofhub verify` applies. The
// agents row only caches the ids of those proofs and the revocation instant, so token checks
// cost one indexed read.
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import { checkDelegatedProof, mayActFor, scopeForProofType } from '@/lib/proof/identity';
import type { IdentityState } from '@/lib/proof/identity';
import { DELEGATION_SCOPES } from '@/lib/proof/schema';
import type { DelegationScope, SignedProof } from '@/lib/proof/schema';
import type { AgentCredentials, AgentSocketData, AgentView, RegisterAgentRequest } from '@/lib/protocol/agents';
import { TOKEN_PATH } from '@/lib/protocol/agents';
import { Prisma } from '../generated/prisma/client';
import type { Db, DbOrTx } from '../db/types';
import { refuse, refuseWith } from '../errors';
import type { ServiceResult } from '../errors';
import type { RedisConnection } from '../redis';
import { loadIdentityState } from './identities';

/** An authenticated agent (a verified access token), as REST and Socket.IO hand it to ingest. */
export type AgentPrincipal = AgentSocketData;

export interface AgentLimitConfig {
  /** Proofs per agent per window. */
  perAgent: { points: number; windowSeconds: number };
  /** Proofs per discussion hub per window, all agents together (a swarm cannot flood a hub). */
  perHub: { points: number; windowSeconds: number };
  /** Token requests per client_id per window (bounds secret guessing and token churn). */
  tokens: { points: number; windowSeconds: number };
}

/** Documented in docs/agents.md, "Limits". */
export const DEFAULT_AGENT_LIMITS: AgentLimitConfig = {
  perAgent: { points: 30, windowSeconds: 60 },
  perHub: { points: 300, windowSeconds: 60 },
  tokens: { points: 20, windowSeconds: 60 },
};

/** Types an agent may submit: its own identity (seq 1 included) and rotations, and scoped acts. */
const AGENT_TYPES: ReadonlySet<string> = new Set(['identity', 'key_rotation', 'post', 'reply', 'reaction', 'moderation']);

export type Decision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

export interface AgentService {
  register(ownerUserId: string, request: RegisterAgentRequest): Promise<ServiceResult<AgentCredentials>>;
  list(ownerUserId: string): Promise<AgentView[]>;
  get(agentId: string): Promise<AgentView | null>;
  getByDid(did: string): Promise<AgentView | null>;
  /** Client authentication (RFC 6749 §2.3.1): the agent row, or null for any mismatch. */
  authenticateClient(clientId: string, clientSecret: string): Promise<AgentRow | null>;
  /** The scopes the owner's live delegation grants the agent at `at` (identity replay). */
  liveGrant(agent: AgentRow, at: Date): Promise<{ scopes: DelegationScope[]; expiresAtMs: number }>;
  /** Used on every token use: the agent exists and is not revoked. */
  findLive(clientId: string, did: string): Promise<AgentRow | null>;
  consumeToken(clientId: string): Promise<Decision>;
  /** Hooks for proof ingest (server/services/proof-ingest.ts). */
  ingest: AgentIngestHooks;
  /** Revocations: the realtime layer disconnects the agent's sockets on every instance. */
  onRevoked(listener: (agentId: string) => void): () => void;
}

export interface AgentIngestHooks {
  /** Before any read of the proof's chain: token still good, agent live, issuer, type, scope, limits. */
  admitActor(proof: SignedProof, agent: AgentPrincipal): Promise<ServiceResult<true>>;
  /** After the signature checked, inside the issuer's lock: the delegation rules by identity replay. */
  checkDelegation(db: DbOrTx, proof: SignedProof, agent: AgentPrincipal | undefined, now: Date): Promise<ServiceResult<true>>;
  /** After a proof is stored: delegation and revocation proofs update the registry. */
  afterStore(proof: SignedProof): Promise<void>;
}

export interface AgentRow {
  id: string;
  ownerId: string;
  name: string;
  did: string;
  clientId: string;
  clientSecretHash: string;
  scopes: string[];
  delegationId: string | null;
  createdAt: Date;
  revokedAt: Date | null;
  revocationId: string | null;
  owner: { username: string; did: string | null };
}

export interface AgentServiceDeps {
  db: Db;
  now: () => Date;
  redis?: RedisConnection | null;
  limits?: Partial<AgentLimitConfig>;
}

const agentSelect = {
  id: true,
  ownerId: true,
  name: true,
  did: true,
  clientId: true,
  clientSecretHash: true,
  scopes: true,
  delegationId: true,
  createdAt: true,
  revokedAt: true,
  revocationId: true,
  owner: { select: { username: true, did: true } },
} as const;

export function hashClientSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

export function toAgentView(row: AgentRow): AgentView {
  return {
    id: row.id,
    name: row.name,
    did: row.did,
    client_id: row.clientId,
    owner: { username: row.owner.username, did: row.owner.did },
    scopes: row.scopes.filter((scope): scope is DelegationScope => (DELEGATION_SCOPES as readonly string[]).includes(scope)),
    delegation: row.delegationId,
    state: row.revokedAt !== null ? 'revoked' : row.delegationId === null ? 'pending' : 'active',
    created_at: row.createdAt.toISOString(),
    revoked_at: row.revokedAt?.toISOString() ?? null,
  };
}

function limiter(name: string, config: { points: number; windowSeconds: number }, redis: RedisConnection | null): (key: string) => Promise<Decision> {
  const store: RateLimiterAbstract =
    redis === null
      ? new RateLimiterMemory({ points: config.points, duration: config.windowSeconds })
      : new RateLimiterRedis({ storeClient: redis.client, useRedisPackage: true, points: config.points, duration: config.windowSeconds, keyPrefix: `${redis.prefix}:rl:agent-${name}` });
  return async (key) => {
    try {
      await store.consume(key);
      return { allowed: true };
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)) };
      throw rejection;
    }
  };
}

/** Owner states for mayActFor, loaded by replay from the stored proofs. */
async function ownerLookup(db: DbOrTx, dids: readonly string[]): Promise<Map<string, IdentityState>> {
  const states = new Map<string, IdentityState>();
  for (const did of new Set(dids)) {
    const state = await loadIdentityState(db, did);
    if (state !== null) states.set(did, state);
  }
  return states;
}

export function createAgentService(deps: AgentServiceDeps): AgentService {
  const { db, now } = deps;
  const limits = { ...DEFAULT_AGENT_LIMITS, ...deps.limits };
  const redis = deps.redis ?? null;
  const perAgent = limiter('agent', limits.perAgent, redis);
  const perHub = limiter('hub', limits.perHub, redis);
  const tokens = limiter('token', limits.tokens, redis);
  const revoked = new EventEmitter();

  async function register(ownerUserId: string, request: RegisterAgentRequest): Promise<ServiceResult<AgentCredentials>> {
    const owner = await db.user.findUnique({ where: { id: ownerUserId }, select: { did: true } });
    if (owner === null) return refuse('not_signed_in', 'the owner account does not exist');
    if (owner.did === null) return refuse('no_identity', 'the owner has no signing identity yet: the delegation must be signed by it');
    if (owner.did === request.did) return refuse('invalid_request', 'an agent needs its own key, not its owner\'s');
    if ((await db.user.findUnique({ where: { did: request.did }, select: { id: true } })) !== null) return refuse('did_taken', 'that did:key is a person\'s identity');
    const clientSecret = randomBytes(32).toString('base64url');
    const id = randomUUID();
    try {
      await db.agent.create({
        data: {
          id,
          ownerId: ownerUserId,
          name: request.name,
          did: request.did,
          clientId: `agt_${randomBytes(16).toString('base64url')}`,
          clientSecretHash: hashClientSecret(clientSecret),
          scopes: request.scopes,
        },
      });
    } catch (error) {
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') return refuse('agent_exists', 'an agent with that did:key is already registered');
      throw error;
    }
    const row = await db.agent.findUniqueOrThrow({ where: { id }, select: agentSelect });
    return { ok: true, value: { agent: toAgentView(row), client_id: row.clientId, client_secret: clientSecret, token_endpoint: TOKEN_PATH } };
  }

  async function liveGrant(agent: AgentRow, at: Date): Promise<{ scopes: DelegationScope[]; expiresAtMs: number }> {
    if (agent.revokedAt !== null || agent.owner.did === null) return { scopes: [], expiresAtMs: 0 };
    const ownerDid = agent.owner.did;
    const owners = await ownerLookup(db, [ownerDid]);
    const scopes = DELEGATION_SCOPES.filter((scope) => mayActFor(owners, agent.did, ownerDid, scope, at).ok);
    const time = at.getTime();
    const state = owners.get(ownerDid);
    const live = (state?.delegations ?? []).filter((grant) => grant.agent === agent.did && grant.createdAtMs <= time && grant.expiresAtMs > time);
    return { scopes, expiresAtMs: Math.max(0, ...live.map((grant) => grant.expiresAtMs)) };
  }

  const ingest: AgentIngestHooks = {
    async admitActor(proof, agent) {
      if (agent.expiresAtMs <= now().getTime()) return refuse('invalid_token', 'the access token expired: fetch a new one and reconnect');
      const row = await db.agent.findUnique({ where: { id: agent.agentId }, select: { revokedAt: true } });
      if (row === null || row.revokedAt !== null) return refuse('agent_revoked', 'this agent was revoked by its owner');
      if (proof.issuer !== agent.did) return refuse('not_your_identity', 'an agent submits proofs signed by its own key only');
      if (!AGENT_TYPES.has(proof.type)) return refuse('unsupported_type', `an agent does not submit ${proof.type} proofs (its owner does)`);
      const scope = scopeForProofType(proof.type);
      if (scope !== undefined && !agent.scopes.includes(scope)) return refuse('insufficient_scope', `the access token lacks the "${scope}" scope`);
      const mine = await perAgent(agent.agentId);
      if (!mine.allowed) return refuse('rate_limited', `this agent sent too many proofs: try again in ${mine.retryAfterSeconds} s`, { retryAfter: mine.retryAfterSeconds });
      if (scope !== undefined) {
        const hub = await perHub(proof.hub);
        if (!hub.allowed) return refuse('rate_limited', `agents sent too many proofs to hub "${proof.hub}": try again in ${hub.retryAfterSeconds} s`, { retryAfter: hub.retryAfterSeconds });
      }
      return { ok: true, value: true };
    },

    async checkDelegation(tx, proof, agent, at) {
      const onBehalfOf = 'on_behalf_of' in proof.claim ? proof.claim.on_behalf_of : undefined;
      const scope = scopeForProofType(proof.type);
      const needed = [...(onBehalfOf === undefined ? [] : [onBehalfOf]), ...(agent !== undefined && scope !== undefined ? [agent.ownerDid] : [])];
      if (needed.length === 0) return { ok: true, value: true };
      const owners = await ownerLookup(tx, needed);
      // on_behalf_of: the proof-format rule, at created_at and again at admission (docs/proof-format.md).
      const delegated = checkDelegatedProof(owners, proof, at);
      if (!delegated.ok) return refuseWith(delegated);
      // A registered agent acts only under its owner's live delegation, with or without on_behalf_of.
      if (agent !== undefined && scope !== undefined) {
        for (const when of [new Date(proof.created_at), at]) {
          const allowed = mayActFor(owners, agent.did, agent.ownerDid, scope, when);
          if (!allowed.ok) return refuseWith(allowed);
        }
      }
      return { ok: true, value: true };
    },

    async afterStore(proof) {
      if (proof.type === 'delegation') {
        const claim = (proof).claim;
        await db.agent.updateMany({ where: { did: claim.agent, owner: { did: proof.issuer }, revokedAt: null }, data: { delegationId: proof.id } });
      } else if (proof.type === 'revocation') {
        const claim = (proof).claim;
        const agents = await db.agent.findMany({ where: { did: claim.agent, owner: { did: proof.issuer }, revokedAt: null }, select: { id: true } });
        for (const agent of agents) {
          await db.agent.updateMany({ where: { id: agent.id, revokedAt: null }, data: { revokedAt: now(), revocationId: proof.id } });
          revoked.emit('revoked', agent.id);
        }
      }
    },
  };

  return {
    register,
    async list(ownerUserId) {
      const rows = await db.agent.findMany({ where: { ownerId: ownerUserId }, select: agentSelect, orderBy: { createdAt: 'desc' } });
      return rows.map(toAgentView);
    },
    async get(agentId) {
      const row = await db.agent.findUnique({ where: { id: agentId }, select: agentSelect });
      return row === null ? null : toAgentView(row);
    },
    async getByDid(did) {
      const row = await db.agent.findUnique({ where: { did }, select: agentSelect });
      return row === null ? null : toAgentView(row);
    },
    async authenticateClient(clientId, clientSecret) {
      const row = await db.agent.findUnique({ where: { clientId }, select: agentSelect });
      // Compare hashes of equal length in constant time; an unknown client costs the same hash.
      const given = Buffer.from(hashClientSecret(clientSecret), 'hex');
      const stored = Buffer.from(row?.clientSecretHash ?? '0'.repeat(64), 'hex');
      return row !== null && timingSafeEqual(given, stored) ? row : null;
    },
    liveGrant,
    async findLive(clientId, did) {
      const row = await db.agent.findUnique({ where: { clientId }, select: agentSelect });
      return row === null || row.did !== did || row.revokedAt !== null ? null : row;
    },
    consumeToken: (clientId) => tokens(clientId),
    ingest,
    onRevoked(listener) {
      revoked.on('revoked', listener);
      return () => revoked.off('revoked', listener);
    },
  };
}

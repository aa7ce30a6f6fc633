// The agent contract shared by the server (server/services/agents.ts, server/auth/oauth.ts), the
// agent SDK (sdk/) and the Agents page: scopes, the OAuth2 token endpoint's request and answers
// (RFC 6749 §4.4, §5.1, §5.2), registration and the agent views. docs/agents.md is the prose.
import { z } from 'zod';
import { DELEGATION_SCOPES } from '../proof/schema';
import type { DelegationScope } from '../proof/schema';
import { didKeySchema } from '../crypto/did-key';

export { DELEGATION_SCOPES } from '../proof/schema';
export type { DelegationScope } from '../proof/schema';

/** Error codes the agent features add to the API's set (lib/protocol/errors.ts). */
export const AGENT_ERROR_CODES = [
  /** RFC 6750 §3.1: the Bearer token is missing a piece, malformed, forged, expired or revoked. */
  'invalid_token',
  /** RFC 6750 §3.1: the token is good but lacks the scope this request needs. */
  'insufficient_scope',
  /** The agent DID is already registered. */
  'agent_exists',
  /** Agent routes: no such agent (or not yours). */
  'unknown_agent',
  /** The agent was revoked: its credentials, tokens and sockets are dead. */
  'agent_revoked',
] as const;
export type AgentErrorCode = (typeof AGENT_ERROR_CODES)[number];

/** The OAuth2 scopes a token can carry: the delegation scopes of the proof format. */
export const scopeSchema = z.enum(DELEGATION_SCOPES);

/** RFC 6749 §3.3: a space-delimited list; no repeats, only known scopes. */
export function parseScopeList(text: string): DelegationScope[] | null {
  const parts = text.split(' ').filter((part) => part.length > 0);
  const known = new Set<string>(DELEGATION_SCOPES);
  if (parts.some((part) => !known.has(part)) || new Set(parts).size !== parts.length) return null;
  return parts as DelegationScope[];
}

/**
 * POST /api/oauth/token body (form or JSON). Client authentication may also come as HTTP Basic
 * (RFC 6749 §2.3.1); then the body omits client_id and client_secret.
 */
export const tokenRequestSchema = z.object({
  grant_type: z.string().min(1).max(200),
  scope: z.string().max(200).optional(),
  client_id: z.string().max(200).optional(),
  client_secret: z.string().max(200).optional(),
});

/** RFC 6749 §5.1. */
export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
}

/** RFC 6749 §5.2 error codes. */
export type OAuthErrorCode = 'invalid_request' | 'invalid_client' | 'invalid_grant' | 'unauthorized_client' | 'unsupported_grant_type' | 'invalid_scope';

export interface OAuthErrorResponse {
  error: OAuthErrorCode;
  error_description: string;
  /** Seconds, when the token endpoint's rate limit refused the request. */
  retry_after?: number;
}

/** Claims of an access token beyond the registered ones (iss, sub, aud, exp, iat, jti). */
export interface AgentTokenClaims {
  /** The agent's did:key (also `sub`). */
  agent_did: string;
  owner_did: string;
  /** Space-delimited (RFC 9068 §2.2.3). */
  scope: string;
  client_id: string;
}

/** An agent name: 1-64 characters, one line (it becomes the agent's identity proof name). */
export const agentNameSchema = z
  .string()
  .trim()
  .min(1, 'an agent needs a name')
  .max(64, 'an agent name has at most 64 characters')
  .regex(/^[^\p{Cc}]+$/u, 'an agent name is a single line');

/** POST /api/v1/agents (the owner, signed in) and `proofhub admin register-agent`. */
export const registerAgentRequestSchema = z.strictObject({
  name: agentNameSchema,
  did: didKeySchema,
  scopes: z.array(scopeSchema).min(1).max(DELEGATION_SCOPES.length).refine((scopes) => new Set(scopes).size === scopes.length, 'scopes must not repeat'),
});
export type RegisterAgentRequest = z.infer<typeof registerAgentRequestSchema>;

export interface AgentView {
  id: string;
  name: string;
  did: string;
  client_id: string;
  owner: { username: string; did: string | null };
  scopes: DelegationScope[];
  /** Owner's delegation proof id; null until the owner signs it. */
  delegation: string | null;
  /** pending (no delegation yet), active, or revoked. */
  state: 'pending' | 'active' | 'revoked';
  created_at: string;
  revoked_at: string | null;
}

/** The one answer that carries the client secret: at registration, never again. */
export interface AgentCredentials {
  agent: AgentView;
  client_id: string;
  client_secret: string;
  token_endpoint: '/api/oauth/token';
}

/**
 * An authenticated agent (a verified access token): Socket.IO keeps it as socket.data.agent, REST
 * and Socket.IO hand it to proof ingest.
 */
export interface AgentSocketData {
  kind: 'agent';
  /** The owner's account id: hub access (private hubs) is the owner's. */
  userId: string;
  clientId: string;
  agentId: string;
  did: string;
  ownerDid: string;
  scopes: DelegationScope[];
  /** Token expiry (ms since epoch): after it the socket's submissions are refused. */
  expiresAtMs: number;
}

/** Room of one agent's sockets: revocation disconnects it on every instance. */
export function agentRoom(agentId: string): string {
  return `agent:${agentId}`;
}

/** Well-known paths. */
export const TOKEN_PATH = '/api/oauth/token';
export const JWKS_PATH = '/.well-known/jwks.json';

// OAuth2 for agents: the client credentials grant (RFC 6749 §4.4) at POST /api/oauth/token, and
// the verification of the JWT access tokens it issues (RFC 9068 profile: typ "at+jwt", EdDSA,
// iss/sub/aud/exp/iat/jti, plus the agent's and owner's DIDs and the scopes).
//
// Every use of a token is checked against the registry too, not just its signature and exp: a
// revoked agent's tokens stop working at once (docs/agents.md, "Revocation").
import { randomBytes } from 'node:crypto';
import { SignJWT, errors as joseErrors, jwtVerify } from 'jose';
import type { JSONWebKeySet, JWTPayload } from 'jose';
import { parseScopeList, tokenRequestSchema } from '@/lib/protocol/agents';
import type { AgentTokenClaims, OAuthErrorCode, OAuthErrorResponse, TokenResponse } from '@/lib/protocol/agents';
import type { DelegationScope } from '@/lib/proof/schema';
import { refuse } from '../errors';
import type { ServiceResult } from '../errors';
import type { AgentPrincipal, AgentService } from '../services/agents';
import { SIGNING_ALG } from './jwks';
import type { SigningKeys } from './jwks';

/** Access tokens live 10 minutes; the SDK refreshes a minute before expiry. */
export const TOKEN_LIFETIME_S = 600;
export const TOKEN_ISSUER = 'proofhub';
export const TOKEN_AUDIENCE = 'proofhub-api';
/** RFC 9068 §2.1. */
export const TOKEN_TYP = 'at+jwt';

export interface OAuthDeps {
  agents: AgentService;
  keys: SigningKeys;
  now: () => Date;
  tokenLifetimeS?: number;
}

export interface TokenAnswer {
  status: number;
  body: TokenResponse | OAuthErrorResponse;
  headers: Record<string, string>;
}

export interface OAuthServer {
  /** Handles a token request: body already parsed (form or JSON), Authorization header as sent. */
  token(body: unknown, authorization: string | undefined): Promise<TokenAnswer>;
  /** Verifies a Bearer token on every use: signature, alg, typ, iss, aud, exp, and the registry. */
  verify(token: string): Promise<ServiceResult<AgentPrincipal>>;
  jwks(): Promise<JSONWebKeySet>;
}

function oauthError(status: number, error: OAuthErrorCode, description: string, extra: { retryAfter?: number; basic?: boolean } = {}): TokenAnswer {
  const headers: Record<string, string> = { pragma: 'no-cache' };
  const body: OAuthErrorResponse = { error, error_description: description };
  if (extra.retryAfter !== undefined) {
    body.retry_after = extra.retryAfter;
    headers['retry-after'] = String(extra.retryAfter);
  }
  // RFC 6749 §5.2: a client that tried Basic gets 401 with the scheme it used.
  if (extra.basic === true) headers['www-authenticate'] = 'Basic realm="proofhub"';
  return { status, body, headers };
}

/** RFC 6749 §2.3.1: HTTP Basic with form-urlencoded id and secret. */
function basicCredentials(authorization: string | undefined): { id: string; secret: string } | null | 'malformed' {
  if (authorization === undefined) return null;
  const match = /^Basic ([A-Za-z0-9+/=]+)$/i.exec(authorization.trim());
  if (match === null) return 'malformed';
  const decoded = Buffer.from(match[1] ?? '', 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return 'malformed';
  try {
    return { id: decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, ' ')), secret: decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, ' ')) };
  } catch {
    return 'malformed';
  }
}

export function createOAuthServer(deps: OAuthDeps): OAuthServer {
  const lifetimeS = deps.tokenLifetimeS ?? TOKEN_LIFETIME_S;

  async function token(input: unknown, authorization: string | undefined): Promise<TokenAnswer> {
    const parsed = tokenRequestSchema.safeParse(input);
    if (!parsed.success) return oauthError(400, 'invalid_request', 'expected grant_type, scope?, client_id and client_secret (or HTTP Basic), each a string');
    const body = parsed.data;
    if (body.grant_type !== 'client_credentials') return oauthError(400, 'unsupported_grant_type', 'only grant_type=client_credentials is supported');

    const basic = basicCredentials(authorization);
    if (basic === 'malformed') return oauthError(401, 'invalid_client', 'unreadable HTTP Basic credentials', { basic: true });
    if (basic !== null && (body.client_id !== undefined || body.client_secret !== undefined)) {
      return oauthError(400, 'invalid_request', 'send the client credentials once: HTTP Basic or the body, not both');
    }
    const clientId = basic?.id ?? body.client_id;
    const clientSecret = basic?.secret ?? body.client_secret;
    if (clientId === undefined || clientSecret === undefined) return oauthError(401, 'invalid_client', 'client_id and client_secret are required', { basic: basic !== null });

    const rate = await deps.agents.consumeToken(clientId);
    if (!rate.allowed) return oauthError(429, 'invalid_request', `too many token requests: try again in ${rate.retryAfterSeconds} s`, { retryAfter: rate.retryAfterSeconds });
    const agent = await deps.agents.authenticateClient(clientId, clientSecret);
    if (agent === null) return oauthError(401, 'invalid_client', 'unknown client or wrong secret', { basic: basic !== null });
    if (agent.revokedAt !== null) return oauthError(400, 'unauthorized_client', 'this agent was revoked by its owner');

    const at = deps.now();
    const grant = await deps.agents.liveGrant(agent, at);
    if (grant.scopes.length === 0) return oauthError(400, 'unauthorized_client', 'no live delegation: the owner has not signed one, or it expired');
    let scopes: DelegationScope[] = grant.scopes;
    if (body.scope !== undefined) {
      const requested = parseScopeList(body.scope);
      if (requested === null || requested.length === 0) return oauthError(400, 'invalid_scope', `scope is a space-separated list of read, post, reply, react, moderate`);
      // RFC 6749 §3.3: the scope may narrow what the client is granted, never widen it.
      const missing = requested.filter((scope) => !grant.scopes.includes(scope));
      if (missing.length > 0) return oauthError(400, 'invalid_scope', `not granted by the owner's delegation: ${missing.join(' ')}`);
      scopes = requested;
    }
    if (agent.owner.did === null) return oauthError(400, 'unauthorized_client', 'the owner has no identity');

    const issuedAt = Math.floor(at.getTime() / 1000);
    const expiresAt = Math.min(issuedAt + lifetimeS, Math.floor(grant.expiresAtMs / 1000));
    const key = await deps.keys.current();
    const claims: AgentTokenClaims = { agent_did: agent.did, owner_did: agent.owner.did, scope: scopes.join(' '), client_id: agent.clientId };
    const accessToken = await new SignJWT({ ...claims })
      .setProtectedHeader({ alg: SIGNING_ALG, kid: key.kid, typ: TOKEN_TYP })
      .setIssuer(TOKEN_ISSUER)
      .setSubject(agent.did)
      .setAudience(TOKEN_AUDIENCE)
      .setIssuedAt(issuedAt)
      .setExpirationTime(expiresAt)
      .setJti(randomBytes(16).toString('base64url'))
      .sign(key.key);
    return {
      status: 200,
      body: { access_token: accessToken, token_type: 'Bearer', expires_in: expiresAt - issuedAt, scope: claims.scope },
      headers: { pragma: 'no-cache' },
    };
  }

  async function verify(tokenText: string): Promise<ServiceResult<AgentPrincipal>> {
    let payload: JWTPayload;
    try {
      const verified = await jwtVerify(
        tokenText,
        async (header) => {
          // Only our algorithm: "none", HS256 with the public key as a secret and the like are refused here.
          if (header.alg !== SIGNING_ALG || typeof header.kid !== 'string') throw new joseErrors.JWSInvalid('unexpected alg or missing kid');
          const key = await deps.keys.verificationKey(header.kid);
          if (key === undefined) throw new joseErrors.JWKSNoMatchingKey();
          return key;
        },
        { algorithms: [SIGNING_ALG], issuer: TOKEN_ISSUER, audience: TOKEN_AUDIENCE, typ: TOKEN_TYP, requiredClaims: ['exp', 'iat', 'jti', 'sub'], currentDate: deps.now() },
      );
      payload = verified.payload;
    } catch (error) {
      if (error instanceof joseErrors.JWTExpired) return refuse('invalid_token', 'the access token expired: fetch a new one');
      if (error instanceof joseErrors.JOSEError) return refuse('invalid_token', 'the access token is not valid');
      throw error;
    }
    const clientId = payload.client_id;
    const scope = payload.scope;
    const ownerDid = payload.owner_did;
    if (typeof clientId !== 'string' || typeof scope !== 'string' || typeof ownerDid !== 'string' || payload.sub === undefined || payload.exp === undefined) {
      return refuse('invalid_token', 'the access token lacks its claims');
    }
    const scopes = parseScopeList(scope);
    if (scopes === null) return refuse('invalid_token', 'the access token has unknown scopes');
    // Checked on every use: a revoked agent's tokens die with it.
    const agent = await deps.agents.findLive(clientId, payload.sub);
    if (agent === null) return refuse('invalid_token', 'the agent of this token was revoked or removed');
    if (agent.owner.did !== ownerDid) return refuse('invalid_token', 'the access token names another owner');
    return {
      ok: true,
      value: { kind: 'agent', userId: agent.ownerId, agentId: agent.id, clientId, did: agent.did, ownerDid, scopes, expiresAtMs: payload.exp * 1000 },
    };
  }

  return { token, verify, jwks: () => deps.keys.jwks() };
}

/** The token of an `Authorization: Bearer …` header (RFC 6750 §2.1), null without one. */
export function bearerToken(authorization: string | undefined): { token: string } | null | 'malformed' {
  if (authorization === undefined) return null;
  const match = /^Bearer ([A-Za-z0-9\-._~+/]+=*)$/i.exec(authorization.trim());
  return match?.[1] === undefined ? 'malformed' : { token: match[1] };
}

// Identity state of an issuer, replayed from its own proofs in seq order (docs/proof-format.md,
// "Identity rules"). It answers two questions:
//   keyForSeq  - which key may sign for this issuer at seq N: the inception key (the issuer's
//                did:key) up to and including the first key_rotation, whose next_key signs every
//                later seq, and so on for later rotations. The rotation itself is signed by the
//                key it retires. Earlier proofs stay valid: their seq still maps to the old key.
//   mayActFor  - may agent A act for owner O with scope S at time T: a delegation from O to A made
//                at or before T, covering S, expiring after T, and not cancelled by a revocation
//                of A by O that came later in O's chain and was made at or before T.
// The replay trusts its input: feed it proofs whose signatures were checked with keyForSeq of the
// state built so far (verifyProofSet does exactly that). It reads no clock.
import { didKeyToPublicKey } from '../crypto/did-key';
import { fail, ok } from '../errors';
import type { Result } from '../errors';
import { ProofError } from './errors';
import type { DelegationScope, ProofType, SignedProof } from './schema';

export interface KeyEpoch {
  /** First seq this key signs. */
  readonly fromSeq: number;
  readonly did: string;
  readonly publicKey: Uint8Array;
  /** The key_rotation proof that introduced the key; null for the inception key. */
  readonly rotationId: string | null;
}

export interface DelegationGrant {
  readonly id: string;
  readonly seq: number;
  readonly agent: string;
  readonly scopes: readonly DelegationScope[];
  readonly createdAtMs: number;
  readonly expiresAtMs: number;
}

export interface RevocationRecord {
  readonly id: string;
  readonly seq: number;
  readonly agent: string;
  readonly createdAtMs: number;
}

export interface IdentityState {
  /** The inception did:key: the issuer's name in every proof, whatever key signs now. */
  readonly issuer: string;
  /** Display name from the latest identity proof, or null before one was applied. */
  readonly name: string | null;
  /** Highest seq applied (0: none). */
  readonly lastSeq: number;
  /** Keys in seq order; the first is the inception key from seq 1. */
  readonly epochs: readonly KeyEpoch[];
  /** Delegations this issuer granted, in seq order. */
  readonly delegations: readonly DelegationGrant[];
  /** Revocations this issuer made, in seq order. */
  readonly revocations: readonly RevocationRecord[];
}

/** Anything that finds an owner's identity state by did: a Map works. */
export interface IdentityLookup {
  get(did: string): IdentityState | undefined;
}

export type DelegationErrorCode = 'not_delegated' | 'scope_denied' | 'delegation_expired' | 'key_revoked';

/** The state of an issuer before any proof: the inception key signs from seq 1. */
export function createIdentityState(issuer: string): Result<IdentityState, 'invalid_did'> {
  const publicKey = didKeyToPublicKey(issuer);
  if (!publicKey.ok) return publicKey;
  return ok({
    issuer,
    name: null,
    lastSeq: 0,
    epochs: [{ fromSeq: 1, did: issuer, publicKey: publicKey.value, rotationId: null }],
    delegations: [],
    revocations: [],
  });
}

/**
 * The state after one more proof of the issuer. Preconditions (a caller bug otherwise, thrown as
 * ProofError): same issuer, seq above lastSeq (gaps are allowed: a partial set), and the proof's
 * signature already checked against keyForSeq(state, proof.seq). Returns a new state; the old one
 * is unchanged.
 */
export function applyIdentityProof(state: IdentityState, proof: SignedProof): IdentityState {
  if (proof.issuer !== state.issuer) {
    throw new ProofError('malformed_proof', `identity replay of ${state.issuer} was given a proof of ${proof.issuer}`);
  }
  if (proof.seq <= state.lastSeq) {
    throw new ProofError('seq_gap', `identity replay needs increasing seqs: ${proof.seq} after ${state.lastSeq}`);
  }
  const next = { ...state, lastSeq: proof.seq };
  switch (proof.type) {
    case 'identity':
      return { ...next, name: proof.claim.name };
    case 'key_rotation': {
      const current = state.epochs[state.epochs.length - 1];
      if (current?.did === proof.claim.next_key) return next; // rotating to the same key changes nothing
      const publicKey = didKeyToPublicKey(proof.claim.next_key);
      if (!publicKey.ok) throw new ProofError('invalid_did', publicKey.error.message); // the schema admitted it
      return {
        ...next,
        epochs: [...state.epochs, { fromSeq: proof.seq + 1, did: proof.claim.next_key, publicKey: publicKey.value, rotationId: proof.id }],
      };
    }
    case 'delegation':
      return {
        ...next,
        delegations: [
          ...state.delegations,
          {
            id: proof.id,
            seq: proof.seq,
            agent: proof.claim.agent,
            scopes: [...proof.claim.scopes],
            createdAtMs: Date.parse(proof.created_at),
            expiresAtMs: Date.parse(proof.claim.expires_at),
          },
        ],
      };
    case 'revocation':
      return {
        ...next,
        revocations: [...state.revocations, { id: proof.id, seq: proof.seq, agent: proof.claim.agent, createdAtMs: Date.parse(proof.created_at) }],
      };
    default:
      return next;
  }
}

/**
 * Replays an issuer's proofs given in any order (only identity, key_rotation, delegation and
 * revocation change the state; other types may be included or left out). Two different proofs at
 * one seq are a fork: the key holder signed two histories and no key can be trusted after it.
 */
export function replayIdentity(issuer: string, proofs: Iterable<SignedProof>): Result<IdentityState, 'invalid_did' | 'malformed_proof' | 'fork'> {
  const created = createIdentityState(issuer);
  if (!created.ok) return created;
  const bySeq = new Map<number, SignedProof>();
  for (const proof of proofs) {
    if (proof.issuer !== issuer) return fail('malformed_proof', `proof ${proof.id} is by ${proof.issuer}, not ${issuer}`);
    const other = bySeq.get(proof.seq);
    if (other !== undefined && other.id !== proof.id) {
      return fail('fork', `issuer signed two proofs at seq ${proof.seq}`, { issuer, seq: proof.seq, first: other, second: proof });
    }
    bySeq.set(proof.seq, proof);
  }
  let state = created.value;
  for (const seq of [...bySeq.keys()].sort((a, b) => a - b)) {
    const proof = bySeq.get(seq);
    if (proof !== undefined) state = applyIdentityProof(state, proof);
  }
  return ok(state);
}

/** The key epoch that signs seq N, or undefined for a seq that is not a positive integer. */
export function keyEpochForSeq(state: IdentityState, seq: number): KeyEpoch | undefined {
  if (!Number.isSafeInteger(seq) || seq < 1) return undefined;
  for (let i = state.epochs.length - 1; i >= 0; i--) {
    const epoch = state.epochs[i];
    if (epoch !== undefined && epoch.fromSeq <= seq) return epoch;
  }
  return undefined;
}

/**
 * Which key may sign for this issuer at seq N: the inception key until (and including) the seq
 * of the first key_rotation, that rotation's next_key after it, and so on. For a seq above
 * lastSeq this is the key known so far (a later rotation the state has not seen would change it).
 */
export function keyForSeq(state: IdentityState, seq: number): Uint8Array | undefined {
  return keyEpochForSeq(state, seq)?.publicKey;
}

/** The delegation scope a proof type needs when it carries on_behalf_of. */
export function scopeForProofType(type: ProofType): DelegationScope | undefined {
  switch (type) {
    case 'post':
      return 'post';
    case 'reply':
      return 'reply';
    case 'reaction':
      return 'react';
    case 'moderation':
      return 'moderate';
    default:
      return undefined;
  }
}

/**
 * May agent A act for owner O with scope S at time T? Times compare as instants (ms). Boundaries:
 * a delegation made at exactly T covers T, a revocation made at exactly T already applies at T,
 * and a delegation expiring at exactly T no longer covers T.
 * A revocation cancels the owner's delegations to the agent that precede it in the owner's chain
 * (lower seq); a delegation after a revocation grants anew. When no live delegation covers S,
 * the most specific reason is returned: scope_denied (a live one lacks S), delegation_expired
 * (only expired ones), key_revoked (only revoked ones), not_delegated (none at all).
 */
export function mayActFor(owners: IdentityLookup, agentDid: string, ownerDid: string, scope: DelegationScope, at: Date): Result<true, DelegationErrorCode> {
  const time = at.getTime();
  const owner = owners.get(ownerDid);
  const grants = owner === undefined || Number.isNaN(time) ? [] : owner.delegations.filter((grant) => grant.agent === agentDid && grant.createdAtMs <= time);
  if (owner === undefined || grants.length === 0) {
    return fail('not_delegated', `no delegation from ${ownerDid} to ${agentDid} made at or before ${Number.isNaN(time) ? 'an invalid time' : at.toISOString()}`, {
      agent: agentDid,
      owner: ownerDid,
    });
  }
  const live = grants.filter(
    (grant) => !owner.revocations.some((revocation) => revocation.agent === agentDid && revocation.seq > grant.seq && revocation.createdAtMs <= time),
  );
  const unexpired = live.filter((grant) => grant.expiresAtMs > time);
  if (unexpired.some((grant) => grant.scopes.includes(scope))) return ok(true);
  const details = { agent: agentDid, owner: ownerDid, scope, at: at.toISOString() };
  if (unexpired.length > 0) {
    const scopes = [...new Set(unexpired.flatMap((grant) => grant.scopes))];
    return fail('scope_denied', `the delegation from ${ownerDid} does not grant "${scope}" (grants: ${scopes.join(', ')})`, { ...details, granted: scopes });
  }
  if (live.length > 0) return fail('delegation_expired', `every delegation from ${ownerDid} to this agent had expired at ${at.toISOString()}`, details);
  return fail('key_revoked', `${ownerDid} revoked this agent at or before ${at.toISOString()}`, details);
}

/**
 * The delegation rule for one proof: a proof with claim.on_behalf_of needs the owner's delegation
 * for its type's scope at its created_at. Proofs without on_behalf_of pass.
 *
 * At admission the hub also passes its admission time: the rule must then hold at that time too,
 * so once the hub holds a revocation it admits nothing more from the agent for that owner, even a
 * proof whose created_at is backdated into the ±5 min skew window. This only refuses more at the
 * door; every logged proof still satisfies the created_at rule everyone else checks.
 */
export function checkDelegatedProof(owners: IdentityLookup, proof: SignedProof, admissionTime?: Date): Result<true, DelegationErrorCode> {
  const owner = 'on_behalf_of' in proof.claim ? proof.claim.on_behalf_of : undefined;
  if (owner === undefined) return ok(true);
  const scope = scopeForProofType(proof.type);
  if (scope === undefined) return fail('not_delegated', `a ${proof.type} proof cannot be made on behalf of another issuer`);
  const atCreation = mayActFor(owners, proof.issuer, owner, scope, new Date(proof.created_at));
  if (!atCreation.ok || admissionTime === undefined) return atCreation;
  return mayActFor(owners, proof.issuer, owner, scope, admissionTime);
}

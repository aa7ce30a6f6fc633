// The browser's own check of a proof, the only way to a green badge (badge-state.ts). For each
// item the hub sends, independently of what the hub says about it:
//   1. the key: the issuer's identity and key_rotation proofs are fetched once per issuer and
//      replayed here (each checked with the key that precedes it), so a proof signed after a
//      rotation is checked against the new key and an old key cannot sign for later seqs;
//   2. id and signature (lib/proof verifyProof with the noble back-end, the One Ed25519 rule);
//   3. content: for a post or reply, the content beside it hashes to claim.content_digest
//      (a purged content is reported as such; the proof itself still checks);
//   4. chain link: the issuer's proof named by `prev` is fetched by id (or found on the page),
//      checked itself, and must be the same issuer's proof at seq - 1.
// Results are cached per proof id; a failure to reach the hub is thrown (not a verdict), so the
// caller can retry instead of painting an honest proof red.
import { nobleVerifier } from '@/lib/crypto/ed25519';
import type { SignatureVerifier } from '@/lib/crypto/types';
import { checkChainLink } from '@/lib/proof/chain';
import { checkContent } from '@/lib/proof/content';
import { applyIdentityProof, createIdentityState, keyForSeq } from '@/lib/proof/identity';
import type { IdentityState, KeyEpoch } from '@/lib/proof/identity';
import { parseSignedProof, verifyProof } from '@/lib/proof/proof';
import type { VerifiedProof } from '@/lib/proof/proof';
import type { SignedProof } from '@/lib/proof/schema';
import type { IdentityView } from '@/lib/protocol/views';
import type { ApiResult, ProofResponse } from '../api/client';
import type { BadgeState, BrowserChecked, InvalidReason } from './badge-state';

/** Where the checker reads proofs and identities from (the REST client; a fake in tests). */
export interface CheckerSource {
  proof(id: string): Promise<ApiResult<Pick<ProofResponse, 'proof'>>>;
  identity(did: string): Promise<ApiResult<Pick<IdentityView, 'proofs'>>>;
}

/** The hub could not be asked (network, 5xx): not a verdict on the proof. */
export class CheckUnavailableError extends Error {
  override readonly name = 'CheckUnavailableError';
}

export interface ItemToCheck {
  readonly proof: unknown;
  /** The content beside a post or reply; null when the hub purged it. */
  readonly content: unknown;
  readonly purged?: boolean;
}

export type CheckResult = { ok: true; checked: BrowserChecked } | { ok: false; reason: InvalidReason };

const CACHE_ENTRIES = 5_000;

/** A Map that forgets its oldest entry beyond a bound, and can forget one entry (a failed fetch). */
class BoundedMap<K, V> {
  readonly #entries = new Map<K, V>();
  constructor(readonly maxEntries: number) {}
  get(key: K): V | undefined {
    return this.#entries.get(key);
  }
  has(key: K): boolean {
    return this.#entries.has(key);
  }
  set(key: K, value: V): void {
    if (!this.#entries.has(key) && this.#entries.size >= this.maxEntries) {
      const oldest = this.#entries.keys().next();
      if (oldest.done !== true) this.#entries.delete(oldest.value);
    }
    this.#entries.set(key, value);
  }
  delete(key: K): void {
    this.#entries.delete(key);
  }
}

/** Caches a promise, but forgets it if it rejects, so a network failure is retried next time. */
function cachePromise<K, V>(cache: BoundedMap<K, Promise<V>>, key: K, promise: Promise<V>): Promise<V> {
  cache.set(key, promise);
  promise.catch(() => {
    if (cache.get(key) === promise) cache.delete(key);
  });
  return promise;
}

function invalid(code: string, message: string): { ok: false; reason: InvalidReason } {
  return { ok: false, reason: { code, message } };
}

function makeChecked(proof: VerifiedProof, contentPurged: boolean): BrowserChecked {
  return Object.freeze({ proof, contentPurged }) as BrowserChecked;
}

export class ProofChecker {
  readonly #source: CheckerSource;
  readonly #verifier: SignatureVerifier;
  /** Proofs whose id, signature and key this browser checked (not content or chain). */
  readonly #signatures = new BoundedMap<string, Promise<{ ok: true; proof: VerifiedProof } | { ok: false; reason: InvalidReason }>>(CACHE_ENTRIES);
  /** Proofs the page already holds, so chain links among them need no request. */
  readonly #known = new BoundedMap<string, unknown>(CACHE_ENTRIES);
  readonly #identities = new BoundedMap<string, Promise<IdentityState | InvalidReason>>(1_000);

  constructor(source: CheckerSource, verifier: SignatureVerifier = nobleVerifier) {
    this.#source = source;
    this.#verifier = verifier;
  }

  /** Offers a proof seen on the page (a thread's items) so it need not be fetched as someone's prev. */
  remember(proof: unknown): void {
    if (typeof proof === 'object' && proof !== null && typeof (proof as { id?: unknown }).id === 'string') {
      const id = (proof as { id: string }).id;
      if (!this.#known.has(id)) this.#known.set(id, proof);
    }
  }

  /** Badge for an item: `signed` when every check passes here, `invalid` with the reason otherwise. */
  async badge(item: ItemToCheck): Promise<BadgeState> {
    const result = await this.check(item);
    return result.ok ? { state: 'signed', checked: result.checked } : { state: 'invalid', reason: result.reason };
  }

  /** Throws CheckUnavailableError when the hub cannot be reached; otherwise a verdict. */
  async check(item: ItemToCheck): Promise<CheckResult> {
    this.remember(item.proof);
    const signature = await this.#checkSignature(item.proof);
    if (!signature.ok) return signature;
    const proof = signature.proof;

    let contentPurged = false;
    if (proof.type === 'post' || proof.type === 'reply') {
      if (item.content === null || item.content === undefined) {
        if (item.purged !== true) return invalid('content_required', 'the hub sent no content for this item and did not say it was purged');
        contentPurged = true;
      } else {
        const content = checkContent(proof, item.content);
        if (!content.ok) return invalid(content.error.code, content.error.message);
      }
    }

    const link = await this.#checkChainLink(proof);
    if (!link.ok) return link;
    return { ok: true, checked: makeChecked(proof, contentPurged) };
  }

  /**
   * The issuer's key history as this browser replayed and checked it (each identity and
   * key_rotation proof verified with the key in force before it). For the proof panel.
   */
  async keyHistory(issuer: string): Promise<{ ok: true; epochs: readonly KeyEpoch[] } | { ok: false; reason: InvalidReason }> {
    const state = await this.#identity(issuer, false);
    return 'code' in state ? { ok: false, reason: state } : { ok: true, epochs: state.epochs };
  }

  /** id, signature, and the key the issuer's own identity history names for this seq. Cached. */
  #checkSignature(input: unknown): Promise<{ ok: true; proof: VerifiedProof } | { ok: false; reason: InvalidReason }> {
    const id = typeof input === 'object' && input !== null ? (input as { id?: unknown }).id : undefined;
    if (typeof id === 'string') {
      const cached = this.#signatures.get(id);
      if (cached !== undefined) return cached;
    }
    const checking = this.#checkSignatureUncached(input);
    return typeof id === 'string' ? cachePromise(this.#signatures, id, checking) : checking;
  }

  async #checkSignatureUncached(input: unknown): Promise<{ ok: true; proof: VerifiedProof } | { ok: false; reason: InvalidReason }> {
    const parsed = parseSignedProof(input);
    if (!parsed.ok) return invalid(parsed.error.code, parsed.error.message);
    const proof = parsed.value;
    let state = await this.#identity(proof.issuer, false);
    if ('code' in state) return { ok: false, reason: state };
    if (proof.seq > state.lastSeq) {
      // A rotation newer than our copy of the identity would change the key: look again once.
      const first = verifyProof(proof, this.#verifier, { publicKey: keyForSeq(state, proof.seq) ?? new Uint8Array(32) });
      if (first.ok) return { ok: true, proof: first.value };
      state = await this.#identity(proof.issuer, true);
      if ('code' in state) return { ok: false, reason: state };
    }
    const publicKey = keyForSeq(state, proof.seq);
    if (publicKey === undefined) return invalid('unknown_key', `no key of ${proof.issuer} signs seq ${proof.seq}`);
    const verified = verifyProof(proof, this.#verifier, { publicKey });
    if (!verified.ok) return invalid(verified.error.code, verified.error.message);
    return { ok: true, proof: verified.value };
  }

  /**
   * The issuer's key history, replayed from its identity and key_rotation proofs, each checked
   * with the key in force before it. Fails with a reason when the history itself does not check.
   */
  #identity(issuer: string, refresh: boolean): Promise<IdentityState | InvalidReason> {
    const cached = this.#identities.get(issuer);
    if (cached !== undefined && !refresh) return cached;
    return cachePromise(this.#identities, issuer, this.#loadIdentity(issuer));
  }

  async #loadIdentity(issuer: string): Promise<IdentityState | InvalidReason> {
    const created = createIdentityState(issuer);
    if (!created.ok) return { code: created.error.code, message: created.error.message };
    const response = await this.#source.identity(issuer);
    if (!response.ok) {
      if (response.error.code === 'not_found') return { code: 'unknown_key', message: `the hub knows no identity ${issuer}` };
      throw new CheckUnavailableError(`identity ${issuer}: ${response.error.code}: ${response.error.message}`);
    }
    let state = created.value;
    const history: SignedProof[] = [];
    for (const raw of response.value.proofs) {
      const parsed = parseSignedProof(raw);
      if (!parsed.ok) return { code: parsed.error.code, message: `identity history of ${issuer}: ${parsed.error.message}` };
      history.push(parsed.value);
    }
    history.sort((a, b) => a.seq - b.seq);
    for (const proof of history) {
      if (proof.issuer !== issuer || proof.seq <= state.lastSeq) {
        return { code: 'malformed_proof', message: `identity history of ${issuer} is not one chain of its own proofs` };
      }
      const publicKey = keyForSeq(state, proof.seq);
      const verified = publicKey === undefined ? undefined : verifyProof(proof, this.#verifier, { publicKey });
      if (verified === undefined || !verified.ok) {
        return { code: 'bad_signature', message: `identity history of ${issuer}: seq ${proof.seq} does not verify` };
      }
      state = applyIdentityProof(state, verified.value);
    }
    return state;
  }

  async #checkChainLink(proof: VerifiedProof): Promise<{ ok: true } | { ok: false; reason: InvalidReason }> {
    if (proof.prev === null) {
      // The schema already ties prev null to seq 1 and seq 1 to an identity proof.
      const link = checkChainLink(null, proof);
      return link.ok ? { ok: true } : invalid(link.error.code, link.error.message);
    }
    let previous: unknown = this.#known.get(proof.prev);
    if (previous === undefined) {
      const response = await this.#source.proof(proof.prev);
      if (!response.ok) {
        if (response.error.code === 'not_found') {
          return invalid('prev_unavailable', `the issuer's previous proof ${proof.prev.slice(0, 12)}… is not available to you, so the chain link cannot be checked`);
        }
        throw new CheckUnavailableError(`proof ${proof.prev}: ${response.error.code}: ${response.error.message}`);
      }
      previous = response.value.proof;
      this.remember(previous);
    }
    const prevSignature = await this.#checkSignature(previous);
    if (!prevSignature.ok) return invalid('prev_mismatch', `the previous proof does not check: ${prevSignature.reason.code}: ${prevSignature.reason.message}`);
    const prev = prevSignature.proof;
    if (prev.id !== proof.prev) return invalid('prev_mismatch', 'the hub returned another proof than the one prev names');
    if (prev.issuer !== proof.issuer) return invalid('prev_mismatch', 'prev names a proof of another issuer');
    const link = checkChainLink({ seq: prev.seq, id: prev.id }, proof);
    return link.ok ? { ok: true } : invalid(link.error.code, link.error.message);
  }
}

// The mempool: log leaves waiting for a block. A leaf is (signing key, proof id, signature over
// the id). The pool is keyed by proof id, not by leaf hash: the payload rules refuse a block that
// holds one id twice, and an issuer can make any number of valid signatures of one id (RFC 8032
// signing is deterministic only by convention), so two leaves with one id in the pool would make
// every leader's proposal fail. The first leaf with an id wins; the log never holds an id twice.
//
// Admission checks the signature once (every validator must check every signature anyway, and a
// leaf that fails would cost its whole block the vote) and remembers the verdict (VerifiedLeaves),
// so checking the same leaf again in a proposal costs a WeakSet lookup. The pool holds the leaves
// as the LogLeaf objects blocks are made of: the leader proposes those very objects and a follower
// swaps a proposal's leaves for its pooled ones when the bytes are equal (block-codec `intern`),
// so the leaf hash (leafHashOf) and the signature check are done once per leaf and validator.
// Leaves reach every validator (the one the hub called forwards them to all peers), so whoever
// leads the next view can propose them and a leader change loses nothing.
//
// Bounded: at most maxLeaves waiting; a full pool refuses new leaves ("mempool_full", the hub
// retries later) rather than evicting leaves that may already be in a proposal.
import { BoundedCache, publicKeyCacheKey } from '@/lib/crypto/ed25519';
import type { SignatureVerifier } from '@/lib/crypto/types';
import { type LogLeaf, leafIdKey } from '@/lib/consensus';

/** A leaf as submitted or gossiped (lengths already checked by the caller's schema or layout). */
export interface Leaf {
  /** Ed25519 public key of the proof's issuer, 32 bytes. */
  readonly pub: Uint8Array;
  /** Proof id (SHA-256 of its canonical body), 32 bytes. */
  readonly id: Uint8Array;
  /** Ed25519 signature over the 32 id bytes, 64 bytes. */
  readonly sig: Uint8Array;
}

export type AdmitResult = 'accepted' | 'duplicate' | 'committed' | 'bad_signature' | 'mempool_full';

/**
 * A verifier that remembers signatures it found valid. Sound because Ed25519 verification is a
 * pure function of (signature, message, key); only successes are cached (a failure is cheap to
 * recompute and caching it would let junk fill the cache).
 */
export class VerifiedSignatures implements SignatureVerifier {
  readonly name: string;
  readonly #inner: SignatureVerifier;
  readonly #verified: BoundedCache<string, true>;
  hits = 0;
  misses = 0;

  constructor(inner: SignatureVerifier, maxEntries = 200_000) {
    this.#inner = inner;
    this.name = `${inner.name}+cache`;
    this.#verified = new BoundedCache(maxEntries);
  }

  verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
    const key = cacheKeyOf(signature, message, publicKey);
    if (key === null) return this.#inner.verify(signature, message, publicKey);
    if (this.#verified.has(key)) {
      this.hits++;
      return true;
    }
    this.misses++;
    const valid = this.#inner.verify(signature, message, publicKey);
    if (valid) this.#verified.set(key, true);
    return valid;
  }

  /**
   * Records a signature this process made itself with its own key (a vote or a timeout): its
   * validity is known, so the certificate that carries it back costs one signature check fewer.
   */
  remember(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): void {
    const key = cacheKeyOf(signature, message, publicKey);
    if (key !== null) this.#verified.set(key, true);
  }
}

/**
 * The cache key of (signature, message, key): the fixed-length key and signature first, so the
 * message's bytes cannot shift into them. Null for any other lengths (never valid, never cached).
 */
function cacheKeyOf(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): string | null {
  if (!(signature instanceof Uint8Array) || !(message instanceof Uint8Array) || !(publicKey instanceof Uint8Array)) return null;
  if (publicKey.length !== 32 || signature.length !== 64) return null;
  return publicKeyCacheKey(publicKey) + String.fromCharCode.apply(null, signature as unknown as number[]) + String.fromCharCode.apply(null, message as unknown as number[]);
}

/**
 * Leaf signature checks for the payload rules (`verifyLeaf`) and the mempool: a leaf object this
 * validator verified before answers from a WeakSet (leaves are immutable values); any other goes
 * through the verifier (a VerifiedSignatures: a leaf whose bytes were verified in another object
 * is a string-keyed cache hit). Only this process's own verdicts are remembered.
 */
export class VerifiedLeaves {
  readonly #verifier: SignatureVerifier;
  readonly #verified = new WeakSet<LogLeaf>();

  constructor(verifier: SignatureVerifier) {
    this.#verifier = verifier;
  }

  /** Whether this process verified this very leaf object. */
  has(leaf: LogLeaf): boolean {
    return this.#verified.has(leaf);
  }

  verify(leaf: LogLeaf): boolean {
    if (this.#verified.has(leaf)) return true;
    // A proof's signature is over the 32 id bytes (DESIGN.md, PROOF).
    if (!this.#verifier.verify(leaf.sig, leaf.id, leaf.publicKey)) return false;
    this.#verified.add(leaf);
    return true;
  }
}

export interface MempoolOptions {
  readonly verified: VerifiedLeaves;
  /** True when a leaf with this proof id is already in the committed log. */
  readonly isCommitted: (id: Uint8Array) => boolean;
  readonly maxLeaves?: number;
}

export class Mempool {
  /** Pooled leaves by proof id (leafIdKey), in arrival order. */
  readonly #leaves = new Map<string, LogLeaf>();
  readonly #options: MempoolOptions;
  readonly maxLeaves: number;

  constructor(options: MempoolOptions) {
    this.#options = options;
    this.maxLeaves = options.maxLeaves ?? 100_000;
  }

  get size(): number {
    return this.#leaves.size;
  }

  /**
   * Admits a structurally valid leaf. `leaf` is the pooled object when accepted, the one already
   * pooled under that id for a duplicate, and a new one otherwise.
   */
  add(input: Leaf): { result: AdmitResult; leaf: LogLeaf; key: string } {
    const key = leafIdKey(input.id);
    const pooled = this.#leaves.get(key);
    if (pooled !== undefined) return { result: 'duplicate', leaf: pooled, key };
    const leaf: LogLeaf = { publicKey: input.pub, id: input.id, sig: input.sig };
    if (this.#options.isCommitted(input.id)) return { result: 'committed', leaf, key };
    if (this.#leaves.size >= this.maxLeaves) return { result: 'mempool_full', leaf, key };
    if (!this.#options.verified.verify(leaf)) return { result: 'bad_signature', leaf, key };
    this.#leaves.set(key, leaf);
    return { result: 'accepted', leaf, key };
  }

  /**
   * Pools a leaf this process has already verified in another path (a proposal that beat the
   * gossip: the core checked its leaves before voting), so the gossiped copy that follows is a
   * `duplicate` (one Map lookup) instead of a second signature check. A leaf whose id is pooled or
   * committed, or one this process did not verify itself, is left out.
   */
  adopt(leaf: LogLeaf): boolean {
    if (!this.#options.verified.has(leaf) || this.#leaves.size >= this.maxLeaves) return false;
    const key = leafIdKey(leaf.id);
    if (this.#leaves.has(key) || this.#options.isCommitted(leaf.id)) return false;
    this.#leaves.set(key, leaf);
    return true;
  }

  /** The pooled leaf with this proof id (leafIdKey), if any. */
  get(key: string): LogLeaf | undefined {
    return this.#leaves.get(key);
  }

  /**
   * Up to max leaves in arrival order, skipping ids (leafIdKey) in `exclude` (leaves already in
   * proposed but uncommitted blocks on the branch being extended). Leaves stay pooled until committed.
   */
  select(max: number, exclude: ReadonlySet<string>): LogLeaf[] {
    const out: LogLeaf[] = [];
    if (max <= 0) return out;
    for (const [key, leaf] of this.#leaves) {
      if (exclude.has(key)) continue;
      out.push(leaf);
      if (out.length >= max) break;
    }
    return out;
  }

  /** Drops committed leaves, by proof id (leafIdKey). */
  removeCommitted(keys: Iterable<string>): void {
    for (const key of keys) this.#leaves.delete(key);
  }
}

// The mempool: log leaves waiting for a block. A leaf is (signing key, proof id, signature over
// the id). The pool is keyed by proof id, not by leaf hash: the payload rules refuse a block that
// holds one id twice, and an issuer can make any number of valid signatures of one id (RFC 8032
// signing is deterministic only by convention), so two leaves with one id in the pool would make
// every leader's proposal fail. The first leaf with an id wins; the log never holds an id twice.
//
// Admission checks the signature once (every validator must check every signature anyway, and a
// leaf that fails would cost its whole block the vote) and remembers the verdict in the
// VerifiedSignatures cache, so checking the same leaf again in a proposal costs a Map lookup.
// Leaves reach every validator (the one the hub called forwards them to all peers), so whoever
// leads the next view can propose them and a leader change loses nothing.
//
// Bounded: at most maxLeaves waiting; a full pool refuses new leaves ("mempool_full", the hub
// retries later) rather than evicting leaves that may already be in a proposal.
import { bytesToHex } from '@/lib/bytes';
import { BoundedCache, publicKeyCacheKey } from '@/lib/crypto/ed25519';
import type { SignatureVerifier } from '@/lib/crypto/types';
import { leafHash } from '@/lib/merkle';
import type { Hasher } from '@/lib/merkle';

export interface Leaf {
  /** Ed25519 public key of the proof's issuer, 32 bytes. */
  readonly pub: Uint8Array;
  /** Proof id (SHA-256 of its canonical body), 32 bytes. */
  readonly id: Uint8Array;
  /** Ed25519 signature over the 32 id bytes, 64 bytes. */
  readonly sig: Uint8Array;
}

export interface PooledLeaf extends Leaf {
  /** Hex proof id: the pool's key. */
  readonly idHex: string;
  /** Hex RFC 9162 leaf hash. */
  readonly hash: string;
  /** Monotonic arrival time (ms), for submit→commit latency. */
  readonly receivedAt: number;
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
    if (!(signature instanceof Uint8Array) || !(message instanceof Uint8Array) || !(publicKey instanceof Uint8Array)) return false;
    const key = publicKeyCacheKey(publicKey) + publicKeyCacheKey(message) + publicKeyCacheKey(signature);
    if (this.#verified.has(key)) {
      this.hits++;
      return true;
    }
    this.misses++;
    const valid = this.#inner.verify(signature, message, publicKey);
    if (valid) this.#verified.set(key, true);
    return valid;
  }
}

export interface MempoolOptions {
  readonly verifier: SignatureVerifier;
  readonly hasher: Hasher;
  /** True when a leaf with this proof id (hex) is already in the committed log. */
  readonly isCommitted: (idHex: string) => boolean;
  readonly maxLeaves?: number;
  /** Monotonic clock in ms (performance.now). */
  readonly now: () => number;
}

export class Mempool {
  readonly #leaves = new Map<string, PooledLeaf>();
  readonly #options: MempoolOptions;
  readonly maxLeaves: number;

  constructor(options: MempoolOptions) {
    this.#options = options;
    this.maxLeaves = options.maxLeaves ?? 100_000;
  }

  get size(): number {
    return this.#leaves.size;
  }

  /** Admits a structurally valid leaf (lengths already checked by the caller's schema). */
  add(leaf: Leaf): { result: AdmitResult; hash: string; idHex: string } {
    const idHex = bytesToHex(leaf.id);
    const hash = bytesToHex(leafHash(leaf.id, leaf.sig, this.#options.hasher));
    if (this.#leaves.has(idHex)) return { result: 'duplicate', hash, idHex };
    if (this.#options.isCommitted(idHex)) return { result: 'committed', hash, idHex };
    if (this.#leaves.size >= this.maxLeaves) return { result: 'mempool_full', hash, idHex };
    if (!this.#options.verifier.verify(leaf.sig, leaf.id, leaf.pub)) return { result: 'bad_signature', hash, idHex };
    this.#leaves.set(idHex, { pub: leaf.pub, id: leaf.id, sig: leaf.sig, idHex, hash, receivedAt: this.#options.now() });
    return { result: 'accepted', hash, idHex };
  }

  has(idHex: string): boolean {
    return this.#leaves.has(idHex);
  }

  /**
   * Up to max leaves in arrival order, skipping ids in `exclude` (leaves already in proposed but
   * uncommitted blocks on the branch being extended). Leaves stay pooled until committed.
   */
  select(max: number, exclude: ReadonlySet<string>): PooledLeaf[] {
    const out: PooledLeaf[] = [];
    if (max <= 0) return out;
    for (const leaf of this.#leaves.values()) {
      if (exclude.has(leaf.idHex)) continue;
      out.push(leaf);
      if (out.length >= max) break;
    }
    return out;
  }

  /** Drops committed leaves, by proof id (hex). */
  removeCommitted(idsHex: Iterable<string>): void {
    for (const idHex of idsHex) this.#leaves.delete(idHex);
  }
}

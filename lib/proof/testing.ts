// Deterministic issuers and chain writers for tests (this package's and the hub's, the chain's,
// the browser's). Real Ed25519 keys from fixed seeds, real signatures, a clock that advances a
// fixed step per proof: no randomness, no wall clock.
import { createSeedSigner } from '../crypto/keys';
import { publicKeyToDidKey } from '../crypto/did-key';
import type { Signer } from '../crypto/types';
import type { ClaimOf, EvidenceEntry, ProofType, SignedProofOf } from './schema';
import { buildUnsignedProof, signProof } from './proof';

export interface TestKey {
  readonly seed: Uint8Array;
  readonly signer: Signer;
  readonly publicKey: Uint8Array;
  readonly did: string;
}

/** A key from a 32-byte seed, or from a number n (seed = 32 bytes of n & 0xff, then n >> 8 ...). */
export function createTestKey(seed: Uint8Array | number): TestKey {
  let bytes: Uint8Array;
  if (typeof seed === 'number') {
    bytes = new Uint8Array(32);
    for (let i = 0; i < 32; i++) bytes[i] = (seed >>> ((i % 4) * 8)) & 0xff;
    bytes[31] = 0x5a; // never the all-zero seed of a published vector by accident
  } else {
    bytes = seed;
  }
  const signer = createSeedSigner(bytes);
  return { seed: bytes, signer, publicKey: signer.publicKey, did: publicKeyToDidKey(signer.publicKey) };
}

export const TEST_EPOCH = new Date('2026-11-23T18:00:00.000Z');

export interface ProofWriterOptions {
  readonly hub?: string;
  /** created_at of seq 1; later proofs add stepMs each. */
  readonly start?: Date;
  readonly stepMs?: number;
}

export interface WriteOverrides {
  readonly created_at?: string;
  readonly evidence?: readonly EvidenceEntry[];
  readonly hub?: string;
  /** Sign with another key than the current one (to test refusals). */
  readonly signer?: Signer;
  /** Write at another seq/prev than the chain's next (to test gaps and forks); the writer's head does not move. */
  readonly seq?: number;
  readonly prev?: string | null;
}

/**
 * Writes one issuer's chain: tracks seq and prev, signs with the current key, and switches keys
 * after rotate(). Throws if a proof it is asked to write is invalid (a test bug).
 */
export class ProofWriter {
  readonly inception: TestKey;
  #current: TestKey;
  #seq = 0;
  #prev: string | null = null;
  readonly #hub: string;
  readonly #start: number;
  readonly #stepMs: number;

  constructor(key: TestKey, options: ProofWriterOptions = {}) {
    this.inception = key;
    this.#current = key;
    this.#hub = options.hub ?? 'test-hub';
    this.#start = (options.start ?? TEST_EPOCH).getTime();
    this.#stepMs = options.stepMs ?? 1000;
  }

  get issuer(): string {
    return this.inception.did;
  }

  /** The key that signs the next proof. */
  get currentKey(): TestKey {
    return this.#current;
  }

  /** Seq of the last proof written (0 before any). */
  get seq(): number {
    return this.#seq;
  }

  get head(): string | null {
    return this.#prev;
  }

  /** created_at the writer gives seq n. */
  timeOf(seq: number): string {
    return new Date(this.#start + (seq - 1) * this.#stepMs).toISOString();
  }

  async write<T extends ProofType>(type: T, claim: ClaimOf<T>, overrides: WriteOverrides = {}): Promise<SignedProofOf<T>> {
    const advancing = overrides.seq === undefined && overrides.prev === undefined;
    const seq = overrides.seq ?? this.#seq + 1;
    const unsigned = buildUnsignedProof({
      type,
      hub: overrides.hub ?? this.#hub,
      issuer: this.issuer,
      seq,
      prev: overrides.prev !== undefined ? overrides.prev : advancing ? this.#prev : null,
      created_at: overrides.created_at ?? this.timeOf(seq),
      claim,
      evidence: overrides.evidence ?? [],
    });
    if (!unsigned.ok) throw new Error(`test proof invalid: ${unsigned.error.code}: ${unsigned.error.message}`);
    const signed = (await signProof(unsigned.value, overrides.signer ?? this.#current.signer)) as SignedProofOf<T>;
    if (advancing) {
      this.#seq = seq;
      this.#prev = signed.id;
    }
    return signed;
  }

  /** The inception proof (seq 1). */
  identity(name = 'Test issuer'): Promise<SignedProofOf<'identity'>> {
    return this.write('identity', { name });
  }

  /** A key_rotation signed by the current key; later proofs are signed by next. */
  async rotate(next: TestKey): Promise<SignedProofOf<'key_rotation'>> {
    const proof = await this.write('key_rotation', { next_key: next.did });
    this.#current = next;
    return proof;
  }
}

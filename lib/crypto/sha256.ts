// SHA-256 behind a small interface so the Merkle log and proof ids can take the fastest hash the
// platform offers: @noble/hashes here (pure, browser), node:crypto in server/crypto/sha256-node.ts.
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';

export interface Hasher {
  /** Name for reports and benchmarks, e.g. "noble" or "node". */
  readonly name?: string;
  /** SHA-256 (FIPS 180-4) digest, 32 bytes. */
  sha256(data: Uint8Array): Uint8Array;
}

export const SHA256_LENGTH = 32;

export function sha256(data: Uint8Array): Uint8Array {
  return nobleSha256(data);
}

export const nobleHasher: Hasher = { name: 'noble', sha256 };

// SHA-256 behind a small interface so the Merkle log and proof ids can take the fastest hash the
// platform offers: @noble/hashes here (pure, browser), node:crypto in server/crypto/sha256-node.ts.
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { utf8Encode } from '../bytes';

export interface Hasher {
  /** Name for reports and benchmarks, e.g. "noble" or "node". */
  readonly name?: string;
  /** SHA-256 (FIPS 180-4) digest, 32 bytes. */
  sha256(data: Uint8Array): Uint8Array;
  /**
   * Optional: SHA-256 of the UTF-8 bytes of well-formed text (no lone surrogates), equal to
   * sha256(utf8Encode(text)), for a back-end that encodes natively without the caller building
   * the bytes first (proof ids hash the JCS text of every proof verified). See sha256OfUtf8.
   */
  sha256Utf8?(text: string): Uint8Array;
}

export const SHA256_LENGTH = 32;

export function sha256(data: Uint8Array): Uint8Array {
  return nobleSha256(data);
}

export const nobleHasher: Hasher = { name: 'noble', sha256 };

/** SHA-256 of the UTF-8 bytes of well-formed text, natively when the hasher can. */
export function sha256OfUtf8(hasher: Hasher, text: string): Uint8Array {
  return hasher.sha256Utf8 === undefined ? hasher.sha256(utf8Encode(text)) : hasher.sha256Utf8(text);
}

// Validator key files. One JSON file per validator holding its Ed25519 seed, readable by its owner
// only (mode 0600, like ssh refuses a world-readable identity file: a leaked seed lets anyone
// double-sign in the validator's name, which is exactly what BFT safety assumes cannot happen).
import { chmod, readFile, stat, writeFile } from 'node:fs/promises';
import { createPrivateKey, sign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { z } from 'zod';
import { bytesEqual, bytesToHex, hexToBytes } from '@/lib/bytes';
import { createNodeSigner, generateSeed } from '@/server/crypto/ed25519-node';

export const KEY_FILE_TYPE = 'proofhub-validator-key/v1';

const hex32 = z.string().regex(/^[0-9a-f]{64}$/, 'expected 64 lowercase hex characters');

export const keyFileSchema = z.strictObject({
  type: z.literal(KEY_FILE_TYPE),
  public_key: hex32,
  seed: hex32,
});
export type KeyFile = z.infer<typeof keyFileSchema>;

/** DER PKCS #8 PrivateKeyInfo header for an Ed25519 seed (RFC 8410 §7): the 32-byte seed follows. */
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/**
 * A validator's signing key. Signing is synchronous (node:crypto): the peer links sign every
 * envelope in send order and the consensus loop signs votes inline, so no promise sits between
 * the persisted safety record and the signature it covers.
 */
export class ValidatorKey {
  readonly publicKey: Uint8Array;
  readonly #privateKey: KeyObject;
  readonly #seed: Uint8Array;

  constructor(seed: Uint8Array) {
    const signer = createNodeSigner(seed); // validates the seed and derives the public key
    this.publicKey = signer.publicKey;
    this.#seed = seed.slice();
    this.#privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' });
  }

  /** RFC 8032 §5.1.6 signature, 64 bytes. */
  sign(message: Uint8Array): Uint8Array {
    return new Uint8Array(sign(null, message, this.#privateKey));
  }

  /** The raw seed, for the pure core when it signs itself. */
  exportSeed(): Uint8Array {
    return this.#seed.slice();
  }

  toKeyFile(): KeyFile {
    return { type: KEY_FILE_TYPE, public_key: bytesToHex(this.publicKey), seed: bytesToHex(this.#seed) };
  }
}

export class KeyFileError extends Error {
  constructor(readonly code: 'key_file_unreadable' | 'key_file_malformed' | 'key_file_mismatch' | 'key_file_permissions', message: string) {
    super(message);
  }
}

export function generateValidatorKey(): ValidatorKey {
  return new ValidatorKey(generateSeed());
}

/** Writes a key file with mode 0600 (the mode is set again in case the file already existed). */
export async function writeKeyFile(path: string, key: ValidatorKey): Promise<void> {
  await writeFile(path, `${JSON.stringify(key.toKeyFile(), null, 2)}\n`, { mode: 0o600, flag: 'w' });
  await chmod(path, 0o600);
}

/** Reads and checks a key file: schema, public key matches the seed, not readable by group or others. */
export async function readKeyFile(path: string): Promise<ValidatorKey> {
  let text: string;
  try {
    const info = await stat(path);
    if (process.platform !== 'win32' && (info.mode & 0o077) !== 0) {
      throw new KeyFileError('key_file_permissions', `${path} is accessible by group or others (mode ${(info.mode & 0o777).toString(8)}); run chmod 600 ${path}`);
    }
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (error instanceof KeyFileError) throw error;
    throw new KeyFileError('key_file_unreadable', `cannot read key file ${path}: ${(error as Error).message}`);
  }
  let parsed: KeyFile;
  try {
    parsed = keyFileSchema.parse(JSON.parse(text));
  } catch (error) {
    throw new KeyFileError('key_file_malformed', `key file ${path} is malformed: ${(error as Error).message}`);
  }
  const key = new ValidatorKey(hexToBytes(parsed.seed));
  if (!bytesEqual(key.publicKey, hexToBytes(parsed.public_key))) {
    throw new KeyFileError('key_file_mismatch', `key file ${path}: public_key does not belong to the seed`);
  }
  return key;
}

// Pinning the genesis validator set (docs/consensus.md, "Light clients"). The object a hub serves
// (GET /api/v1/chain/validators, bundles) is not trusted field by field: the genesis hash is
// recomputed from the genesis file it carries (SHA-256 of its RFC 8785 form), the chain id bytes
// are that hash, and the listed keys must be the genesis file's keys in genesis order. What a
// caller should compare against an out-of-band value is the returned genesisHash.
import { z } from 'zod';
import { bytesEqual, bytesToHex, hexToBytes, utf8Encode } from '../bytes';
import { canonicalizeJson } from '../canonical-json';
import type { PinnedValidatorSet } from '../consensus/certificates';
import { didKeyToPublicKey } from '../crypto/did-key';
import { nobleHasher, type Hasher } from '../crypto/sha256';
import { fail, ok, type Result } from '../errors';
import { validatorSetSchema } from '../protocol/chain';
import type { ChainVerifyErrorCode } from './errors';

/** A validator set whose keys were checked against its genesis file: what certificates are checked with. */
export interface PinnedChain extends PinnedValidatorSet {
  /** The genesis file's chain_id (a name; the chain id bytes are the genesis hash). */
  readonly name: string;
  /** SHA-256 of the RFC 8785 genesis file, lowercase hex (= hex of chainId). */
  readonly genesisHash: string;
}

// Only the fields a light client needs; the rest of the file is covered by the hash.
const genesisKeysSchema = z.object({
  chain_id: z.string().min(1).max(64),
  validators: z
    .array(z.object({ index: z.number().int().nonnegative(), public_key: z.string().min(1).max(200) }))
    .min(1)
    .max(100),
});

function decodeKeyText(text: string): Uint8Array | null {
  if (/^[0-9a-fA-F]{64}$/.test(text)) return hexToBytes(text.toLowerCase());
  const decoded = didKeyToPublicKey(text);
  return decoded.ok ? decoded.value : null;
}

function describe(error: z.ZodError): string {
  const issue = error.issues[0];
  if (issue === undefined) return 'invalid';
  return issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message;
}

/**
 * Checks a validator set (lib/protocol/chain.ts validatorSetSchema) against the genesis file it
 * carries and returns what to pin. Never throws.
 */
export function verifyValidatorSet(input: unknown, hasher: Hasher = nobleHasher): Result<PinnedChain, ChainVerifyErrorCode> {
  const parsed = validatorSetSchema.safeParse(input);
  if (!parsed.success) return fail('invalid_validator_set', `not a validator set: ${describe(parsed.error)}`);
  const set = parsed.data;
  const genesis = genesisKeysSchema.safeParse(set.genesis);
  if (!genesis.success) return fail('invalid_validator_set', `genesis: ${describe(genesis.error)}`);

  let canonical: string;
  try {
    canonical = canonicalizeJson(set.genesis);
  } catch (error) {
    return fail('invalid_validator_set', `genesis cannot be canonicalized: ${error instanceof Error ? error.message : String(error)}`);
  }
  const hash = hasher.sha256(utf8Encode(canonical));
  const genesisHash = bytesToHex(hash);
  if (genesisHash !== set.genesis_hash) {
    return fail('genesis_hash_mismatch', `genesis_hash ${set.genesis_hash.slice(0, 12)}… is not the hash of the genesis file (${genesisHash.slice(0, 12)}…)`);
  }
  if (genesis.data.chain_id !== set.chain_id) {
    return fail('validator_set_mismatch', `chain_id "${set.chain_id}" is not the genesis file's "${genesis.data.chain_id}"`);
  }

  const keys: Uint8Array[] = [];
  for (const [position, validator] of genesis.data.validators.entries()) {
    if (validator.index !== position) return fail('invalid_validator_set', `genesis validator ${position} has index ${validator.index}`);
    const key = decodeKeyText(validator.public_key);
    if (key === null) return fail('invalid_validator_set', `genesis validator ${position}: not a 32-byte hex key or Ed25519 did:key`);
    keys.push(key);
  }
  if (set.validators.length !== keys.length) {
    return fail('validator_set_mismatch', `${set.validators.length} validators listed, the genesis file names ${keys.length}`);
  }
  for (const [position, validator] of set.validators.entries()) {
    const expected = keys[position] as Uint8Array;
    if (validator.index !== position || !bytesEqual(hexToBytes(validator.public_key), expected)) {
      return fail('validator_set_mismatch', `validator ${position} is not the genesis file's validator ${position}`);
    }
    const fromDid = didKeyToPublicKey(validator.did);
    if (!fromDid.ok || !bytesEqual(fromDid.value, expected)) {
      return fail('validator_set_mismatch', `validator ${position}: did does not name its public key`);
    }
  }
  return ok({ chainId: hash, validators: keys, name: set.chain_id, genesisHash });
}

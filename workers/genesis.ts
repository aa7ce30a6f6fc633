// The genesis file: the chain's identity and its validator set (n = 3f+1), fixed at creation.
// Every validator and light client pins it; a validator refuses a data directory made for another
// genesis (the store records the genesis hash on first start).
import { readFile, writeFile } from 'node:fs/promises';
import { z } from 'zod';
import { bytesToHex, hexToBytes, utf8Encode } from '@/lib/bytes';
import { canonicalizeJson } from '@/lib/canonical-json';
import { didKeyToPublicKey, isDidKey } from '@/lib/crypto/did-key';
import { isValidPublicKey } from '@/lib/crypto/ed25519';
import { sha256 } from '@/lib/crypto/sha256';

export const MAX_VALIDATORS = 100;

const publicKeyText = z
  .string()
  .refine((text) => /^[0-9a-fA-F]{64}$/.test(text) || isDidKey(text), { message: 'expected 64 hex characters or an Ed25519 did:key' });

export const genesisValidatorSchema = z.strictObject({
  index: z.number().int().min(0).max(MAX_VALIDATORS - 1),
  public_key: publicKeyText,
  host: z.string().min(1).max(253).regex(/^[A-Za-z0-9.:[\]-]+$/, 'expected a host name or IP address'),
  port: z.number().int().min(1).max(65_535),
});

export const genesisSchema = z
  .strictObject({
    chain_id: z.string().min(1).max(64).regex(/^[a-z0-9][a-z0-9._-]*$/, 'lowercase letters, digits, ".", "_" and "-"'),
    created_at: z.iso.datetime(),
    validators: z.array(genesisValidatorSchema).min(1).max(MAX_VALIDATORS),
  })
  .superRefine((genesis, ctx) => {
    const n = genesis.validators.length;
    if ((n - 1) % 3 !== 0) ctx.addIssue({ code: 'custom', path: ['validators'], message: `n = ${n} is not of the form 3f+1` });
    const keys = new Set<string>();
    const addresses = new Set<string>();
    genesis.validators.forEach((validator, position) => {
      if (validator.index !== position) ctx.addIssue({ code: 'custom', path: ['validators', position, 'index'], message: `index must be ${position}` });
      const key = decodePublicKeyText(validator.public_key);
      // isValidPublicKey, not only the byte checks: an off-curve key could never sign a vote, so a
      // genesis naming one would start a chain with a validator that can only ever be counted faulty.
      if (key === null || !isValidPublicKey(key)) {
        ctx.addIssue({ code: 'custom', path: ['validators', position, 'public_key'], message: 'not a valid Ed25519 public key' });
      } else {
        const hex = bytesToHex(key);
        if (keys.has(hex)) ctx.addIssue({ code: 'custom', path: ['validators', position, 'public_key'], message: 'duplicate public key' });
        keys.add(hex);
      }
      const address = `${validator.host}:${validator.port}`;
      if (addresses.has(address)) ctx.addIssue({ code: 'custom', path: ['validators', position], message: `duplicate address ${address}` });
      addresses.add(address);
    });
  });
export type GenesisFile = z.infer<typeof genesisSchema>;

export interface GenesisValidator {
  readonly index: number;
  readonly publicKey: Uint8Array;
  readonly host: string;
  readonly port: number;
}

/** A parsed genesis: the file as written plus decoded keys and its hash. */
export interface Genesis {
  readonly chainId: string;
  readonly createdAt: string;
  readonly validators: readonly GenesisValidator[];
  /** n = 3f+1. */
  readonly f: number;
  /** SHA-256 of the RFC 8785 canonical JSON of the file, hex. */
  readonly hash: string;
  readonly file: GenesisFile;
}

export class GenesisError extends Error {
  readonly code = 'genesis_invalid';
}

function decodePublicKeyText(text: string): Uint8Array | null {
  if (/^[0-9a-fA-F]{64}$/.test(text)) return hexToBytes(text);
  const decoded = didKeyToPublicKey(text);
  return decoded.ok ? decoded.value : null;
}

/** Validates a parsed JSON value as a genesis file. Throws GenesisError with every issue listed. */
export function parseGenesis(value: unknown): Genesis {
  const parsed = genesisSchema.safeParse(value);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ');
    throw new GenesisError(`invalid genesis: ${issues}`);
  }
  const file = parsed.data;
  return {
    chainId: file.chain_id,
    createdAt: file.created_at,
    validators: file.validators.map((validator) => ({
      index: validator.index,
      publicKey: decodePublicKeyText(validator.public_key) as Uint8Array,
      host: validator.host,
      port: validator.port,
    })),
    f: (file.validators.length - 1) / 3,
    hash: bytesToHex(sha256(utf8Encode(canonicalizeJson(file)))),
    file,
  };
}

export async function readGenesisFile(path: string): Promise<Genesis> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new GenesisError(`cannot read genesis file ${path}: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new GenesisError(`genesis file ${path} is not JSON: ${(error as Error).message}`);
  }
  return parseGenesis(json);
}

export async function writeGenesisFile(path: string, file: GenesisFile): Promise<void> {
  parseGenesis(file);
  await writeFile(path, `${JSON.stringify(file, null, 2)}\n`, 'utf8');
}

/** Index of the validator whose key is publicKey, or -1. */
export function validatorIndexOf(genesis: Genesis, publicKey: Uint8Array): number {
  const hex = bytesToHex(publicKey);
  return genesis.validators.findIndex((validator) => bytesToHex(validator.publicKey) === hex);
}

// The CLI's Ed25519 key file: {"type":"ed25519","seed":"<64 hex>","did":"did:key:z6Mk…"}, written
// with mode 0600. The seed is the RFC 8032 §5.1.5 private key (32 bytes); the did is stored for
// people and tools that want the identity without the secret, and is re-derived and compared on
// every read so an edited file cannot sign under a name it does not own.
import { randomBytes } from 'node:crypto';
import { rename, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';
import { base64urlToBytes, bytesToHex, hexToBytes } from '@/lib/bytes';
import { publicKeyFromSeed } from '@/lib/crypto/ed25519';
import { publicKeyToDidKey } from '@/lib/crypto/did-key';
import { describeZodError, parseJsonText } from './args';
import { UsageError, readInput } from './io';

export interface KeyFile {
  readonly seed: Uint8Array;
  readonly publicKey: Uint8Array;
  readonly did: string;
}

// The seed may be hex (what keygen writes) or base64url without padding (43 characters).
const seedSchema = z.union([
  z.string().regex(/^[0-9a-fA-F]{64}$/).transform((text) => hexToBytes(text)),
  z.string().regex(/^[A-Za-z0-9_-]{43}$/).transform((text, context) => {
    try {
      return base64urlToBytes(text);
    } catch {
      context.addIssue({ code: 'custom', message: 'not canonical base64url' });
      return z.NEVER;
    }
  }),
], { error: 'seed must be 32 bytes as 64 hex characters or 43 base64url characters' });

const keyFileSchema = z.object({
  type: z.literal('ed25519', { error: 'type must be "ed25519"' }),
  seed: seedSchema,
  did: z.string().startsWith('did:key:z', 'did must be a did:key').optional(),
});

/** The key file's JSON text for a seed (ends with a newline). */
export function formatKeyFile(seed: Uint8Array): { text: string; did: string } {
  const did = publicKeyToDidKey(publicKeyFromSeed(seed));
  return { text: `${JSON.stringify({ type: 'ed25519', seed: bytesToHex(seed), did }, null, 2)}\n`, did };
}

/** Reads and checks a key file. Throws UsageError naming the file on any problem. */
export async function readKeyFile(path: string): Promise<KeyFile> {
  const json = parseJsonText(await readInput(path), `key file ${path}`);
  const result = keyFileSchema.safeParse(json);
  if (!result.success) throw new UsageError(`key file ${path} is not an Ed25519 key file: ${describeZodError(result.error)}`);
  const { seed, did: storedDid } = result.data;
  const publicKey = publicKeyFromSeed(seed);
  const did = publicKeyToDidKey(publicKey);
  if (storedDid !== undefined && storedDid !== did) {
    throw new UsageError(`key file ${path}: its did ${storedDid} is not the did:key of its seed (${did})`);
  }
  return { seed, publicKey, did };
}

/**
 * Writes text to path, readable by its owner only (0600). Without force an existing file is never
 * touched (O_EXCL). With force the data goes to a fresh 0600 temporary file beside the target and
 * is renamed over it, so the secret is never readable through the old file's possibly looser mode.
 */
export async function writeSecretFile(path: string, text: string, { force }: { force: boolean }): Promise<void> {
  const target = force ? join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`) : path;
  try {
    // A new file gets mode 0600 minus the umask: never wider than owner read/write.
    await writeFile(target, text, { mode: 0o600, flag: 'wx' });
    if (force) await rename(target, path);
  } catch (error) {
    if (force) await unlink(target).catch(() => undefined);
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new UsageError(`${path} exists; refusing to overwrite it (use --force to replace it)`);
    throw new UsageError(`cannot write ${path}: ${(error as Error).message}`);
  }
}

// The person's Ed25519 signing key, kept in this browser's IndexedDB. The private key never
// leaves the browser unencrypted (docs/ui.md, "Key storage", has the design and threat model).
//
// Where the browser implements Ed25519 in WebCrypto (Chromium, Firefox, Safari 17+), the daily
// signing key is a non-extractable CryptoKey: page script can ask it to sign but can never read
// its bytes, so an XSS cannot copy the key away (it can only sign while the page is open).
// Export to a passphrase-protected file still has to be possible, so beside the signing key we
// keep the 32-byte seed encrypted with AES-256-GCM under a second, non-extractable AES key made
// for this purpose. Only exportKeyFile decrypts it, to re-encrypt it at once under the
// passphrase. Where WebCrypto has no Ed25519 we fall back to @noble/ed25519: the seed is then
// decrypted into memory to sign, which is the best a browser without native Ed25519 allows.
import { z } from 'zod';
import { base64urlToBytes, bytesEqual, bytesToBase64url, concatBytes, utf8Encode } from '@/lib/bytes';
import { publicKeyFromSeed, nobleVerifier, ED25519_SEED_LENGTH } from '@/lib/crypto/ed25519';
import { publicKeyToDidKey } from '@/lib/crypto/did-key';
import { createSeedSigner } from '@/lib/crypto/keys';
import type { Signer } from '@/lib/crypto/types';
import { fail, ok } from '@/lib/errors';
import type { Result } from '@/lib/errors';

export type KeyBackend = 'webcrypto' | 'noble';

export type KeyStoreErrorCode =
  | 'key_not_found'
  | 'key_file_invalid'
  | 'passphrase_too_short'
  | 'passphrase_wrong'
  | 'storage_unavailable';

/** A signing key this browser holds. */
export interface BrowserKey {
  readonly did: string;
  readonly publicKey: Uint8Array;
  readonly backend: KeyBackend;
  readonly createdAt: string;
  readonly signer: Signer;
}

export interface KeySummary {
  readonly did: string;
  readonly backend: KeyBackend;
  readonly createdAt: string;
}

/** What IndexedDB holds per key. CryptoKey objects survive structured cloning, bytes do not leak. */
interface StoredKey {
  did: string;
  publicKey: Uint8Array;
  backend: KeyBackend;
  createdAt: string;
  /** Non-extractable Ed25519 private key (webcrypto back-end only). */
  signingKey?: CryptoKey;
  /** Non-extractable AES-256-GCM key that seals the seed. */
  sealingKey: CryptoKey;
  sealedSeed: { iv: Uint8Array; ciphertext: Uint8Array };
}

const DATABASE_NAME = 'proofhub-keys';
const DATABASE_VERSION = 1;
const STORE = 'keys';

/** Export file format. The header is bound to the ciphertext as AES-GCM additional data. */
export const KEY_FILE_FORMAT = 'proofhub-key/1';
/** OWASP Password Storage Cheat Sheet (2023): 600,000 iterations for PBKDF2-HMAC-SHA256. */
export const KEY_FILE_PBKDF2_ITERATIONS = 600_000;
export const MIN_PASSPHRASE_LENGTH = 10;

const base64urlString = z.string().regex(/^[A-Za-z0-9_-]+$/);

export const keyFileSchema = z.object({
  format: z.literal(KEY_FILE_FORMAT),
  did: z.string().startsWith('did:key:z').max(128),
  kdf: z.object({
    name: z.literal('PBKDF2'),
    hash: z.literal('SHA-256'),
    iterations: z.number().int().min(100_000).max(10_000_000),
    salt: base64urlString.min(22).max(88),
  }),
  cipher: z.object({ name: z.literal('AES-GCM'), iv: base64urlString.length(16) }),
  ciphertext: base64urlString.length(64), // 32-byte seed + 16-byte tag = 48 bytes = 64 chars
});

export type KeyFile = z.infer<typeof keyFileSchema>;

// RFC 8410 §7: PKCS#8 PrivateKeyInfo for Ed25519 is this fixed 16-byte prefix and the 32-byte
// seed as an OCTET STRING inside the privateKey OCTET STRING.
const ED25519_PKCS8_PREFIX = Uint8Array.of(
  0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
);

export interface KeyStoreOptions {
  indexedDB?: IDBFactory;
  crypto?: Crypto;
  /** Forces a back-end (tests); by default WebCrypto Ed25519 when it works, else noble. */
  backend?: KeyBackend;
  /** PBKDF2 iterations for exportKeyFile (tests lower it; never below the schema's minimum). */
  exportIterations?: number;
}

/** Bytes as a fresh ArrayBuffer-backed view, which WebCrypto's typings (BufferSource) want. */
function buffer(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  const copy = new Uint8Array(new ArrayBuffer(bytes.length));
  copy.set(bytes);
  return copy;
}

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB request failed'));
  });
}

export class KeyStore {
  readonly #indexedDB: IDBFactory | undefined;
  readonly #crypto: Crypto;
  readonly #forcedBackend: KeyBackend | undefined;
  readonly #exportIterations: number;
  #database: Promise<IDBDatabase> | undefined;
  #webCryptoEd25519: Promise<boolean> | undefined;

  constructor(options: KeyStoreOptions = {}) {
    this.#indexedDB = options.indexedDB ?? (typeof indexedDB === 'undefined' ? undefined : indexedDB);
    this.#crypto = options.crypto ?? globalThis.crypto;
    this.#forcedBackend = options.backend;
    this.#exportIterations = options.exportIterations ?? KEY_FILE_PBKDF2_ITERATIONS;
  }

  /** Makes a new key, stores it, and returns it ready to sign. */
  async createKey(now: Date = new Date()): Promise<Result<BrowserKey, KeyStoreErrorCode>> {
    const seed = this.#crypto.getRandomValues(new Uint8Array(ED25519_SEED_LENGTH));
    try {
      return await this.#storeSeed(seed, now);
    } finally {
      seed.fill(0);
    }
  }

  /** The key for did, or key_not_found when this browser does not hold it. */
  async loadKey(did: string): Promise<Result<BrowserKey, KeyStoreErrorCode>> {
    const database = await this.#open();
    if (!database.ok) return database;
    const stored = await request<StoredKey | undefined>(
      database.value.transaction(STORE, 'readonly').objectStore(STORE).get(did) as IDBRequest<StoredKey | undefined>,
    );
    if (stored === undefined) return fail('key_not_found', 'this browser holds no signing key for ' + did);
    return ok(this.#toBrowserKey(stored));
  }

  async listKeys(): Promise<Result<KeySummary[], KeyStoreErrorCode>> {
    const database = await this.#open();
    if (!database.ok) return database;
    const all = await request(database.value.transaction(STORE, 'readonly').objectStore(STORE).getAll() as IDBRequest<StoredKey[]>);
    return ok(all.map(({ did, backend, createdAt }) => ({ did, backend, createdAt })));
  }

  async deleteKey(did: string): Promise<Result<true, KeyStoreErrorCode>> {
    const database = await this.#open();
    if (!database.ok) return database;
    const transaction = database.value.transaction(STORE, 'readwrite');
    transaction.objectStore(STORE).delete(did);
    await transactionDone(transaction);
    return ok(true);
  }

  /**
   * The key as a passphrase-encrypted file: PBKDF2-HMAC-SHA256 → AES-256-GCM over the 32-byte
   * seed, the file's header (format, did, kdf, cipher) as additional data so no field can be
   * swapped without the tag failing.
   */
  async exportKeyFile(did: string, passphrase: string): Promise<Result<KeyFile, KeyStoreErrorCode>> {
    if (passphrase.length < MIN_PASSPHRASE_LENGTH) {
      return fail('passphrase_too_short', `choose a passphrase of at least ${MIN_PASSPHRASE_LENGTH} characters`);
    }
    const database = await this.#open();
    if (!database.ok) return database;
    const stored = await request<StoredKey | undefined>(
      database.value.transaction(STORE, 'readonly').objectStore(STORE).get(did) as IDBRequest<StoredKey | undefined>,
    );
    if (stored === undefined) return fail('key_not_found', 'this browser holds no signing key for ' + did);
    const seed = await this.#unsealSeed(stored);
    try {
      const salt = this.#crypto.getRandomValues(new Uint8Array(16));
      const iv = this.#crypto.getRandomValues(new Uint8Array(12));
      const header = {
        format: KEY_FILE_FORMAT as typeof KEY_FILE_FORMAT,
        did,
        kdf: { name: 'PBKDF2' as const, hash: 'SHA-256' as const, iterations: this.#exportIterations, salt: bytesToBase64url(salt) },
        cipher: { name: 'AES-GCM' as const, iv: bytesToBase64url(iv) },
      };
      const key = await this.#passphraseKey(passphrase, salt, header.kdf.iterations);
      const ciphertext = new Uint8Array(
        await this.#crypto.subtle.encrypt({ name: 'AES-GCM', iv: buffer(iv), additionalData: buffer(keyFileAad(header)) }, key, buffer(seed)),
      );
      return ok({ ...header, ciphertext: bytesToBase64url(ciphertext) });
    } finally {
      seed.fill(0);
    }
  }

  /** Reads a key file made by exportKeyFile (here or in another browser) and stores its key. */
  async importKeyFile(file: unknown, passphrase: string): Promise<Result<BrowserKey, KeyStoreErrorCode>> {
    const parsed = keyFileSchema.safeParse(file);
    if (!parsed.success) return fail('key_file_invalid', 'this is not a proofhub key file: ' + parsed.error.issues[0]?.message);
    const keyFile = parsed.data;
    const key = await this.#passphraseKey(passphrase, base64urlToBytes(keyFile.kdf.salt), keyFile.kdf.iterations);
    let seed: Uint8Array;
    try {
      seed = new Uint8Array(
        await this.#crypto.subtle.decrypt(
          { name: 'AES-GCM', iv: buffer(base64urlToBytes(keyFile.cipher.iv)), additionalData: buffer(keyFileAad(keyFile)) },
          key,
          buffer(base64urlToBytes(keyFile.ciphertext)),
        ),
      );
    } catch {
      // AES-GCM cannot tell a wrong passphrase from a tampered file; the first is far likelier.
      return fail('passphrase_wrong', 'the passphrase does not open this key file (or the file was altered)');
    }
    try {
      if (seed.length !== ED25519_SEED_LENGTH || publicKeyToDidKey(publicKeyFromSeed(seed)) !== keyFile.did) {
        return fail('key_file_invalid', 'the key inside the file does not match its did');
      }
      return await this.#storeSeed(seed, new Date());
    } finally {
      seed.fill(0);
    }
  }

  /** Whether this browser's WebCrypto signs Ed25519 correctly (checked once, against noble). */
  async supportsWebCryptoEd25519(): Promise<boolean> {
    if (this.#forcedBackend !== undefined) return this.#forcedBackend === 'webcrypto';
    this.#webCryptoEd25519 ??= (async () => {
      try {
        const seed = this.#crypto.getRandomValues(new Uint8Array(ED25519_SEED_LENGTH));
        const privateKey = await this.#importSigningKey(seed);
        const message = utf8Encode('proofhub webcrypto self-test');
        const signature = new Uint8Array(await this.#crypto.subtle.sign({ name: 'Ed25519' }, privateKey, buffer(message)));
        return nobleVerifier.verify(signature, message, publicKeyFromSeed(seed));
      } catch {
        return false;
      }
    })();
    return this.#webCryptoEd25519;
  }

  async #storeSeed(seed: Uint8Array, now: Date): Promise<Result<BrowserKey, KeyStoreErrorCode>> {
    const database = await this.#open();
    if (!database.ok) return database;
    const backend: KeyBackend = (await this.supportsWebCryptoEd25519()) ? 'webcrypto' : 'noble';
    const publicKey = publicKeyFromSeed(seed);
    const sealingKey = await this.#crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
    const iv = this.#crypto.getRandomValues(new Uint8Array(12));
    const ciphertext = new Uint8Array(await this.#crypto.subtle.encrypt({ name: 'AES-GCM', iv: buffer(iv) }, sealingKey, buffer(seed)));
    const stored: StoredKey = {
      did: publicKeyToDidKey(publicKey),
      publicKey,
      backend,
      createdAt: now.toISOString(),
      sealingKey,
      sealedSeed: { iv, ciphertext },
    };
    if (backend === 'webcrypto') stored.signingKey = await this.#importSigningKey(seed);
    const transaction = database.value.transaction(STORE, 'readwrite');
    transaction.objectStore(STORE).put(stored);
    await transactionDone(transaction);
    return ok(this.#toBrowserKey(stored));
  }

  #toBrowserKey(stored: StoredKey): BrowserKey {
    const { did, publicKey, backend, createdAt } = stored;
    const subtle = this.#crypto.subtle;
    const signingKey = stored.signingKey;
    const signer: Signer =
      backend === 'webcrypto' && signingKey !== undefined
        ? { publicKey, sign: async (message) => new Uint8Array(await subtle.sign({ name: 'Ed25519' }, signingKey, buffer(message))) }
        : {
            publicKey,
            sign: async (message) => {
              const seed = await this.#unsealSeed(stored);
              try {
                return await createSeedSigner(seed).sign(message);
              } finally {
                seed.fill(0);
              }
            },
          };
    return { did, publicKey, backend, createdAt, signer };
  }

  async #unsealSeed(stored: StoredKey): Promise<Uint8Array> {
    const { iv, ciphertext } = stored.sealedSeed;
    const seed = new Uint8Array(await this.#crypto.subtle.decrypt({ name: 'AES-GCM', iv: buffer(iv) }, stored.sealingKey, buffer(ciphertext)));
    if (!bytesEqual(publicKeyFromSeed(seed), stored.publicKey)) throw new Error('stored key is corrupt: seed and public key differ');
    return seed;
  }

  #importSigningKey(seed: Uint8Array): Promise<CryptoKey> {
    const pkcs8 = concatBytes(ED25519_PKCS8_PREFIX, seed);
    return this.#crypto.subtle.importKey('pkcs8', buffer(pkcs8), { name: 'Ed25519' }, false, ['sign']).finally(() => pkcs8.fill(0));
  }

  async #passphraseKey(passphrase: string, salt: Uint8Array, iterations: number): Promise<CryptoKey> {
    const material = await this.#crypto.subtle.importKey('raw', buffer(utf8Encode(passphrase.normalize('NFC'))), 'PBKDF2', false, ['deriveKey']);
    return this.#crypto.subtle.deriveKey(
      { name: 'PBKDF2', hash: 'SHA-256', salt: buffer(salt), iterations },
      material,
      { name: 'AES-GCM', length: 256 },
      false,
      ['encrypt', 'decrypt'],
    );
  }

  #open(): Promise<Result<IDBDatabase, KeyStoreErrorCode>> {
    const factory = this.#indexedDB;
    if (factory === undefined) return Promise.resolve(fail('storage_unavailable', 'this browser offers no IndexedDB to keep a signing key in'));
    this.#database ??= new Promise<IDBDatabase>((resolve, reject) => {
      const opening = factory.open(DATABASE_NAME, DATABASE_VERSION);
      opening.onupgradeneeded = () => {
        if (!opening.result.objectStoreNames.contains(STORE)) opening.result.createObjectStore(STORE, { keyPath: 'did' });
      };
      opening.onsuccess = () => resolve(opening.result);
      opening.onerror = () => reject(opening.error ?? new Error('IndexedDB open failed'));
      opening.onblocked = () => reject(new Error('IndexedDB open blocked by another tab'));
    });
    return this.#database.then(
      (database) => ok(database),
      (error: unknown) => {
        this.#database = undefined;
        return fail('storage_unavailable', 'cannot open IndexedDB: ' + (error instanceof Error ? error.message : String(error)));
      },
    );
  }
}

function transactionDone(transaction: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    transaction.oncomplete = () => resolve();
    transaction.onerror = () => reject(transaction.error ?? new Error('IndexedDB transaction failed'));
    transaction.onabort = () => reject(transaction.error ?? new Error('IndexedDB transaction aborted'));
  });
}

function keyFileAad(header: Pick<KeyFile, 'format' | 'did' | 'kdf' | 'cipher'>): Uint8Array {
  const { format, did, kdf, cipher } = header;
  return utf8Encode(JSON.stringify([format, did, kdf.name, kdf.hash, kdf.iterations, kdf.salt, cipher.name, cipher.iv]));
}

let defaultStore: KeyStore | undefined;

/** The page's key store on the browser's own IndexedDB and WebCrypto. */
export function browserKeyStore(): KeyStore {
  defaultStore ??= new KeyStore();
  return defaultStore;
}

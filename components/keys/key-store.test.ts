import { describe, expect, it } from 'vitest';
import { IDBFactory } from 'fake-indexeddb';
import { base64urlToBytes, bytesToBase64url, utf8Encode } from '@/lib/bytes';
import { nobleVerifier } from '@/lib/crypto/ed25519';
import { didKeyToPublicKey } from '@/lib/crypto/did-key';
import { KeyStore, keyFileSchema } from './key-store';
import type { KeyBackend } from './key-store';

// Node 20's WebCrypto implements Ed25519 and AES-GCM like the browsers do; fake-indexeddb
// structured-clones what it stores, CryptoKey objects included, like a browser's IndexedDB.
const ITERATIONS = 100_000; // the file schema's floor: keeps the suite fast, still a real PBKDF2

function makeStore(backend?: KeyBackend, factory: IDBFactory = new IDBFactory()): KeyStore {
  return new KeyStore({ indexedDB: factory, exportIterations: ITERATIONS, ...(backend === undefined ? {} : { backend }) });
}

function unwrap<T>(result: { ok: true; value: T } | { ok: false; error: { code: string; message: string } }): T {
  if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
  return result.value;
}

describe.each<KeyBackend>(['webcrypto', 'noble'])('KeyStore (%s back-end)', (backend) => {
  it('creates a key whose signatures verify under its did:key', async () => {
    const store = makeStore(backend);
    const key = unwrap(await store.createKey());
    expect(key.backend).toBe(backend);
    expect(key.did).toMatch(/^did:key:z6Mk/);
    expect(unwrap(didKeyToPublicKey(key.did))).toEqual(key.publicKey);
    const message = utf8Encode('a proof id');
    const signature = await key.signer.sign(message);
    expect(nobleVerifier.verify(signature, message, key.publicKey)).toBe(true);
    expect(nobleVerifier.verify(signature, utf8Encode('another message'), key.publicKey)).toBe(false);
  });

  it('keeps the key across page loads (a new store on the same IndexedDB)', async () => {
    const factory = new IDBFactory();
    const created = unwrap(await makeStore(backend, factory).createKey());
    const reloaded = makeStore(backend, factory);
    const loaded = unwrap(await reloaded.loadKey(created.did));
    const message = utf8Encode('after reload');
    expect(nobleVerifier.verify(await loaded.signer.sign(message), message, created.publicKey)).toBe(true);
    expect(unwrap(await reloaded.listKeys()).map((summary) => summary.did)).toEqual([created.did]);
  });

  it('exports a passphrase file that another browser imports and signs with', async () => {
    const first = makeStore(backend);
    const key = unwrap(await first.createKey());
    const file = unwrap(await first.exportKeyFile(key.did, 'correct horse battery'));
    expect(keyFileSchema.parse(JSON.parse(JSON.stringify(file)))).toEqual(file);
    expect(JSON.stringify(file)).not.toContain(bytesToBase64url(key.publicKey)); // only the did names the key

    const second = makeStore(backend === 'webcrypto' ? 'noble' : 'webcrypto'); // and across back-ends
    const imported = unwrap(await second.importKeyFile(JSON.parse(JSON.stringify(file)), 'correct horse battery'));
    expect(imported.did).toBe(key.did);
    const message = utf8Encode('signed in the second browser');
    expect(nobleVerifier.verify(await imported.signer.sign(message), message, key.publicKey)).toBe(true);
  });
});

describe('KeyStore failures', () => {
  it('says when this browser holds no key for a did', async () => {
    const result = await makeStore().loadKey('did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp');
    expect(result).toMatchObject({ ok: false, error: { code: 'key_not_found' } });
  });

  it('refuses a wrong passphrase and stores nothing', async () => {
    const store = makeStore();
    const key = unwrap(await store.createKey());
    const file = unwrap(await store.exportKeyFile(key.did, 'correct horse battery'));
    const other = makeStore();
    expect(await other.importKeyFile(file, 'wrong horse battery')).toMatchObject({ ok: false, error: { code: 'passphrase_wrong' } });
    expect(unwrap(await other.listKeys())).toEqual([]);
  });

  it('refuses a file whose header was altered (bound as AES-GCM additional data)', async () => {
    const store = makeStore();
    const key = unwrap(await store.createKey());
    const otherKey = unwrap(await store.createKey());
    const file = unwrap(await store.exportKeyFile(key.did, 'correct horse battery'));
    const swapped = { ...file, did: otherKey.did };
    expect(await makeStore().importKeyFile(swapped, 'correct horse battery')).toMatchObject({ ok: false, error: { code: 'passphrase_wrong' } });
    const flipped = base64urlToBytes(file.ciphertext);
    flipped[0] = (flipped[0] ?? 0) ^ 1;
    expect(await makeStore().importKeyFile({ ...file, ciphertext: bytesToBase64url(flipped) }, 'correct horse battery')).toMatchObject({
      ok: false,
      error: { code: 'passphrase_wrong' },
    });
  });

  it('refuses something that is not a key file', async () => {
    for (const bad of [null, 'text', {}, { format: 'proofhub-key/2' }, { format: 'proofhub-key/1', did: 'did:web:x' }]) {
      expect(await makeStore().importKeyFile(bad, 'correct horse battery')).toMatchObject({ ok: false, error: { code: 'key_file_invalid' } });
    }
  });

  it('refuses a short export passphrase', async () => {
    const store = makeStore();
    const key = unwrap(await store.createKey());
    expect(await store.exportKeyFile(key.did, 'short')).toMatchObject({ ok: false, error: { code: 'passphrase_too_short' } });
  });

  it('reports missing IndexedDB instead of throwing', async () => {
    const store = new KeyStore({ backend: 'noble' }); // Node has no global indexedDB
    expect(await store.createKey()).toMatchObject({ ok: false, error: { code: 'storage_unavailable' } });
  });

  it('stores only non-extractable keys and a sealed seed in IndexedDB', async () => {
    const factory = new IDBFactory();
    const key = unwrap(await makeStore('webcrypto', factory).createKey());
    const record = await new Promise<Record<string, unknown>>((resolve, reject) => {
      const opening = factory.open('proofhub-keys');
      opening.onerror = () => reject(opening.error ?? new Error('open failed'));
      opening.onsuccess = () => {
        const get = opening.result.transaction('keys').objectStore('keys').get(key.did);
        get.onsuccess = () => resolve(get.result as Record<string, unknown>);
      };
    });
    const signingKey = record.signingKey as CryptoKey;
    const sealingKey = record.sealingKey as CryptoKey;
    expect(signingKey.extractable).toBe(false);
    expect(signingKey.usages).toEqual(['sign']);
    expect(sealingKey.extractable).toBe(false);
    await expect(crypto.subtle.exportKey('pkcs8', signingKey)).rejects.toThrow();
    expect(Object.keys(record).sort()).toEqual(['backend', 'createdAt', 'did', 'publicKey', 'sealedSeed', 'sealingKey', 'signingKey']);
  });

  it('uses WebCrypto Ed25519 where the platform has it', async () => {
    expect(await new KeyStore({ indexedDB: new IDBFactory() }).supportsWebCryptoEd25519()).toBe(true);
  });
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { base58 } from '@scure/base';
import { describe, expect, it } from 'vitest';
import { bytesToHex, hexToBytes } from '../bytes';
import { createDidKeyDecoder, didKeySchema, didKeyToPublicKey, isDidKey, publicKeyToDidKey } from './did-key';
import { SMALL_ORDER_ENCODINGS, publicKeyFromSeed } from './ed25519';

// did:key of the Ed25519 keys of seeds 00…, 01…, 02… (test/vectors/did-key; seed 0 is the
// did:key spec's own example).
const vectors = JSON.parse(readFileSync(join(import.meta.dirname, '../../test/vectors/did-key/ed25519.json'), 'utf8')) as {
  seed: string;
  publicKey: string;
  did: string;
}[];

function didOf(bytes: Uint8Array): string {
  return `did:key:z${base58.encode(bytes)}`;
}

const validPublicKey = hexToBytes(vectors[0]?.publicKey ?? '');

describe('did:key for Ed25519', () => {
  for (const vector of vectors) {
    it(`encodes and decodes the key of seed ${vector.seed.slice(0, 2)}…`, () => {
      const publicKey = publicKeyFromSeed(hexToBytes(vector.seed));
      expect(bytesToHex(publicKey)).toBe(vector.publicKey);
      expect(publicKeyToDidKey(publicKey)).toBe(vector.did);
      const decoded = didKeyToPublicKey(vector.did);
      expect(decoded.ok && bytesToHex(decoded.value)).toBe(vector.publicKey);
      expect(isDidKey(vector.did)).toBe(true);
      expect(didKeySchema.safeParse(vector.did).success).toBe(true);
    });
  }

  it('round-trips every derived key, and each DID starts z6Mk', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (seed) => {
        const publicKey = publicKeyFromSeed(seed);
        const did = publicKeyToDidKey(publicKey);
        expect(did.startsWith('did:key:z6Mk')).toBe(true);
        const decoded = didKeyToPublicKey(did);
        expect(decoded.ok && bytesToHex(decoded.value)).toBe(bytesToHex(publicKey));
      }),
      { numRuns: 50 },
    );
  });

  const bad: [string, string][] = [
    ['another DID method', 'did:web:example.com'],
    ['no multibase prefix', `did:key:${base58.encode(Uint8Array.of(0xed, 0x01, ...validPublicKey))}`],
    ['another multibase (base32 "b")', 'did:key:b6Mk'],
    ['upper-case method', (vectors[0]?.did ?? '').replace('did:key', 'DID:KEY')],
    ['empty value', 'did:key:z'],
    ['bad base58 (0, O, I, l are not in the alphabet)', 'did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooW0'],
    ['a secp256k1 key (multicodec 0xe7)', didOf(Uint8Array.of(0xe7, 0x01, 0x02, ...validPublicKey))],
    ['an X25519 key (multicodec 0xec)', didOf(Uint8Array.of(0xec, 0x01, ...validPublicKey))],
    ['a one-byte multicodec', didOf(Uint8Array.of(0xed, ...validPublicKey, 0))],
    ['a key one byte short', didOf(Uint8Array.of(0xed, 0x01, ...validPublicKey.subarray(1)))],
    ['a key one byte long', didOf(Uint8Array.of(0xed, 0x01, ...validPublicKey, 0))],
    ['leading zero bytes ("1" in base58)', `did:key:z1${base58.encode(Uint8Array.of(0xed, 0x01, ...validPublicKey))}`],
    ['a small-order key', didOf(Uint8Array.of(0xed, 0x01, ...hexToBytes(SMALL_ORDER_ENCODINGS[0] ?? '')))],
    ['a non-canonical key (y = p + 1)', didOf(Uint8Array.of(0xed, 0x01, 0xee, ...new Uint8Array(30).fill(0xff), 0x7f))],
    ['an off-curve key (y = 2)', didOf(Uint8Array.of(0xed, 0x01, 2, ...new Uint8Array(31)))],
    ['an overlong string', `${vectors[0]?.did ?? ''}${'z'.repeat(10_000)}`],
    ['trailing whitespace', `${vectors[0]?.did ?? ''} `],
  ];
  for (const [why, did] of bad) {
    it(`refuses ${why} with invalid_did`, () => {
      const result = didKeyToPublicKey(did);
      expect(result.ok).toBe(false);
      if (!result.ok) {
        expect(result.error.code).toBe('invalid_did');
        expect(result.error.message.length).toBeGreaterThan(0);
      }
      expect(isDidKey(did)).toBe(false);
      expect(didKeySchema.safeParse(did).success).toBe(false);
    });
  }

  it('refuses values that are not strings', () => {
    expect(isDidKey(42)).toBe(false);
    expect(isDidKey(null)).toBe(false);
    expect(didKeyToPublicKey(undefined as unknown as string).ok).toBe(false);
    expect(didKeySchema.safeParse({}).success).toBe(false);
  });

  it('refuses to encode a key of the wrong length', () => {
    expect(() => publicKeyToDidKey(new Uint8Array(31))).toThrow(RangeError);
  });

  it('never throws on arbitrary strings', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (tail) => {
        expect(typeof isDidKey(`did:key:z${tail}`)).toBe('boolean');
      }),
    );
  });
});

describe('the did:key decoder\'s cache', () => {
  const seeds = fc.uint8Array({ minLength: 32, maxLength: 32 });
  it('gives the same answer from the cache as a fresh decoder, for good and refused DIDs alike', () => {
    const cached = createDidKeyDecoder({ maxEntries: 4 });
    const refused = [
      didOf(Uint8Array.of(0xed, 0x01, ...hexToBytes(SMALL_ORDER_ENCODINGS[6] ?? ''))),
      didOf(Uint8Array.of(0xed, 0x01, 2, ...new Uint8Array(31))),
      'did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooW0',
    ];
    fc.assert(
      fc.property(fc.array(fc.oneof(seeds.map((seed) => publicKeyToDidKey(publicKeyFromSeed(seed))), fc.constantFrom(...refused, ...vectors.map((v) => v.did))), { minLength: 1, maxLength: 12 }), (dids) => {
        for (const did of [...dids, ...dids]) {
          const fresh = createDidKeyDecoder().decode(did);
          const again = cached.decode(did);
          expect(again.ok).toBe(fresh.ok);
          if (again.ok && fresh.ok) expect(bytesToHex(again.value)).toBe(bytesToHex(fresh.value));
          if (!again.ok && !fresh.ok) expect(again.error.message).toBe(fresh.error.message);
          expect(cached.isValid(did)).toBe(fresh.ok);
        }
      }),
      { numRuns: 30 },
    );
  });

  it('hands out copies: changing a returned key changes no later answer', () => {
    const decoder = createDidKeyDecoder();
    const did = vectors[0]?.did ?? '';
    const first = decoder.decode(did);
    if (!first.ok) throw new Error('vector did must decode');
    first.value.fill(0);
    const second = decoder.decode(did);
    expect(second.ok && bytesToHex(second.value)).toBe(vectors[0]?.publicKey);
    const refusal = decoder.decode('did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooW0');
    expect(refusal.ok).toBe(false);
    if (!refusal.ok) expect(() => Object.assign(refusal.error, { code: 'ok' })).toThrow(TypeError);
  });

  it('stays within its bound; junk refused before decoding is not cached', () => {
    const decoder = createDidKeyDecoder({ maxEntries: 3 });
    const dids = vectors.slice(0, 3).map((v) => v.did);
    const extra = publicKeyToDidKey(publicKeyFromSeed(new Uint8Array(32).fill(7)));
    for (const did of dids) decoder.decode(did);
    expect(decoder.cachedCount).toBe(3);
    decoder.decode(extra);
    decoder.decode(dids[2] ?? ''); // a hit does not grow the cache
    expect(decoder.cachedCount).toBe(3);
    expect(decoder.maxEntries).toBe(3);
    // Junk that fails the cheap prefix and length checks is never cached.
    decoder.clearCache();
    decoder.decode('did:web:example.com');
    decoder.decode(`${dids[0] ?? ''}${'z'.repeat(100)}`);
    expect(decoder.cachedCount).toBe(0);
    expect(() => createDidKeyDecoder({ maxEntries: 0 })).toThrow(RangeError);
  });
});

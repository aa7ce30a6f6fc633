import fc from 'fast-check';
import { Point, verify as nobleRawVerify } from '@noble/ed25519';
import { describe, expect, it } from 'vitest';
import { bytesToHex, hexToBytes } from '../bytes';
import {
  BoundedCache,
  KEY_CACHE_MAX_ENTRIES,
  SMALL_ORDER_ENCODINGS,
  checkEd25519Rule,
  checkPublicKeyRule,
  checkSignatureRule,
  createNobleVerifier,
  isValidPublicKey,
  nobleVerifier,
  publicKeyFromSeed,
  signEd25519,
} from './ed25519';
import {
  FIELD_PRIME,
  GROUP_ORDER,
  TORSION_POINTS,
  bytesToNumberLE,
  loadRfc8032Cases,
  numberToBytesLE,
  signWithTorsion,
} from '@/test/crypto/ed25519-fixtures';

const seed = hexToBytes('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60'); // RFC 8032 §7.1 test 1
const publicKey = publicKeyFromSeed(seed);
const message = new TextEncoder().encode('proofhub');
const signature = signEd25519(seed, message);

function withS(sig: Uint8Array, s: bigint): Uint8Array {
  const out = Uint8Array.from(sig);
  out.set(numberToBytesLE(s, 32), 32);
  return out;
}

function withR(sig: Uint8Array, r: Uint8Array): Uint8Array {
  const out = Uint8Array.from(sig);
  out.set(r, 0);
  return out;
}

function flipBit(bytes: Uint8Array, bit: number): Uint8Array {
  const out = Uint8Array.from(bytes);
  const index = bit >> 3;
  out[index] = (out[index] ?? 0) ^ (1 << (bit & 7));
  return out;
}

describe('RFC 8032 §7.1 vectors on the noble back-end', () => {
  for (const vector of loadRfc8032Cases()) {
    it(`${vector.label}: derives the key, reproduces the signature, verifies`, () => {
      expect(bytesToHex(publicKeyFromSeed(vector.seed))).toBe(bytesToHex(vector.publicKey));
      expect(bytesToHex(signEd25519(vector.seed, vector.message))).toBe(bytesToHex(vector.signature));
      expect(checkEd25519Rule(vector.signature, vector.publicKey)).toBe(true);
      expect(nobleVerifier.verify(vector.signature, vector.message, vector.publicKey)).toBe(true);
    });
  }
});

describe('the small-order blocklist', () => {
  it('is exactly the canonical encodings of E[8] plus the two x = -0 forms', () => {
    const canonical = TORSION_POINTS.map((point) => bytesToHex(point.toBytes()));
    expect(new Set(canonical).size).toBe(8);
    const xNegZero = ['0100000000000000000000000000000000000000000000000000000000000080', 'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff'];
    expect([...SMALL_ORDER_ENCODINGS].sort()).toEqual([...canonical, ...xNegZero].sort());
    for (const point of TORSION_POINTS) expect(point.isSmallOrder()).toBe(true);
  });

  it('refuses every small-order encoding as A and as R, and nothing else of a valid signature', () => {
    expect(checkEd25519Rule(signature, publicKey)).toBe(true);
    for (const encoding of SMALL_ORDER_ENCODINGS.map(hexToBytes)) {
      expect(checkPublicKeyRule(encoding)).toBe(false);
      expect(checkSignatureRule(withR(signature, encoding))).toBe(false);
    }
  });

  it('lets a point with a torsion component through the pre-checks (the equation decides)', () => {
    const mixed = Point.fromBytes(publicKey).add(TORSION_POINTS[1] ?? Point.ZERO).toBytes();
    expect(checkPublicKeyRule(mixed)).toBe(true);
  });
});

describe('canonical encodings (RFC 8032 §5.1.3)', () => {
  it('refuses A and R with y >= p, on or off the curve', () => {
    for (let delta = 0n; delta < 19n; delta++) {
      for (const sign of [0, 0x80]) {
        const encoding = numberToBytesLE(FIELD_PRIME + delta, 32);
        encoding[31] = (encoding[31] ?? 0) | sign;
        expect(checkPublicKeyRule(encoding)).toBe(false);
        expect(checkSignatureRule(withR(signature, encoding))).toBe(false);
      }
    }
  });

  it('passes canonical R encodings just below p (no false positives at the boundary)', () => {
    for (const y of [FIELD_PRIME - 2n, FIELD_PRIME - 20n]) {
      expect(checkSignatureRule(withR(signature, numberToBytesLE(y, 32)))).toBe(true);
    }
  });

  it('leaves an off-curve public key to decoding, which refuses it', () => {
    // y = 2: (y² - 1)/(d·y² + 1) is not a square mod p, so no x exists.
    const offCurve = numberToBytesLE(2n, 32);
    expect(() => Point.fromBytes(offCurve)).toThrow();
    expect(checkPublicKeyRule(offCurve)).toBe(true); // byte checks only: decoding is the back-end's
    expect(isValidPublicKey(offCurve)).toBe(false);
    expect(nobleVerifier.verify(signature, message, offCurve)).toBe(false);
  });
});

describe('S < L (RFC 8032 §5.1.7)', () => {
  it('accepts S = L - 1 and refuses S = L, S = L + S, S = 2^256 - 1', () => {
    expect(checkSignatureRule(withS(signature, GROUP_ORDER - 1n))).toBe(true);
    expect(checkSignatureRule(withS(signature, GROUP_ORDER))).toBe(false);
    const s = bytesToNumberLE(signature.subarray(32));
    const malleated = withS(signature, s + GROUP_ORDER);
    expect(checkSignatureRule(malleated)).toBe(false);
    expect(nobleVerifier.verify(malleated, message, publicKey)).toBe(false);
    expect(checkSignatureRule(withS(signature, 2n ** 256n - 1n))).toBe(false);
  });
});

describe('lengths and bad input', () => {
  it('answers false and never throws', () => {
    expect(checkEd25519Rule(signature.subarray(0, 63), publicKey)).toBe(false);
    expect(checkEd25519Rule(signature, publicKey.subarray(0, 31))).toBe(false);
    expect(nobleVerifier.verify(new Uint8Array(65), message, publicKey)).toBe(false);
    expect(nobleVerifier.verify(signature, message, new Uint8Array(33))).toBe(false);
    expect(nobleVerifier.verify(new Uint8Array(0), new Uint8Array(0), new Uint8Array(0))).toBe(false);
    const notBytes = 'not bytes' as unknown as Uint8Array;
    expect(nobleVerifier.verify(notBytes, message, publicKey)).toBe(false);
    expect(nobleVerifier.verify(signature, notBytes, publicKey)).toBe(false);
    expect(nobleVerifier.verify(signature, message, notBytes)).toBe(false);
    expect(nobleVerifier.verify(null as unknown as Uint8Array, message, publicKey)).toBe(false);
  });

  it('refuses signing with a seed of the wrong length', () => {
    expect(() => signEd25519(new Uint8Array(31), message)).toThrow(RangeError);
    expect(() => publicKeyFromSeed(new Uint8Array(64))).toThrow(RangeError);
  });
});

describe('cofactorless equation (the rule step 5)', () => {
  it('refuses a low_order_residue signature that noble`s cofactored verify accepts', () => {
    // Torsion T1 on A: the residue [k]T1 vanishes only when 8 | k. Find a message where it does not.
    let residue = signWithTorsion(seed, message, 12345n, 1, 0);
    for (let i = 0; residue.cofactorlessHolds; i++) residue = signWithTorsion(seed, Uint8Array.of(i), 12345n, 1, 0);
    expect(nobleRawVerify(residue.signature, residue.message, residue.publicKey, { zip215: false })).toBe(true);
    expect(checkEd25519Rule(residue.signature, residue.publicKey)).toBe(true);
    expect(nobleVerifier.verify(residue.signature, residue.message, residue.publicKey)).toBe(false);
  });

  it('accepts a mixed-order key when the torsion cancels (both equations hold)', () => {
    // T_r = -[k]T_a: choose T_a = T4 (order 2), then [k]T4 = T4 when k is odd; T_r = T4 cancels it.
    let found = false;
    for (let nonce = 1n; nonce < 64n && !found; nonce++) {
      const candidate = signWithTorsion(seed, message, nonce, 4, 4);
      if (!candidate.cofactorlessHolds) continue;
      found = true;
      expect(nobleVerifier.verify(candidate.signature, candidate.message, candidate.publicKey)).toBe(true);
    }
    expect(found).toBe(true);
  });

  it('gives the construction`s answer for any torsion on A and R', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ maxLength: 64 }), fc.bigInt({ min: 1n, max: GROUP_ORDER - 1n }), fc.nat(7), fc.nat(7), (s, m, nonce, tA, tR) => {
        const crafted = signWithTorsion(s, m, nonce, tA, tR);
        // A' and R keep their prime-order part, so they are never small order: only the equation decides.
        expect(nobleVerifier.verify(crafted.signature, crafted.message, crafted.publicKey)).toBe(crafted.cofactorlessHolds);
      }),
      { numRuns: 40 },
    );
  });
});

describe('properties of the noble back-end', () => {
  const seedArb = fc.uint8Array({ minLength: 32, maxLength: 32 });

  it('verifies what it signs', () => {
    fc.assert(
      fc.property(seedArb, fc.uint8Array({ maxLength: 200 }), (s, m) => {
        expect(nobleVerifier.verify(signEd25519(s, m), m, publicKeyFromSeed(s))).toBe(true);
      }),
      { numRuns: 40 },
    );
  });

  it('refuses the signature after any one bit of signature, message or key flips', () => {
    fc.assert(
      fc.property(seedArb, fc.uint8Array({ minLength: 1, maxLength: 100 }), fc.nat(), fc.constantFrom('signature', 'message', 'key'), (s, m, bitSeed, part) => {
        const pub = publicKeyFromSeed(s);
        const sig = signEd25519(s, m);
        if (part === 'signature') expect(nobleVerifier.verify(flipBit(sig, bitSeed % 512), m, pub)).toBe(false);
        if (part === 'message') expect(nobleVerifier.verify(sig, flipBit(m, bitSeed % (m.length * 8)), pub)).toBe(false);
        if (part === 'key') expect(nobleVerifier.verify(sig, m, flipBit(pub, bitSeed % 256))).toBe(false);
      }),
      { numRuns: 60 },
    );
  });
});

describe('the noble back-end`s per-key cache of decoded points', () => {
  it('decodes each key once, caching refused keys too', () => {
    const verifier = createNobleVerifier();
    expect(verifier.cachedKeyCount).toBe(0);
    expect(verifier.verify(signature, message, publicKey)).toBe(true);
    expect(verifier.verify(signature, message, publicKey)).toBe(true);
    expect(verifier.cachedKeyCount).toBe(1);
    const offCurve = numberToBytesLE(2n, 32);
    expect(verifier.verify(signature, message, offCurve)).toBe(false);
    expect(verifier.verify(signature, message, offCurve)).toBe(false);
    expect(verifier.cachedKeyCount).toBe(2);
    verifier.clearKeyCache();
    expect(verifier.cachedKeyCount).toBe(0);
  });

  it('is keyed by content: the same key in another buffer hits, a mutated buffer misses', () => {
    const verifier = createNobleVerifier();
    const copy = Uint8Array.from(publicKey);
    expect(verifier.verify(signature, message, copy)).toBe(true);
    expect(verifier.verify(signature, message, publicKey)).toBe(true);
    expect(verifier.cachedKeyCount).toBe(1);
    copy[0] = (copy[0] ?? 0) ^ 1;
    expect(verifier.verify(signature, message, copy)).toBe(false);
    expect(verifier.cachedKeyCount).toBe(2);
  });

  it('stays within its bound and answers correctly after eviction', () => {
    const verifier = createNobleVerifier({ keyCacheMaxEntries: 4 });
    expect(verifier.verify(signature, message, publicKey)).toBe(true);
    for (let i = 0; i < 10; i++) {
      const other = publicKeyFromSeed(Uint8Array.of(i, ...new Uint8Array(31)));
      expect(verifier.verify(signature, message, other)).toBe(false);
      expect(verifier.cachedKeyCount).toBeLessThanOrEqual(4);
    }
    expect(verifier.cachedKeyCount).toBe(4);
    expect(verifier.verify(signature, message, publicKey)).toBe(true); // evicted, decoded again
  });

  it(`defaults to a bound of ${KEY_CACHE_MAX_ENTRIES} keys`, () => {
    expect(() => createNobleVerifier({ keyCacheMaxEntries: 0 })).toThrow(RangeError);
    expect(KEY_CACHE_MAX_ENTRIES).toBe(10_000);
  });
});

describe('isValidPublicKey', () => {
  it('accepts derived keys and refuses small-order, non-canonical and off-curve ones', () => {
    expect(isValidPublicKey(publicKey)).toBe(true);
    expect(isValidPublicKey(hexToBytes(SMALL_ORDER_ENCODINGS[6] ?? ''))).toBe(false);
    expect(isValidPublicKey(numberToBytesLE(FIELD_PRIME + 1n, 32))).toBe(false);
    expect(isValidPublicKey(numberToBytesLE(2n, 32))).toBe(false);
    expect(isValidPublicKey(publicKey.subarray(1))).toBe(false);
  });
});

describe('BoundedCache', () => {
  it('evicts the oldest insertion once full; overwriting a key evicts nothing', () => {
    const cache = new BoundedCache<string, number>(2);
    cache.set('a', 1);
    cache.set('b', 2);
    cache.set('a', 3);
    expect(cache.size).toBe(2);
    expect(cache.get('a')).toBe(3);
    cache.set('c', 4);
    expect(cache.has('a')).toBe(false);
    expect(cache.get('b')).toBe(2);
    expect(cache.get('c')).toBe(4);
    expect(() => new BoundedCache(0)).toThrow(RangeError);
  });
});

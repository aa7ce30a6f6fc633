// The mempool: admission checks, de-duplication against the pool and the committed log, its bound,
// selection that skips leaves already in uncommitted blocks, and the verified-signature cache.
import { randomBytes } from 'node:crypto';
import { Point } from '@noble/ed25519';
import { sha512 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { bytesToHex, hexToBytes } from '@/lib/bytes';
import type { SignatureVerifier } from '@/lib/crypto/types';
import { nodeVerifier } from '@/server/crypto/ed25519-node';
import { makeSignedLeaves } from './client';
import { type LogLeaf, leafIdKey } from '@/lib/consensus';
import { type Leaf, Mempool, VerifiedLeaves, VerifiedSignatures } from './mempool';

function leaves(count: number): Leaf[] {
  return makeSignedLeaves(count).map((leaf) => ({ pub: hexToBytes(leaf.pub), id: hexToBytes(leaf.id), sig: hexToBytes(leaf.sig) }));
}

const L = 2n ** 252n + 27742317777372353535851937790883648493n;
const le = (bytes: Uint8Array): bigint => bytes.reduceRight((n, byte) => (n << 8n) | BigInt(byte), 0n);
const toLe32 = (n: bigint): Uint8Array => Uint8Array.from({ length: 32 }, (_, i) => Number((n >> BigInt(8 * i)) & 0xffn));

/**
 * Two different valid RFC 8032 signatures of one message by one key: the signer may pick any
 * nonce r (deterministic r is a convention), and the verification equation [S]B = R + [k]A holds.
 */
function twoSignatures(message: Uint8Array): { pub: Uint8Array; sigs: [Uint8Array, Uint8Array] } {
  const h = sha512(new Uint8Array(randomBytes(32)));
  const head = h.slice(0, 32);
  head[0] = (head[0] ?? 0) & 248;
  head[31] = ((head[31] ?? 0) & 127) | 64;
  const a = le(head) % L;
  const pub = Point.BASE.multiply(a).toBytes();
  const signWith = (r: bigint): Uint8Array => {
    const R = Point.BASE.multiply(r).toBytes();
    const k = le(sha512(new Uint8Array([...R, ...pub, ...message]))) % L;
    return new Uint8Array([...R, ...toLe32((r + k * a) % L)]);
  };
  return { pub, sigs: [signWith(le(new Uint8Array(randomBytes(32))) % L || 1n), signWith(le(new Uint8Array(randomBytes(32))) % L || 2n)] };
}

function countingVerifier(): SignatureVerifier & { calls: number } {
  const counter = {
    name: 'counting',
    calls: 0,
    verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
      counter.calls++;
      return nodeVerifier.verify(signature, message, publicKey);
    },
  };
  return counter;
}

describe('Mempool', () => {
  it('admits valid leaves once, refuses bad signatures, committed leaves and overflow', () => {
    const committed = new Set<string>();
    const pool = new Mempool({ verified: new VerifiedLeaves(nodeVerifier), isCommitted: (id) => committed.has(leafIdKey(id)), maxLeaves: 3 });
    const [a, b, c, d] = leaves(4) as [Leaf, Leaf, Leaf, Leaf];
    expect(pool.add(a).result).toBe('accepted');
    expect(pool.add(a).result).toBe('duplicate');
    expect(pool.add({ ...b, sig: a.sig }).result).toBe('bad_signature');
    committed.add(leafIdKey(b.id));
    expect(pool.add(b).result).toBe('committed');
    expect(pool.add(c).result).toBe('accepted');
    expect(pool.add(d).result).toBe('accepted');
    expect(pool.add(leaves(1)[0] as Leaf).result).toBe('mempool_full');
    expect(pool.size).toBe(3);
  });

  it('keeps one leaf per proof id, so a second valid signature of an id cannot wedge proposals', () => {
    const pool = new Mempool({ verified: new VerifiedLeaves(nodeVerifier), isCommitted: () => false });
    const id = new Uint8Array(randomBytes(32));
    const { pub, sigs } = twoSignatures(id);
    expect(bytesToHex(sigs[0])).not.toBe(bytesToHex(sigs[1]));
    expect(nodeVerifier.verify(sigs[0], id, pub) && nodeVerifier.verify(sigs[1], id, pub)).toBe(true);
    expect(pool.add({ pub, id, sig: sigs[0] }).result).toBe('accepted');
    expect(pool.add({ pub, id, sig: sigs[1] }).result).toBe('duplicate');
    expect(pool.select(10, new Set()).map((leaf) => bytesToHex(leaf.sig))).toEqual([bytesToHex(sigs[0])]);
  });

  it('selects in arrival order, skipping excluded leaves, and forgets committed ones', () => {
    const pool = new Mempool({ verified: new VerifiedLeaves(nodeVerifier), isCommitted: () => false });
    const added = leaves(5).map((leaf) => pool.add(leaf).key);
    const keys = (selected: readonly LogLeaf[]) => selected.map((leaf) => leafIdKey(leaf.id));
    expect(keys(pool.select(10, new Set([added[1] as string])))).toEqual([added[0], added[2], added[3], added[4]]);
    expect(keys(pool.select(2, new Set()))).toEqual(added.slice(0, 2));
    pool.removeCommitted(added.slice(0, 3));
    expect(keys(pool.select(10, new Set()))).toEqual(added.slice(3));
  });

  it('verifies a leaf object once: the pooled object passes the payload check without a second verify', () => {
    const inner = countingVerifier();
    const verified = new VerifiedLeaves(new VerifiedSignatures(inner));
    const pool = new Mempool({ verified, isCommitted: () => false });
    const [a, b] = leaves(2) as [Leaf, Leaf];
    const admitted = pool.add(a);
    expect(admitted.result).toBe('accepted');
    expect(inner.calls).toBe(1);
    expect(pool.get(admitted.key)).toBe(admitted.leaf);
    expect(verified.verify(admitted.leaf)).toBe(true);
    // Same bytes in another object: the signature cache answers, still no second Ed25519 check.
    expect(verified.verify({ publicKey: a.pub, id: a.id, sig: a.sig })).toBe(true);
    expect(inner.calls).toBe(1);
    // A forged leaf is checked, refused and never remembered.
    const forged: LogLeaf = { publicKey: a.pub, id: b.id, sig: a.sig };
    expect(verified.verify(forged)).toBe(false);
    expect(verified.verify(forged)).toBe(false);
    expect(inner.calls).toBe(3);
  });
});

describe('Mempool.adopt', () => {
  it('pools a leaf first verified in a proposal, so its gossiped copy is a duplicate with no second verify', () => {
    const inner = countingVerifier();
    const verified = new VerifiedLeaves(inner);
    const committed = new Set<string>();
    const pool = new Mempool({ verified, isCommitted: (id) => committed.has(leafIdKey(id)) });
    const [a, b, c] = leaves(3) as [Leaf, Leaf, Leaf];
    // The proposal's leaf object, checked by the payload rules before the vote.
    const proposed: LogLeaf = { publicKey: a.pub, id: a.id, sig: a.sig };
    expect(verified.verify(proposed)).toBe(true);
    expect(pool.adopt(proposed)).toBe(true);
    expect(pool.get(leafIdKey(a.id))).toBe(proposed);
    expect(pool.add(a).result).toBe('duplicate');
    expect(inner.calls).toBe(1);
    // A leaf this process never verified (or one that failed) is not adopted.
    expect(pool.adopt({ publicKey: b.pub, id: b.id, sig: b.sig })).toBe(false);
    const forged: LogLeaf = { publicKey: b.pub, id: b.id, sig: a.sig };
    expect(verified.verify(forged)).toBe(false);
    expect(pool.adopt(forged)).toBe(false);
    // Nor one already committed, nor a second leaf with a pooled id.
    const late: LogLeaf = { publicKey: c.pub, id: c.id, sig: c.sig };
    expect(verified.verify(late)).toBe(true);
    committed.add(leafIdKey(c.id));
    expect(pool.adopt(late)).toBe(false);
    expect(pool.adopt({ ...proposed })).toBe(false);
    expect(pool.size).toBe(1);
  });
});

describe('VerifiedSignatures', () => {
  it('verifies each valid triple once and never caches a failure', () => {
    const inner = countingVerifier();
    const cached = new VerifiedSignatures(inner);
    const leaf = leaves(1)[0] as Leaf;
    const other = leaves(1)[0] as Leaf; // another key
    expect(cached.verify(leaf.sig, leaf.id, leaf.pub)).toBe(true);
    expect(cached.verify(leaf.sig, leaf.id, leaf.pub)).toBe(true);
    expect(inner.calls).toBe(1);
    // Same signature, other message or key: not a cache hit.
    expect(cached.verify(leaf.sig, other.id, leaf.pub)).toBe(false);
    expect(cached.verify(leaf.sig, leaf.id, other.pub)).toBe(false);
    expect(cached.verify(leaf.sig, other.id, leaf.pub)).toBe(false);
    expect(inner.calls).toBe(4);
  });

  it('takes a remembered own signature without a check, and only for its exact bytes', () => {
    const inner = countingVerifier();
    const cached = new VerifiedSignatures(inner);
    const [leaf, other] = leaves(2) as [Leaf, Leaf];
    cached.remember(leaf.sig, leaf.id, leaf.pub);
    expect(cached.verify(leaf.sig, leaf.id, leaf.pub)).toBe(true);
    expect(inner.calls).toBe(0);
    expect(cached.verify(leaf.sig, other.id, leaf.pub)).toBe(false);
    expect(inner.calls).toBe(1);
  });

  it('cannot be fooled by bytes shifted between the message and the signature', () => {
    const inner = countingVerifier();
    const cached = new VerifiedSignatures(inner);
    const leaf = leaves(1)[0] as Leaf;
    expect(cached.verify(leaf.sig, leaf.id, leaf.pub)).toBe(true);
    // The same 96 bytes of message and signature split as 33 + 63 or 31 + 65: refused, not a hit.
    const joined = new Uint8Array([...leaf.id, ...leaf.sig]);
    expect(cached.verify(joined.subarray(33), joined.subarray(0, 33), leaf.pub)).toBe(false);
    expect(cached.verify(joined.subarray(31), joined.subarray(0, 31), leaf.pub)).toBe(false);
    expect(inner.calls).toBe(3);
  });
});

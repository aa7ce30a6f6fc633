// The mempool: admission checks, de-duplication against the pool and the committed log, its bound,
// selection that skips leaves already in uncommitted blocks, and the verified-signature cache.
import { describe, expect, it } from 'vitest';
import { hexToBytes } from '@/lib/bytes';
import type { SignatureVerifier } from '@/lib/crypto/types';
import { nodeVerifier } from '@/server/crypto/ed25519-node';
import { nodeHasher } from '@/server/crypto/sha256-node';
import { leafHashHex, makeSignedLeaves } from './client';
import { type Leaf, Mempool, VerifiedSignatures } from './mempool';

function leaves(count: number): Leaf[] {
  return makeSignedLeaves(count).map((leaf) => ({ pub: hexToBytes(leaf.pub), id: hexToBytes(leaf.id), sig: hexToBytes(leaf.sig) }));
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
    const pool = new Mempool({ verifier: nodeVerifier, hasher: nodeHasher, isCommitted: (hash) => committed.has(hash), maxLeaves: 3, now: () => 0 });
    const [a, b, c, d] = leaves(4) as [Leaf, Leaf, Leaf, Leaf];
    expect(pool.add(a).result).toBe('accepted');
    expect(pool.add(a).result).toBe('duplicate');
    expect(pool.add({ ...b, sig: a.sig }).result).toBe('bad_signature');
    committed.add(leafHashHex({ pub: '', id: Buffer.from(b.id).toString('hex'), sig: Buffer.from(b.sig).toString('hex') }));
    expect(pool.add(b).result).toBe('committed');
    expect(pool.add(c).result).toBe('accepted');
    expect(pool.add(d).result).toBe('accepted');
    expect(pool.add(leaves(1)[0] as Leaf).result).toBe('mempool_full');
    expect(pool.size).toBe(3);
  });

  it('selects in arrival order, skipping excluded leaves, and forgets committed ones', () => {
    const pool = new Mempool({ verifier: nodeVerifier, hasher: nodeHasher, isCommitted: () => false, now: () => 0 });
    const added = leaves(5).map((leaf) => pool.add(leaf).hash);
    expect(pool.select(10, new Set([added[1] as string])).map((leaf) => leaf.hash)).toEqual([added[0], added[2], added[3], added[4]]);
    expect(pool.select(2, new Set()).map((leaf) => leaf.hash)).toEqual(added.slice(0, 2));
    pool.removeCommitted(added.slice(0, 3));
    expect(pool.select(10, new Set()).map((leaf) => leaf.hash)).toEqual(added.slice(3));
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
});

import { describe, expect, it } from 'vitest';
import { bytesToHex } from '../bytes';
import { nobleVerifier } from '../crypto/ed25519';
import { leafHash, MerkleFrontier, rootOf } from '../merkle';
import { createMerklePayloadRules } from './payload';
import { createTestCluster } from './testing';
import type { LogLeaf } from './types';

describe('Merkle payload rules', () => {
  const cluster = createTestCluster(1);
  const rules = createMerklePayloadRules({ verifier: nobleVerifier, maxLeavesPerBlock: 8 });
  const genesis = rules.genesis();
  const code = (result: { ok: boolean; error?: { code: string } }) => (result.ok ? 'ok' : result.error?.code);

  it('recomputes the RFC 9162 tree head from the parent frontier, block after block', () => {
    const first = cluster.leaves(3);
    const second = cluster.leaves(2);
    const a = rules.buildPayload(genesis.context, first);
    expect(a.ok).toBe(true);
    if (!a.ok) return;
    const b = rules.buildPayload(a.value.context, second);
    expect(b.ok).toBe(true);
    if (!b.ok) return;
    const all = [...first, ...second].map((leaf) => leafHash(leaf.id, leaf.sig));
    expect(b.value.head.size).toBe(5);
    const reference = rootOf(all);
    expect(reference.ok && bytesToHex(reference.value)).toBe(bytesToHex(b.value.head.root));
    expect(rules.validatePayload(a.value.context, second, b.value.head).ok).toBe(true);
    // The parent's context is untouched: it can be extended again.
    expect((a.value.context as MerkleFrontier).size).toBe(3);
    expect(genesis.head.size).toBe(0);
  });

  it('refuses one bad signature, a duplicate, a wrong size or root, too many leaves, a malformed leaf', () => {
    const leaves = cluster.leaves(3);
    const built = rules.buildPayload(genesis.context, leaves);
    if (!built.ok) throw new Error('build');
    const head = built.value.head;
    const sig = leaves[2]!.sig.slice();
    sig[40]! ^= 0x80;
    const badSig: LogLeaf[] = [leaves[0]!, leaves[1]!, { ...leaves[2]!, sig }];
    expect(code(rules.validatePayload(genesis.context, badSig, head))).toBe('invalid_leaf_signature');
    const otherKey: LogLeaf[] = [leaves[0]!, { ...leaves[1]!, publicKey: cluster.validators[0]! }, leaves[2]!];
    expect(code(rules.validatePayload(genesis.context, otherKey, head))).toBe('invalid_leaf_signature');
    expect(code(rules.validatePayload(genesis.context, [leaves[0]!, leaves[1]!, leaves[0]!], head))).toBe('duplicate_leaf');
    expect(code(rules.validatePayload(genesis.context, leaves, { size: 4, root: head.root }))).toBe('tree_size_mismatch');
    expect(code(rules.validatePayload(genesis.context, leaves, { size: 3, root: new Uint8Array(32) }))).toBe('tree_root_mismatch');
    expect(code(rules.validatePayload(genesis.context, [leaves[1]!, leaves[0]!, leaves[2]!], head))).toBe('tree_root_mismatch');
    expect(code(rules.validatePayload(genesis.context, cluster.leaves(9), head))).toBe('too_many_leaves');
    expect(code(rules.validatePayload(genesis.context, [{ ...leaves[0]!, id: new Uint8Array(31) }], head))).toBe('malformed_leaf');
    expect(code(rules.validatePayload({}, leaves, head))).toBe('bad_context');
    expect(code(rules.buildPayload(genesis.context, badSig))).toBe('invalid_leaf_signature');
  });

  it('checks leaf signatures under the One Ed25519 rule (a small-order key never verifies)', () => {
    const leaf = cluster.leaves(1)[0]!;
    const identity = new Uint8Array(32);
    identity[0] = 1; // the identity point: small order, refused before any curve arithmetic
    expect(code(rules.buildPayload(genesis.context, [{ ...leaf, publicKey: identity }]))).toBe('invalid_leaf_signature');
  });

  it('starts from the empty tree', () => {
    expect(genesis.context).toBeInstanceOf(MerkleFrontier);
    expect(bytesToHex(genesis.head.root)).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });
});

// verifyProofSet: whole threads, chain failures found in real signed sets (gaps, forks, reorders),
// resistance to forged copies, and one Ed25519 verification per distinct proof.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { base64urlToBytes, bytesToBase64url } from '@/lib/bytes';
import { nobleVerifier } from '@/lib/crypto/ed25519';
import type { SignatureVerifier } from '@/lib/crypto/types';
import { nodeVerifier } from '@/server/crypto/ed25519-node';
import type { SignedProof } from './schema';
import { ProofWriter, createTestKey } from './testing';
import { verifyProofSet } from './verify-set';
import type { VerifyProofSetOptions } from './verify-set';

const DIGEST = 'cd'.repeat(32);

function codes(proofs: readonly unknown[], opts: VerifyProofSetOptions = {}): string[][] {
  const [noble, node] = [nobleVerifier, nodeVerifier].map((verifier) => {
    const report = verifyProofSet(proofs, verifier, opts);
    // A failing entry always names why; a passing one carries its verified proof.
    for (const entry of report.proofs) {
      expect(entry.ok).toBe(entry.errors.length === 0);
      expect(entry.verified !== null).toBe(entry.ok);
    }
    return report.proofs.map((entry) => entry.errors.map((error) => error.code));
  });
  expect(noble).toEqual(node);
  return noble ?? [];
}

/** A real verifier that counts its calls. */
function counting(verifier: SignatureVerifier): SignatureVerifier & { calls: number } {
  const counted = {
    name: verifier.name,
    calls: 0,
    verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array) {
      counted.calls++;
      return verifier.verify(signature, message, publicKey);
    },
  };
  return counted;
}

async function thread() {
  const alice = new ProofWriter(createTestKey(61), { hub: 'town' });
  const bob = new ProofWriter(createTestKey(62), { hub: 'town' });
  const aliceId = await alice.identity('Alice');
  const bobId = await bob.identity('Bob');
  const post = await alice.write('post', { content_digest: DIGEST, visibility: 'public' });
  const reply = await bob.write('reply', { parent: post.id, root: post.id, content_digest: DIGEST });
  const nested = await alice.write('reply', { parent: reply.id, root: post.id, content_digest: DIGEST });
  const like = await bob.write('reaction', { target: nested.id, kind: 'like' });
  const hide = await alice.write('moderation', { target: reply.id, action: 'flag', reason: 'off topic' });
  return { alice, bob, aliceId, bobId, post, reply, nested, like, hide, all: [aliceId, bobId, post, reply, nested, like, hide] };
}

describe('verifyProofSet', () => {
  it('a whole thread verifies, in any order, with names and keys per issuer', async () => {
    const t = await thread();
    const report = verifyProofSet([...t.all].reverse(), nodeVerifier, { hub: 'town', requireReferences: true, complete: true });
    expect(report.ok).toBe(true);
    expect(report.counts).toEqual({ total: 7, valid: 7, invalid: 0 });
    expect(report.issuers.map((issuer) => issuer.name).sort()).toEqual(['Alice', 'Bob']);
    expect(report.proofs.every((entry) => entry.verified !== null && entry.verified.id === entry.id)).toBe(true);
    expect(report.identities.get(t.alice.issuer)?.lastSeq).toBe(4);
  });

  it('checks references: parents, roots and targets present, same hub, consistent', async () => {
    const t = await thread();
    const withoutPost = t.all.filter((proof) => proof !== t.post);
    expect(codes(withoutPost)).toEqual([[], [], [], [], [], []]); // a partial set is fine by default
    expect(codes(withoutPost, { requireReferences: true })).toEqual([[], [], ['unknown_parent'], ['unknown_parent'], [], []]);

    const badRoot = await t.bob.write('reply', { parent: t.nested.id, root: t.reply.id, content_digest: DIGEST });
    const otherHub = await t.bob.write('reply', { parent: t.post.id, root: t.post.id, content_digest: DIGEST }, { hub: 'elsewhere' });
    const likeIdentity = await t.bob.write('reaction', { target: t.aliceId.id, kind: 'like' });
    const tail = codes([...t.all, badRoot, otherHub, likeIdentity]).slice(t.all.length);
    expect(tail).toEqual([['invalid_claim'], ['wrong_hub'], ['invalid_claim']]);
    expect(codes([...t.all, otherHub], { hub: 'town' }).at(-1)).toEqual(['wrong_hub', 'wrong_hub']);
  });

  it('reports unparsable entries by index without affecting the rest', async () => {
    const t = await thread();
    const report = verifyProofSet([t.aliceId, 'garbage', { ...t.post, v: 9 }, t.post], nobleVerifier);
    expect(report.proofs.map((entry) => [entry.index, entry.id, entry.ok, entry.errors.map((e) => e.code)])).toEqual([
      [0, t.aliceId.id, true, []],
      [1, null, false, ['malformed_proof']],
      [2, null, false, ['unsupported_version']],
      [3, t.post.id, true, []],
    ]);
    expect(verifyProofSet([], nobleVerifier).ok).toBe(true);
  });

  it('a fork fails both proofs and everything after it, with both proofs as evidence', async () => {
    const writer = new ProofWriter(createTestKey(63));
    const p1 = await writer.identity();
    const p2 = await writer.write('post', { content_digest: DIGEST, visibility: 'public' });
    const p3 = await writer.write('post', { content_digest: DIGEST, visibility: 'public' });
    const p2b = await writer.write('post', { content_digest: DIGEST, visibility: 'members' }, { seq: 2, prev: p1.id });
    const report = verifyProofSet([p1, p2, p3, p2b], nodeVerifier);
    expect(report.proofs.map((entry) => entry.errors.map((e) => e.code))).toEqual([[], ['fork'], ['fork'], ['fork']]);
    expect(report.failures).toHaveLength(1);
    expect(report.failures[0]).toMatchObject({ code: 'fork', seq: 2, details: { first: p2, second: p2b } });
    expect(report.issuers[0]?.forkSeq).toBe(2);
  });

  it('a forged proof at a taken seq is a bad signature, not a fork against the honest issuer', async () => {
    const writer = new ProofWriter(createTestKey(64));
    const p1 = await writer.identity();
    const p2 = await writer.write('post', { content_digest: DIGEST, visibility: 'public' });
    const forged = await writer.write('post', { content_digest: DIGEST, visibility: 'members' }, { seq: 2, prev: p1.id, signer: createTestKey(65).signer });
    expect(codes([forged, p1, p2])).toEqual([['bad_signature'], [], []]);
  });

  it('a copy with a corrupted signature does not taint the genuine proof', async () => {
    const writer = new ProofWriter(createTestKey(66));
    const p1 = await writer.identity();
    const sig = base64urlToBytes(p1.sig);
    sig[0] = (sig[0] ?? 0) ^ 0x80;
    const corrupted = { ...p1, sig: bytesToBase64url(sig) };
    expect(codes([corrupted, p1, p1])).toEqual([['bad_signature'], [], []]);
  });

  it('calls the verifier once per distinct signature', async () => {
    const t = await thread();
    const verifier = counting(nobleVerifier);
    verifyProofSet([...t.all, ...t.all, { ...t.post, id: 'ab'.repeat(32) }, 'junk'], verifier);
    expect(verifier.calls).toBe(t.all.length);
  });
});

// Random multi-issuer sets of real signed proofs with injected damage.
interface Damage {
  readonly kind: 'none' | 'gap' | 'fork' | 'swap';
  readonly issuer: number;
  readonly at: number;
}

describe('verifyProofSet properties (real signatures)', () => {
  const keys = Array.from({ length: 3 }, (_, i) => createTestKey(70 + i));

  async function chains(lengths: readonly number[]) {
    const writers = lengths.map((_, i) => new ProofWriter(keys[i] ?? createTestKey(99), { hub: 'prop' }));
    const byIssuer: SignedProof[][] = [];
    for (const [i, length] of lengths.entries()) {
      const writer = writers[i];
      if (writer === undefined) continue;
      const proofs: SignedProof[] = [await writer.identity(`issuer ${i}`)];
      for (let seq = 2; seq <= length; seq++) proofs.push(await writer.write('post', { content_digest: DIGEST, visibility: 'public' }));
      byIssuer.push(proofs);
    }
    return { writers, byIssuer };
  }

  it('finds injected gaps, forks and reorders; undamaged sets verify in any order', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 3, max: 6 }), { minLength: 1, maxLength: 3 }),
        fc.record({ kind: fc.constantFrom<Damage['kind']>('none', 'gap', 'fork', 'swap'), issuer: fc.nat(), at: fc.nat() }),
        fc.nat(),
        async (lengths, damage, shuffleSeed) => {
          const { writers, byIssuer } = await chains(lengths);
          const victim = damage.issuer % lengths.length;
          const chain = byIssuer[victim] ?? [];
          const writer = writers[victim];
          if (writer === undefined) throw new Error('writer');
          // A seq strictly inside the chain (2..length-1), so every kind of damage is observable.
          const seq = 2 + (damage.at % (chain.length - 2));
          const original = chain[seq - 1];
          const before = chain[seq - 2];
          if (original === undefined || before === undefined) throw new Error('seq');
          let damaged = chain;
          if (damage.kind === 'gap') damaged = chain.filter((proof) => proof !== original);
          if (damage.kind === 'fork') {
            damaged = [...chain, await writer.write('post', { content_digest: 'ef'.repeat(32), visibility: 'members' }, { seq, prev: before.id })];
          }
          if (damage.kind === 'swap') {
            // Re-sign seq and seq+1 with their places exchanged: valid signatures, broken links.
            const after = chain[seq];
            if (after === undefined) throw new Error('after');
            const movedUp = await writer.write('post', { content_digest: 'a1'.repeat(32), visibility: 'public' }, { seq, prev: original.id });
            const movedDown = await writer.write('post', { content_digest: 'b2'.repeat(32), visibility: 'public' }, { seq: seq + 1, prev: before.id });
            damaged = chain.map((proof) => (proof === original ? movedUp : proof === after ? movedDown : proof));
          }
          const all = byIssuer.flatMap((proofs, i) => (i === victim ? damaged : proofs));
          const shuffled = [...all].sort((x, y) => ((x.id.charCodeAt(shuffleSeed % 64) ^ shuffleSeed) & 0xff) - ((y.id.charCodeAt(shuffleSeed % 64) ^ shuffleSeed) & 0xff));
          const report = verifyProofSet(shuffled, nodeVerifier, { complete: true });
          expect(report.proofs.every((entry) => entry.ok === (entry.errors.length === 0))).toBe(true);
          const failing = report.proofs.filter((entry) => !entry.ok);
          const victimIssuer = writer.issuer;
          expect(failing.every((entry) => entry.issuer === victimIssuer)).toBe(true);
          switch (damage.kind) {
            case 'none':
              expect(report.ok).toBe(true);
              break;
            case 'gap':
              expect(report.failures.map((f) => [f.code, f.seq])).toEqual([['seq_gap', seq + 1]]);
              expect(failing.map((entry) => [entry.seq, entry.errors.map((e) => e.code)])).toEqual([[seq + 1, ['seq_gap']]]);
              break;
            case 'fork':
              expect(report.failures.map((f) => [f.code, f.seq])).toEqual([['fork', seq]]);
              expect(failing.every((entry) => (entry.seq ?? 0) >= seq && entry.errors.some((e) => e.code === 'fork'))).toBe(true);
              expect(failing.length).toBe(chain.length - seq + 2);
              break;
            case 'swap':
              expect(report.ok).toBe(false);
              expect(report.failures.every((f) => f.code === 'prev_mismatch')).toBe(true);
              expect(report.failures.map((f) => f.seq)).toContain(seq);
              break;
          }
        },
      ),
      { numRuns: 25 },
    );
  });
});

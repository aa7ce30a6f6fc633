// Identity replay: key rotation (which key signs seq N), delegation scope and expiry, revocation.
// Real signed proofs throughout; the set verifier checks signatures with the replayed keys.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nobleVerifier } from '@/lib/crypto/ed25519';
import { nodeVerifier } from '@/server/crypto/ed25519-node';
import { ProofError } from './errors';
import { applyIdentityProof, checkDelegatedProof, createIdentityState, keyEpochForSeq, keyForSeq, mayActFor, replayIdentity, scopeForProofType } from './identity';
import type { IdentityState } from './identity';
import { verifyProof } from './proof';
import type { DelegationScope, SignedProof } from './schema';
import { ProofWriter, TEST_EPOCH, createTestKey } from './testing';
import type { TestKey } from './testing';
import { verifyProofSet } from './verify-set';

const DIGEST = 'cd'.repeat(32);
const at = (offsetMs: number) => new Date(TEST_EPOCH.getTime() + offsetMs);
const iso = (offsetMs: number) => at(offsetMs).toISOString();
const HOUR = 3_600_000;

function setCodes(proofs: readonly SignedProof[]): string[][] {
  const reports = [nobleVerifier, nodeVerifier].map((verifier) => verifyProofSet(proofs, verifier));
  const [noble, node] = reports.map((report) => report.proofs.map((entry) => entry.errors.map((error) => error.code)));
  expect(noble).toEqual(node);
  return noble ?? [];
}

function stateOf(issuer: string, proofs: readonly SignedProof[]): IdentityState {
  const replayed = replayIdentity(issuer, proofs);
  if (!replayed.ok) throw new Error(replayed.error.message);
  return replayed.value;
}

describe('key rotation', () => {
  it('the inception key signs up to the rotation, the next key after it; earlier proofs stay valid', async () => {
    const a = createTestKey(11);
    const b = createTestKey(12);
    const c = createTestKey(13);
    const writer = new ProofWriter(a);
    const p1 = await writer.identity('Alice');
    const p2 = await writer.write('post', { content_digest: DIGEST, visibility: 'public' });
    const p3 = await writer.rotate(b); // signed by a
    const p4 = await writer.write('post', { content_digest: DIGEST, visibility: 'members' }); // signed by b
    const p5 = await writer.rotate(c); // signed by b
    const p6 = await writer.write('reaction', { target: p2.id, kind: 'like' }); // signed by c
    const chain = [p1, p2, p3, p4, p5, p6];

    const state = stateOf(a.did, chain);
    expect([1, 2, 3, 4, 5, 6, 7].map((seq) => keyEpochForSeq(state, seq)?.did)).toEqual([a.did, a.did, a.did, b.did, b.did, c.did, c.did]);
    expect(keyEpochForSeq(state, 4)?.rotationId).toBe(p3.id);
    expect(keyForSeq(state, 0)).toBeUndefined();
    expect(keyForSeq(state, 2.5)).toBeUndefined();
    expect(keyForSeq(state, 4)).toEqual(b.publicKey);

    expect(setCodes(chain)).toEqual([[], [], [], [], [], []]);
    // A single proof after a rotation needs its key: the issuer's did:key no longer signs it.
    expect(verifyProof(p4, nobleVerifier).ok).toBe(false);
    expect(verifyProof(p4, nobleVerifier, { publicKey: keyForSeq(state, p4.seq) }).ok).toBe(true);
    expect(verifyProof(p4, nodeVerifier, { identity: state }).ok).toBe(true);
    expect(verifyProof(p2, nodeVerifier, { identity: state }).ok).toBe(true); // earlier proofs stay valid
    expect(verifyProof(p3, nodeVerifier, { identity: state }).ok).toBe(true); // the rotation: old key
    const strangerState = createIdentityState(createTestKey(14).did);
    if (!strangerState.ok) throw new Error('state');
    expect(verifyProof(p4, nodeVerifier, { identity: strangerState.value })).toMatchObject({ ok: false, error: { code: 'unknown_key' } });

    // The retired key cannot sign after its rotation; the new key cannot sign before it.
    const oldKeyAfter = await writer.write('post', { content_digest: DIGEST, visibility: 'public' }, { seq: 4, prev: p3.id, signer: a.signer });
    const newKeyBefore = await writer.write('post', { content_digest: DIGEST, visibility: 'public' }, { seq: 2, prev: p1.id, signer: b.signer });
    // A forged proof does not count as present: the next proof's link is not judged against it.
    expect(setCodes([p1, newKeyBefore, p3])).toEqual([[], ['bad_signature'], []]);
    expect(setCodes([p1, p2, p3, oldKeyAfter, p5])).toEqual([[], [], [], ['bad_signature'], []]);
  });

  it('a rotation the set does not hold makes later signatures unknown_key, not bad_signature', async () => {
    const a = createTestKey(21);
    const writer = new ProofWriter(a);
    const p1 = await writer.identity();
    const p2 = await writer.rotate(createTestKey(22));
    const p3 = await writer.write('post', { content_digest: DIGEST, visibility: 'public' });
    expect(setCodes([p1, p3])).toEqual([[], ['unknown_key']]);
    expect(setCodes([p3])).toEqual([['unknown_key']]);
    expect(setCodes([p1, p2, p3])).toEqual([[], [], []]);
  });

  it('replay refuses forks and other issuers; apply refuses out-of-order seqs', async () => {
    const writer = new ProofWriter(createTestKey(31));
    const p1 = await writer.identity();
    const p2 = await writer.write('post', { content_digest: DIGEST, visibility: 'public' });
    const p2b = await writer.write('post', { content_digest: DIGEST, visibility: 'members' }, { seq: 2, prev: p1.id });
    expect(replayIdentity(writer.issuer, [p1, p2, p2b])).toMatchObject({ ok: false, error: { code: 'fork', details: { first: p2, second: p2b } } });
    expect(replayIdentity(createTestKey(32).did, [p1])).toMatchObject({ ok: false, error: { code: 'malformed_proof' } });
    expect(replayIdentity('did:key:nope', [])).toMatchObject({ ok: false, error: { code: 'invalid_did' } });
    const state = stateOf(writer.issuer, [p1, p2]);
    expect(state.name).toBe('Test issuer');
    expect(() => applyIdentityProof(state, p2)).toThrow(ProofError);
    const other = createIdentityState(createTestKey(33).did);
    if (!other.ok) throw new Error('state');
    expect(() => applyIdentityProof(other.value, p1)).toThrow(ProofError);
  });

  it('property: random chains with random rotations verify; any proof signed by another epoch\'s key fails', async () => {
    const pool: TestKey[] = Array.from({ length: 5 }, (_, i) => createTestKey(40 + i));
    await fc.assert(
      fc.asyncProperty(fc.array(fc.boolean(), { minLength: 2, maxLength: 8 }), fc.nat(), fc.nat(), async (rotateAt, pickProof, pickKey) => {
        const [first] = pool;
        if (first === undefined) throw new Error('pool');
        const writer = new ProofWriter(first);
        const proofs: SignedProof[] = [await writer.identity()];
        const keyAt: TestKey[] = [first]; // key that signed proofs[i]
        let next = 1;
        for (const rotate of rotateAt) {
          keyAt.push(writer.currentKey);
          if (rotate) {
            const nextKey = pool[next++ % pool.length] ?? first;
            proofs.push(await writer.rotate(nextKey));
          } else {
            proofs.push(await writer.write('post', { content_digest: DIGEST, visibility: 'public' }));
          }
        }
        expect(setCodes(proofs).flat()).toEqual([]);

        const index = 1 + (pickProof % (proofs.length - 1));
        const target = proofs[index];
        const rightKey = keyAt[index];
        const wrongKey = pool.filter((key) => key !== rightKey)[pickKey % (pool.length - 1)];
        if (target === undefined || wrongKey === undefined) throw new Error('pick');
        const forged = await writer.write(target.type === 'key_rotation' ? 'key_rotation' : 'post', target.claim as never, {
          seq: target.seq,
          prev: target.prev,
          signer: wrongKey.signer,
          created_at: target.created_at,
        });
        expect(forged.id).toBe(target.id);
        const withForged = proofs.map((proof, i) => (i === index ? forged : proof));
        expect(setCodes(withForged)[index]).toEqual(['bad_signature']);
      }),
      { numRuns: 15 },
    );
  });
});

describe('delegation and revocation', () => {
  const owner = createTestKey(51);
  const agent = createTestKey(52);
  const stranger = createTestKey(53);

  async function ownerChain(events: readonly ({ kind: 'delegate'; at: number; expires: number; scopes: DelegationScope[] } | { kind: 'revoke'; at: number })[]) {
    const writer = new ProofWriter(owner);
    const proofs: SignedProof[] = [await writer.identity('Owner')];
    for (const event of events) {
      proofs.push(
        event.kind === 'delegate'
          ? await writer.write('delegation', { agent: agent.did, scopes: event.scopes, expires_at: iso(event.expires) }, { created_at: iso(event.at) })
          : await writer.write('revocation', { agent: agent.did, reason: 'rotated out' }, { created_at: iso(event.at) }),
      );
    }
    return { proofs, owners: new Map([[owner.did, stateOf(owner.did, proofs)]]) };
  }

  const verdict = (owners: Map<string, IdentityState>, scope: DelegationScope, offset: number, agentDid = agent.did) => {
    const result = mayActFor(owners, agentDid, owner.did, scope, at(offset));
    return result.ok ? 'ok' : result.error.code;
  };

  it('answers every case of "may A act for O with scope S at T"', async () => {
    const { owners } = await ownerChain([
      { kind: 'delegate', at: 0, expires: HOUR, scopes: ['post', 'react'] },
      { kind: 'revoke', at: 2 * HOUR },
      { kind: 'delegate', at: 3 * HOUR, expires: 4 * HOUR, scopes: ['reply'] },
    ]);
    expect(verdict(owners, 'post', -1)).toBe('not_delegated'); // before any delegation
    expect(verdict(owners, 'post', 0)).toBe('ok'); // made at exactly T
    expect(verdict(owners, 'react', HOUR - 1)).toBe('ok');
    expect(verdict(owners, 'reply', 10)).toBe('scope_denied');
    expect(verdict(owners, 'post', HOUR)).toBe('delegation_expired'); // expires at exactly T
    expect(verdict(owners, 'post', 2 * HOUR - 1)).toBe('delegation_expired');
    expect(verdict(owners, 'post', 2 * HOUR)).toBe('key_revoked'); // revoked at exactly T
    expect(verdict(owners, 'reply', 3 * HOUR)).toBe('ok'); // granted anew after the revocation
    expect(verdict(owners, 'post', 3 * HOUR)).toBe('scope_denied');
    expect(verdict(owners, 'reply', 4 * HOUR)).toBe('delegation_expired');
    expect(verdict(owners, 'post', 0, stranger.did)).toBe('not_delegated');
    expect(mayActFor(new Map(), agent.did, owner.did, 'post', at(0))).toMatchObject({ ok: false, error: { code: 'not_delegated' } });
    expect(verdict(owners, 'post', Number.NaN)).toBe('not_delegated');
  });

  it('a revocation is ordered by the owner\'s chain: it cancels earlier delegations, even one with a later created_at', async () => {
    const { owners } = await ownerChain([
      { kind: 'delegate', at: 10, expires: HOUR, scopes: ['post'] },
      { kind: 'revoke', at: 5 }, // owner's clock was behind: still cancels the grant above from T = 10 on
    ]);
    expect(verdict(owners, 'post', 10)).toBe('key_revoked');
  });

  it('agent proofs: on_behalf_of needs the scope of the proof type; proofs before a revocation stay valid', async () => {
    const { proofs: ownerProofs } = await ownerChain([
      { kind: 'delegate', at: 0, expires: 10 * HOUR, scopes: ['post', 'reply'] },
      { kind: 'revoke', at: 5 * HOUR },
    ]);
    const agentWriter = new ProofWriter(agent);
    const agentIdentity = await agentWriter.identity('Bot');
    const onBehalf = { on_behalf_of: owner.did };
    const early = await agentWriter.write('post', { content_digest: DIGEST, visibility: 'public', ...onBehalf }, { created_at: iso(HOUR) });
    const react = await agentWriter.write('reaction', { target: early.id, kind: 'like', ...onBehalf }, { created_at: iso(HOUR) });
    const reply = await agentWriter.write('reply', { parent: early.id, root: early.id, content_digest: DIGEST, ...onBehalf }, { created_at: iso(2 * HOUR) });
    const late = await agentWriter.write('post', { content_digest: DIGEST, visibility: 'public', ...onBehalf }, { created_at: iso(5 * HOUR) });
    const own = await agentWriter.write('post', { content_digest: DIGEST, visibility: 'public' }, { created_at: iso(6 * HOUR) });
    const codes = setCodes([...ownerProofs, agentIdentity, early, react, reply, late, own]);
    expect(codes.slice(ownerProofs.length)).toEqual([[], [], ['scope_denied'], [], ['key_revoked'], []]);
    // At admission the hub also checks its own clock: a proof backdated to before the revocation
    // (inside the skew window) is refused once the hub holds the revocation.
    const owners = new Map([[owner.did, stateOf(owner.did, ownerProofs)]]);
    const backdated = await agentWriter.write('post', { content_digest: DIGEST, visibility: 'public', ...onBehalf }, { created_at: iso(5 * HOUR - 60_000) });
    expect(checkDelegatedProof(owners, backdated).ok).toBe(true);
    expect(checkDelegatedProof(owners, backdated, at(5 * HOUR + 60_000))).toMatchObject({ ok: false, error: { code: 'key_revoked' } });
    expect(checkDelegatedProof(owners, early, at(HOUR)).ok).toBe(true);
    expect(checkDelegatedProof(owners, own, at(9 * HOUR)).ok).toBe(true); // not on behalf of anyone
    // Without the owner's chain in the set nothing vouches for the agent.
    expect(setCodes([agentIdentity, early])).toEqual([[], ['not_delegated']]);
    expect(scopeForProofType('moderation')).toBe('moderate');
    expect(scopeForProofType('identity')).toBeUndefined();
  });

  it('property: a later revocation never changes an earlier verdict; a revocation at or before T always denies', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 10 }),
        fc.integer({ min: 1, max: 10 }),
        fc.integer({ min: -2, max: 14 }),
        fc.integer({ min: 0, max: 14 }),
        fc.uniqueArray(fc.constantFrom<DelegationScope>('read', 'post', 'reply', 'react', 'moderate'), { minLength: 1 }),
        fc.constantFrom<DelegationScope>('read', 'post', 'reply', 'react', 'moderate'),
        async (made, lasts, query, revokedAt, scopes, scope) => {
          const grant = { kind: 'delegate' as const, at: made * HOUR, expires: (made + lasts) * HOUR, scopes };
          const { owners: before } = await ownerChain([grant]);
          const { owners: after } = await ownerChain([grant, { kind: 'revoke', at: revokedAt * HOUR }]);
          const verdictBefore = verdict(before, scope, query * HOUR);
          const verdictAfter = verdict(after, scope, query * HOUR);
          if (query < revokedAt) expect(verdictAfter).toBe(verdictBefore);
          else expect(verdictAfter).not.toBe('ok');
          if (verdictBefore === 'ok') {
            expect(query >= made && query < made + lasts && scopes.includes(scope)).toBe(true);
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});

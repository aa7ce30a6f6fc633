// Every code in PROOF_ERROR_CODES (the table in docs/proof-format.md) is produced by some real
// input, through the public entry point that documents it, with the message and details a client
// would show.
import { describe, expect, it } from 'vitest';
import { nobleVerifier } from '@/lib/crypto/ed25519';
import type { Failure, Result } from '@/lib/errors';
import { checkChainLink } from './chain';
import { checkContent, createContent } from './content';
import { PROOF_ERROR_CODES } from './errors';
import type { ProofErrorCode } from './errors';
import { mayActFor, replayIdentity } from './identity';
import { signProof, verifyProof } from './proof';
import type { SignedProof } from './schema';
import { ProofWriter, TEST_EPOCH, createTestKey } from './testing';
import { verifyProofSet } from './verify-set';

const DIGEST = 'cd'.repeat(32);

function failureOf(result: Result<unknown>): Failure | undefined {
  return result.ok ? undefined : result.error;
}

async function scenarios(): Promise<Record<ProofErrorCode, () => Promise<Failure | undefined> | Failure | undefined>> {
  const owner = new ProofWriter(createTestKey(91));
  const agentKey = createTestKey(92);
  const agent = new ProofWriter(agentKey);
  const o1 = await owner.identity('Owner');
  const post = await owner.write('post', { content_digest: DIGEST, visibility: 'public' });
  const grant = await owner.write('delegation', { agent: agentKey.did, scopes: ['post'], expires_at: new Date(TEST_EPOCH.getTime() + 60_000).toISOString() });
  const a1 = await agent.identity('Agent');
  const set = (proofs: readonly unknown[], opts = {}) => {
    const report = verifyProofSet(proofs, nobleVerifier, opts);
    return report.proofs.flatMap((entry) => entry.errors)[0] ?? report.failures[0];
  };
  const edited = (proof: SignedProof, edit: (p: Record<string, unknown>) => void) => {
    const copy = JSON.parse(JSON.stringify(proof)) as Record<string, unknown>;
    edit(copy);
    return copy;
  };
  const states = () => {
    const replayed = replayIdentity(owner.issuer, [o1, post, grant]);
    if (!replayed.ok) throw new Error('replay');
    return new Map([[owner.issuer, replayed.value]]);
  };
  const content = createContent({ body: 'text' }, new Uint8Array(16));
  if (!content.ok) throw new Error('content');

  return {
    malformed_proof: () => failureOf(verifyProof('not an object', nobleVerifier)),
    unsupported_version: () => failureOf(verifyProof(edited(post, (p) => (p.v = 2)), nobleVerifier)),
    unknown_type: () => failureOf(verifyProof(edited(post, (p) => (p.type = 'poll')), nobleVerifier)),
    too_large: () => failureOf(verifyProof(edited(post, (p) => (p.evidence = Array.from({ length: 20 }, () => ({ url: `https://e.org/${'x'.repeat(1000)}` })))), nobleVerifier)),
    invalid_did: () => failureOf(verifyProof(edited(post, (p) => (p.issuer = 'did:key:z6Mk')), nobleVerifier)),
    invalid_claim: () => failureOf(verifyProof(edited(post, (p) => (p.claim = { content_digest: DIGEST, visibility: 'everyone' })), nobleVerifier)),
    wrong_hub: () => failureOf(verifyProof(post, nobleVerifier, { hub: 'elsewhere' })),
    timestamp_skew: () => failureOf(verifyProof(post, nobleVerifier, { now: new Date(TEST_EPOCH.getTime() + 3_600_000) })),
    id_mismatch: () => failureOf(verifyProof(edited(post, (p) => (p.created_at = TEST_EPOCH.toISOString())), nobleVerifier)),
    bad_signature: async () => failureOf(verifyProof(await signProof(post, agentKey.signer), nobleVerifier)),
    seq_gap: () => failureOf(checkChainLink(null, post)),
    prev_mismatch: () => failureOf(checkChainLink({ seq: 1, id: post.id }, post)),
    fork: () => failureOf(checkChainLink({ seq: 2, id: grant.id }, post)),
    duplicate: () => failureOf(checkChainLink({ seq: 2, id: post.id }, post)),
    unknown_key: async () => {
      const rotated = new ProofWriter(createTestKey(93));
      await rotated.identity();
      await rotated.rotate(createTestKey(94));
      return set([await rotated.write('post', { content_digest: DIGEST, visibility: 'public' })]);
    },
    key_revoked: async () => {
      const revoker = new ProofWriter(createTestKey(95));
      const proofs = [
        await revoker.identity(),
        await revoker.write('delegation', { agent: agentKey.did, scopes: ['post'], expires_at: '2030-01-01T00:00:00.000Z' }),
        await revoker.write('revocation', { agent: agentKey.did }),
      ];
      const replayed = replayIdentity(revoker.issuer, proofs);
      if (!replayed.ok) throw new Error('replay');
      return failureOf(mayActFor(new Map([[revoker.issuer, replayed.value]]), agentKey.did, revoker.issuer, 'post', new Date('2029-01-01T00:00:00.000Z')));
    },
    not_delegated: async () => set([a1, await agent.write('post', { content_digest: DIGEST, visibility: 'public', on_behalf_of: createTestKey(96).did })]),
    scope_denied: () => failureOf(mayActFor(states(), agentKey.did, owner.issuer, 'reply', new Date(grant.created_at))),
    delegation_expired: () => failureOf(mayActFor(states(), agentKey.did, owner.issuer, 'post', new Date('2030-01-01T00:00:00.000Z'))),
    unknown_parent: async () => set([o1, await owner.write('reply', { parent: 'ab'.repeat(32), root: 'ab'.repeat(32), content_digest: DIGEST })], { requireReferences: true }),
    invalid_content: () => failureOf(checkContent(post, { salt: 'short', body: 'x' })),
    content_mismatch: () => failureOf(checkContent({ ...post, claim: { content_digest: DIGEST, visibility: 'public' } }, content.value)),
  };
}

describe('error codes', () => {
  it('every code in PROOF_ERROR_CODES comes from a real input, with a message', async () => {
    const table = await scenarios();
    expect(Object.keys(table).sort()).toEqual([...PROOF_ERROR_CODES].sort());
    for (const code of PROOF_ERROR_CODES) {
      const failure = await table[code]();
      expect(failure?.code, code).toBe(code);
      expect(failure?.message.length, code).toBeGreaterThan(0);
    }
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nobleVerifier } from '../crypto/ed25519';
import {
  createChainContext,
  faultTolerance,
  quorumSize,
  verifyCommitCertificate,
  verifyQuorumCert,
  verifyTimeoutCert,
  verifyVote,
} from './certificates';
import { createConsensusState } from './core';
import { blockHash, blockHeader, timeoutMessage, validatorSetHash, voteMessage, ZERO_HASH } from './encoding';
import { createTestCluster } from './testing';
import type { Block, BlockHeader, QuorumCert, TimeoutCert } from './types';

describe('quorum arithmetic', () => {
  it('f = ⌊(n-1)/3⌋ and a quorum is 2f+1 for n = 3f+1 (and intersects in f+1 otherwise)', () => {
    expect([1, 4, 7, 10, 100].map(faultTolerance)).toEqual([0, 1, 2, 3, 33]);
    expect([1, 4, 7, 10].map(quorumSize)).toEqual([1, 3, 5, 7]);
    for (let n = 1; n <= 60; n++) {
      const f = faultTolerance(n);
      const q = quorumSize(n);
      expect(2 * q - n).toBeGreaterThanOrEqual(f + 1); // two quorums share an honest validator
      expect(q).toBeLessThanOrEqual(n - f); // the honest ones alone form a quorum
    }
  });
});

describe('certificates over real Ed25519 signatures', () => {
  const cluster = createTestCluster(4);
  const state = createConsensusState(cluster.configs[0]!);
  const ctx = createChainContext(cluster.chainId, cluster.validators, state.committed.hash, nobleVerifier);
  const setHash = validatorSetHash(cluster.validators);
  const genesis = state.committed;
  const leaves = cluster.leaves(2);
  const built = cluster.rules.buildPayload(genesis.context, leaves);
  if (!built.ok) throw new Error('payload');
  const block: Block = {
    height: 1,
    view: 1,
    parent: genesis.hash,
    leaves,
    treeHead: built.value.head,
    justify: { view: 0, blockHash: genesis.hash, committedHash: ZERO_HASH, signers: [], signatures: [] },
  };
  const header: BlockHeader = blockHeader(block, cluster.chainId, setHash);
  const hash = blockHash(block, cluster.chainId, setHash);
  // The QC on block 1's child in view 2: it commits block 1.
  const childHash = new Uint8Array(32).fill(0xcd);
  const commitQC = (signers: number[]): QuorumCert => {
    const message = voteMessage(cluster.chainId, 2, childHash, hash);
    return { view: 2, blockHash: childHash, committedHash: hash, signers, signatures: signers.map((i) => cluster.sign(i, message)) };
  };
  const pinned = { chainId: cluster.chainId, validators: cluster.validators };

  it('accepts a quorum of valid signatures and the genesis QC', () => {
    expect(verifyQuorumCert(ctx, commitQC([0, 1, 2])).ok).toBe(true);
    expect(verifyQuorumCert(ctx, commitQC([0, 1, 2, 3])).ok).toBe(true);
    expect(verifyQuorumCert(ctx, { view: 0, blockHash: genesis.hash, committedHash: ZERO_HASH, signers: [], signatures: [] }).ok).toBe(true);
  });

  it('refuses duplicates, strangers, short quorums, misaligned lists, bad signatures and fake genesis QCs', () => {
    const good = commitQC([0, 1, 2]);
    const cases: [QuorumCert, string][] = [
      [{ ...good, signers: [0, 0, 1] }, 'signers_not_ascending'],
      [{ ...good, signers: [1, 0, 2] }, 'signers_not_ascending'],
      [{ ...good, signers: [0, 1, 4] }, 'signer_out_of_range'],
      [commitQC([0, 1]), 'insufficient_signatures'],
      [{ ...good, signatures: good.signatures.slice(0, 2) }, 'signature_count_mismatch'],
      [{ ...good, signatures: [good.signatures[0]!, good.signatures[0]!, good.signatures[2]!] }, 'invalid_signature'],
      [{ ...good, committedHash: ZERO_HASH }, 'invalid_signature'],
      [{ view: 0, blockHash: childHash, committedHash: ZERO_HASH, signers: [], signatures: [] }, 'invalid_genesis_qc'],
    ];
    for (const [qc, code] of cases) {
      const result = verifyQuorumCert(ctx, qc);
      expect(result.ok ? 'ok' : result.error.code).toBe(code);
    }
  });

  it('checks single votes', () => {
    const signature = cluster.sign(3, voteMessage(cluster.chainId, 5, childHash, ZERO_HASH));
    expect(verifyVote(ctx, { view: 5, blockHash: childHash, committedHash: ZERO_HASH, signer: 3, signature }).ok).toBe(true);
    expect(verifyVote(ctx, { view: 5, blockHash: childHash, committedHash: ZERO_HASH, signer: 2, signature }).ok).toBe(false);
    expect(verifyVote(ctx, { view: 6, blockHash: childHash, committedHash: ZERO_HASH, signer: 3, signature }).ok).toBe(false);
    expect(verifyVote(ctx, { view: 5, blockHash: childHash, committedHash: ZERO_HASH, signer: 9, signature }).ok).toBe(false);
  });

  it('checks that a TC carries the highest QC any signer reported', () => {
    const qc = commitQC([0, 1, 2]);
    const views = [2, 0, 2];
    const tc: TimeoutCert = {
      view: 3,
      highQC: qc,
      signers: [1, 2, 3],
      highQCViews: views,
      signatures: [1, 2, 3].map((i, k) => cluster.sign(i, timeoutMessage(cluster.chainId, 3, views[k]!))),
    };
    expect(verifyTimeoutCert(ctx, tc).ok).toBe(true);
    const code = (candidate: TimeoutCert) => {
      const result = verifyTimeoutCert(ctx, candidate);
      return result.ok ? 'ok' : result.error.code;
    };
    // A leader hiding the highest reported QC behind an older one.
    expect(code({ ...tc, highQC: { view: 0, blockHash: genesis.hash, committedHash: ZERO_HASH, signers: [], signatures: [] } })).toBe('invalid_high_qc');
    // A signer's reported view must be what it signed, and older than the TC's view.
    expect(code({ ...tc, highQCViews: [2, 1, 2] })).toBe('invalid_signature');
    expect(code({ ...tc, highQCViews: [2, 3, 2] })).toBe('invalid_high_qc');
  });

  describe('light client: verifyCommitCertificate', () => {
    it('returns the certified tree head for a genuine commit', () => {
      const result = verifyCommitCertificate(pinned, header, commitQC([1, 2, 3]), nobleVerifier);
      expect(result.ok).toBe(true);
      if (result.ok) {
        expect(result.value.height).toBe(1);
        expect(result.value.logSize).toBe(2);
        expect(result.value.logRoot).toEqual(block.treeHead.root);
      }
    });

    it('cannot be fooled by another chain, another set, a changed header, absent or duplicate signatures', () => {
      const good = commitQC([0, 1, 2]);
      const code = (result: ReturnType<typeof verifyCommitCertificate>) => (result.ok ? 'ok' : result.error.code);
      expect(code(verifyCommitCertificate({ ...pinned, chainId: new Uint8Array(32) }, header, good, nobleVerifier))).toBe('wrong_chain');
      expect(code(verifyCommitCertificate({ ...pinned, validators: [...cluster.validators].reverse() }, header, good, nobleVerifier))).toBe('wrong_validator_set');
      expect(code(verifyCommitCertificate(pinned, { ...header, logSize: 3 }, good, nobleVerifier))).toBe('commit_hash_mismatch');
      const root = header.logRoot.slice();
      root[31]! ^= 1;
      expect(code(verifyCommitCertificate(pinned, { ...header, logRoot: root }, good, nobleVerifier))).toBe('commit_hash_mismatch');
      expect(code(verifyCommitCertificate(pinned, header, { ...good, view: 3 }, nobleVerifier))).toBe('commit_view_mismatch');
      expect(code(verifyCommitCertificate(pinned, header, { ...good, signers: [0, 0, 1] }, nobleVerifier))).toBe('signers_not_ascending');
      expect(code(verifyCommitCertificate(pinned, header, commitQC([0, 1]), nobleVerifier))).toBe('insufficient_signatures');
      expect(code(verifyCommitCertificate(pinned, header, { ...good, signers: [], signatures: [] }, nobleVerifier))).toBe('insufficient_signatures');
    });

    it('rejects any single flipped bit in a signature', () => {
      const good = commitQC([0, 1, 2]);
      fc.assert(
        fc.property(fc.nat({ max: 2 }), fc.nat({ max: 63 }), fc.nat({ max: 7 }), (which, byte, bit) => {
          const signatures = good.signatures.map((s) => s.slice());
          signatures[which]![byte]! ^= 1 << bit;
          expect(verifyCommitCertificate(pinned, header, { ...good, signatures }, nobleVerifier).ok).toBe(false);
        }),
        { numRuns: 16 },
      );
    });
  });
});

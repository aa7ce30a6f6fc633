import { describe, expect, it } from 'vitest';
import { bytesEqual, bytesToHex } from '../bytes';
import { verifyCommitCertificate } from './certificates';
import { createConsensusState, safetyRecordOf, step, viewTimeout, type ConsensusState } from './core';
import { blockHash, blockHeader, timeoutMessage, validatorSetHash, voteMessage, ZERO_HASH } from './encoding';
import { createTestCluster, driveToHeight, type TestCluster } from './testing';
import type { Block, ConsensusEffect, ConsensusInput, ConsensusMessage, Hash, LogLeaf, PayloadContext, QuorumCert, TimeoutCert, Vote } from './types';

interface Entry {
  readonly block: Block;
  readonly hash: Hash;
  readonly context: PayloadContext;
}

/** Builds blocks and certificates by hand, signing with the cluster's real keys. */
function fixture(cluster: TestCluster) {
  const setHash = validatorSetHash(cluster.validators);
  const genesis: Entry = createConsensusState(cluster.configs[0]!).committed;
  const genesisQC: QuorumCert = { view: 0, blockHash: genesis.hash, committedHash: ZERO_HASH, signers: [], signatures: [] };
  const makeBlock = (parent: Entry, view: number, justify: QuorumCert, leaves: LogLeaf[] = []): Entry => {
    const built = cluster.rules.buildPayload(parent.context, leaves);
    if (!built.ok) throw new Error(built.error.message);
    const block: Block = { height: parent.block.height + 1, view, parent: parent.hash, leaves, treeHead: built.value.head, justify };
    return { block, hash: blockHash(block, cluster.chainId, setHash), context: built.value.context };
  };
  /** The QC honest voters would form for `entry` (committedHash set when the views are consecutive). */
  const makeQC = (entry: Entry, parent: Entry, signers: number[] = [0, 1, 2]): QuorumCert => {
    const committedHash = parent.block.view + 1 === entry.block.view ? parent.hash : ZERO_HASH;
    const message = voteMessage(cluster.chainId, entry.block.view, entry.hash, committedHash);
    return { view: entry.block.view, blockHash: entry.hash, committedHash, signers, signatures: signers.map((i) => cluster.sign(i, message)) };
  };
  const makeTC = (view: number, highQCs: QuorumCert[], signers: number[] = [0, 1, 2]): TimeoutCert => {
    let highQC = highQCs[0]!;
    for (const qc of highQCs) if (qc.view > highQC.view) highQC = qc;
    return {
      view,
      highQC,
      signers,
      highQCViews: highQCs.map((qc) => qc.view),
      signatures: signers.map((i, k) => cluster.sign(i, timeoutMessage(cluster.chainId, view, highQCs[k]!.view))),
    };
  };
  return { setHash, genesis, genesisQC, makeBlock, makeQC, makeTC };
}

function run(state: ConsensusState, input: ConsensusInput): { state: ConsensusState; effects: readonly ConsensusEffect[] } {
  return step(state, input);
}

function started(cluster: TestCluster, node: number): ConsensusState {
  return run(createConsensusState(cluster.configs[node]!), { kind: 'start' }).state;
}

const message = (from: number, m: ConsensusMessage): ConsensusInput => ({ kind: 'message', from, message: m });
const sentVotes = (effects: readonly ConsensusEffect[]): Vote[] =>
  effects.flatMap((e) => (e.kind === 'send' && e.message.type === 'vote' ? [e.message.vote] : []));
const reports = (effects: readonly ConsensusEffect[]) => effects.flatMap((e) => (e.kind === 'report' ? [e.code] : []));

describe('happy path with real Ed25519 keys', () => {
  const cluster = createTestCluster(4);
  const { states, log } = driveToHeight(cluster, 6, { leavesPerBlock: 2 });

  it('every validator commits the same blocks, each commit certified for a light client', () => {
    const chains = log.commits.map((commits) => commits.flatMap((c) => c.hashes.map(bytesToHex)));
    for (const chain of chains) expect(chain.slice(0, 6)).toEqual(chains[0]!.slice(0, 6));
    for (const state of states) expect(state.committed.block.height).toBeGreaterThanOrEqual(6);
    for (const commit of log.commits[0]!) {
      const last = commit.blocks[commit.blocks.length - 1]!;
      const certified = verifyCommitCertificate(
        { chainId: cluster.chainId, validators: cluster.validators },
        blockHeader(last, cluster.chainId, validatorSetHash(cluster.validators)),
        commit.certificate,
        cluster.configs[0]!.verifier,
      );
      expect(certified.ok).toBe(true);
      if (certified.ok) expect(certified.value.logSize).toBe(2 * last.height);
    }
  });

  it('persists the safety record and stores the block before any vote or timeout leaves', () => {
    let signingSteps = 0;
    for (const { effects } of log.steps) {
      const persistAt = effects.findIndex((e) => e.kind === 'persist');
      const storeAt = effects.findIndex((e) => e.kind === 'storeBlock');
      effects.forEach((effect, i) => {
        const outgoing = effect.kind === 'send' || effect.kind === 'broadcast' ? effect.message : null;
        // A proposal carries no signature of its sender's: it may leave before the write.
        if (outgoing !== null && outgoing.type !== 'proposal') {
          expect(persistAt).toBeGreaterThanOrEqual(0);
          expect(persistAt).toBeLessThan(i);
          if (outgoing.type !== 'timeout') {
            expect(storeAt).toBeGreaterThanOrEqual(0);
            expect(storeAt).toBeLessThan(i);
          }
          signingSteps++;
        }
      });
      if (persistAt >= 0) {
        const record = (effects[persistAt] as Extract<ConsensusEffect, { kind: 'persist' }>).record;
        const vote = sentVotes(effects)[0];
        if (vote !== undefined) expect(record.lastVotedView).toBeGreaterThanOrEqual(vote.view);
      }
    }
    expect(signingSteps).toBeGreaterThan(10);
  });

  it("sends a leader's proposal before its own vote is made durable, and that vote after", () => {
    let proposingSteps = 0;
    for (const { effects } of log.steps) {
      const proposalAt = effects.findIndex((e) => e.kind === 'broadcast' && e.message.type === 'proposal');
      if (proposalAt < 0) continue;
      proposingSteps++;
      const persistAt = effects.findIndex((e) => e.kind === 'persist');
      const storeAt = effects.findIndex((e) => e.kind === 'storeBlock');
      expect(proposalAt).toBeLessThan(storeAt);
      expect(storeAt).toBeLessThan(persistAt);
      const proposed = (effects[proposalAt] as Extract<ConsensusEffect, { kind: 'broadcast' }>).message;
      const record = (effects[persistAt] as Extract<ConsensusEffect, { kind: 'persist' }>).record;
      expect(proposed.type === 'proposal' && record.lastVote?.view === proposed.block.view).toBe(true);
      // The leader's vote goes to the next leader (or is counted at once by a leader of two views).
      const voteAt = effects.findIndex((e) => e.kind === 'send' && e.message.type === 'vote');
      if (voteAt >= 0) expect(voteAt).toBeGreaterThan(persistAt);
    }
    expect(proposingSteps).toBeGreaterThan(4);
  });

  it('backs off the view timeout with the views since the last commit, up to the cap', () => {
    const state = states[0]!;
    const commitView = state.highCommitQC.view;
    expect(viewTimeout(state, commitView + 1)).toBe(1000);
    expect(viewTimeout(state, commitView + 2)).toBe(2000);
    expect(viewTimeout(state, commitView + 4)).toBe(8000);
    expect(viewTimeout(state, commitView + 40)).toBe(16000);
  });
});

describe('a chain of one validator', () => {
  it('commits on its own', () => {
    const { states } = driveToHeight(createTestCluster(1), 3);
    expect(states[0]!.committed.block.height).toBeGreaterThanOrEqual(3);
  });
});

describe('the reducer is pure', () => {
  it('never mutates the state it is given', () => {
    const cluster = createTestCluster(4);
    const { genesis, genesisQC, makeBlock } = fixture(cluster);
    const state = started(cluster, 0);
    const snapshot = (s: ConsensusState) => ({
      view: s.view,
      lastVotedView: s.lastVotedView,
      highQC: s.highQC,
      lastVote: s.lastVote,
      blocks: [...s.blocks.keys()],
      votes: [...s.votes.keys()],
      timeouts: [...s.timeouts.keys()],
      proposals: [...s.proposals.entries()],
    });
    const before = snapshot(state);
    const a = makeBlock(genesis, 1, genesisQC, cluster.leaves(1));
    const next = run(state, message(1, { type: 'proposal', block: a.block, tc: null }));
    run(next.state, { kind: 'timer', view: 1 });
    expect(snapshot(state)).toEqual(before);
    expect(next.state.lastVotedView).toBe(1);
  });
});

describe('voting rules', () => {
  const cluster = createTestCluster(4);
  const f = fixture(cluster);
  const a = f.makeBlock(f.genesis, 1, f.genesisQC, cluster.leaves(2));

  it('votes once per view and resends the stored vote when asked again (rule 1)', () => {
    const node = started(cluster, 0);
    const first = run(node, message(1, { type: 'proposal', block: a.block, tc: null }));
    const [vote] = sentVotes(first.effects);
    expect(vote?.view).toBe(1);
    expect(first.effects.filter((e) => e.kind === 'send')[0]).toMatchObject({ to: 2 });
    // Consecutive views (genesis at 0): the vote commits the parent.
    expect(bytesEqual(vote!.committedHash, f.genesis.hash)).toBe(true);

    const again = run(first.state, message(1, { type: 'proposal', block: a.block, tc: null }));
    expect(sentVotes(again.effects)).toEqual([vote]);
    expect(again.effects.some((e) => e.kind === 'persist')).toBe(false);

    const other = f.makeBlock(f.genesis, 1, f.genesisQC, cluster.leaves(1));
    const equivocation = run(first.state, message(1, { type: 'proposal', block: other.block, tc: null }));
    expect(sentVotes(equivocation.effects)).toEqual([]);
    expect(reports(equivocation.effects)).toContain('equivocation');
  });

  it('gives no vote to a block with one bad leaf signature, a wrong root or a wrong size', () => {
    const node = started(cluster, 0);
    const leaves = cluster.leaves(3);
    const flipped = leaves[1]!.sig.slice();
    flipped[0]! ^= 1;
    const badLeaves = [leaves[0]!, { ...leaves[1]!, sig: flipped }, leaves[2]!];
    const good = f.makeBlock(f.genesis, 1, f.genesisQC, leaves);
    const variants: Block[] = [
      { ...good.block, leaves: badLeaves },
      { ...good.block, treeHead: { size: 3, root: good.block.treeHead.root.map((b, i) => (i === 0 ? b ^ 1 : b)) } },
      { ...good.block, treeHead: { size: 4, root: good.block.treeHead.root } },
      { ...good.block, leaves: [...leaves, leaves[0]!] },
    ];
    for (const block of variants) {
      const result = run(node, message(1, { type: 'proposal', block, tc: null }));
      expect(sentVotes(result.effects)).toEqual([]);
      expect(reports(result.effects)).toContain('invalid_payload');
      expect(result.state.lastVotedView).toBe(0);
    }
    expect(sentVotes(run(node, message(1, { type: 'proposal', block: good.block, tc: null })).effects)).toHaveLength(1);
  });

  it('gives no vote to a block repeating a proof id already in the chain, and a leader leaves such ids out', () => {
    const node = started(cluster, 0);
    const voted = run(node, message(1, { type: 'proposal', block: a.block, tc: null }));
    expect(sentVotes(voted.effects)).toHaveLength(1);
    // View 2 (leader 2) extends a, whose proof is uncommitted: a second leaf with a's first id.
    const qcA = f.makeQC(a, f.genesis);
    const [fresh] = cluster.leaves(1);
    const again = { ...a.block.leaves[0]!, sig: a.block.leaves[0]!.sig.slice() };
    const repeat = f.makeBlock(a, 2, qcA, [fresh!, again]);
    const refused = run(voted.state, message(2, { type: 'proposal', block: repeat.block, tc: null }));
    expect(sentVotes(refused.effects)).toEqual([]);
    expect(reports(refused.effects)).toContain('invalid_payload');
    const fine = f.makeBlock(a, 2, qcA, [fresh!]);
    expect(sentVotes(run(voted.state, message(2, { type: 'proposal', block: fine.block, tc: null })).effects)).toHaveLength(1);

    // An id the worker's committed log holds (isCommittedId) is refused the same way.
    const [old, other] = cluster.leaves(2);
    const config = { ...cluster.configs[0]!, isCommittedId: (id: Uint8Array) => bytesEqual(id, old!.id) };
    const withLog = run(createConsensusState(config), { kind: 'start' }).state;
    const logged = f.makeBlock(f.genesis, 1, f.genesisQC, [other!, old!]);
    const refusedLogged = run(withLog, message(1, { type: 'proposal', block: logged.block, tc: null }));
    expect(sentVotes(refusedLogged.effects)).toEqual([]);
    expect(reports(refusedLogged.effects)).toContain('invalid_payload');

    // The leader of view 1 drops the offered leaf whose id is in its log and proposes the rest.
    const leader = run(createConsensusState({ ...config, self: 1, sign: (m) => cluster.sign(1, m) }), { kind: 'start' });
    expect(leader.effects.some((e) => e.kind === 'requestPayload')).toBe(true);
    const proposed = run(leader.state, { kind: 'payload', view: 1, leaves: [other!, old!] });
    const proposal = proposed.effects.flatMap((e) => (e.kind === 'broadcast' && e.message.type === 'proposal' ? [e.message.block] : []));
    expect(proposal).toHaveLength(1);
    expect(proposal[0]!.leaves.map((leaf) => bytesToHex(leaf.id))).toEqual([bytesToHex(other!.id)]);
  });

  it('refuses proposals from anyone but the view leader, and certificates with duplicate signers', () => {
    const node = started(cluster, 0);
    const wrongLeader = run(node, message(2, { type: 'proposal', block: a.block, tc: null }));
    expect(reports(wrongLeader.effects)).toEqual(['not_leader']);
    const qcA = f.makeQC(a, f.genesis);
    const forged: QuorumCert = { ...qcA, signers: [0, 0, 1], signatures: [qcA.signatures[0]!, qcA.signatures[0]!, qcA.signatures[1]!] };
    const b = f.makeBlock(a, 2, forged);
    const result = run(node, message(2, { type: 'proposal', block: b.block, tc: null }));
    expect(reports(result.effects)).toContain('invalid_certificate');
    expect(result.state.view).toBe(1);
  });

  it('keeps the lock: no vote for a block whose justify is below it, unless a TC allows it', () => {
    const qcA = f.makeQC(a, f.genesis);
    const b = f.makeBlock(a, 2, qcA);
    const qcB = f.makeQC(b, a);
    const c = f.makeBlock(b, 3, qcB);
    // Node 1 votes for B (view 2) and C (view 3); C's justify makes QC(B), view 2, its lock.
    let voter = started(cluster, 1);
    voter = run(voter, { kind: 'sync', from: 2, blocks: [a.block], commitQC: null }).state;
    voter = run(voter, message(2, { type: 'proposal', block: b.block, tc: null })).state;
    voter = run(voter, message(3, { type: 'proposal', block: c.block, tc: null })).state;
    expect(voter.highQC.view).toBe(2);
    expect(voter.lastVotedView).toBe(3);

    // View 3 times out. The leader of view 4 (node 0) extends A, whose QC is below the lock.
    const d = f.makeBlock(a, 4, qcA);
    const tcHigh = f.makeTC(3, [qcB, qcA, qcA], [0, 2, 3]);
    const lockHolds = run(voter, message(0, { type: 'proposal', block: d.block, tc: tcHigh }));
    expect(lockHolds.state.view).toBe(4);
    expect(lockHolds.state.lastVotedView).toBe(3); // justify (view 1) is below the TC's highest QC (view 2)

    // A TC whose signers all reported QC(A) proves no quorum locked on B: extending A is safe.
    const tcLow = f.makeTC(3, [qcA, qcA, qcA], [0, 2, 3]);
    const tcRule = run(voter, message(0, { type: 'proposal', block: d.block, tc: tcLow }));
    // Node 1 leads view 5, so it keeps its own vote: read it from the state.
    const vote = tcRule.state.lastVote;
    expect(vote?.view).toBe(4);
    expect(tcRule.effects.map((e) => e.kind)).toEqual(['setTimer', 'storeBlock', 'persist']);
    // A (view 1) and D (view 4) are not consecutive: this vote commits nothing.
    expect(bytesEqual(vote!.committedHash, ZERO_HASH)).toBe(true);
  });

  it('commits only across consecutive views (and across a gap with the check switched off)', () => {
    const qcA = f.makeQC(a, f.genesis);
    const tc3 = f.makeTC(3, [qcA, qcA, qcA]);
    const c = f.makeBlock(a, 4, qcA);
    let node = started(cluster, 3);
    node = run(node, { kind: 'sync', from: 1, blocks: [a.block], commitQC: null }).state;
    const entered = run(node, message(0, { type: 'proposal', block: c.block, tc: tc3 }));
    expect(entered.state.view).toBe(4);
    expect(bytesEqual(sentVotes(entered.effects)[0]!.committedHash, ZERO_HASH)).toBe(true);
    // QC(C) forms with committedHash zero: A is certified twice over, yet not committed.
    const gapQC = f.makeQC(c, a);
    expect(bytesEqual(gapQC.committedHash, ZERO_HASH)).toBe(true);
    const afterQC = run(entered.state, message(1, { type: 'proposal', block: f.makeBlock(c, 5, gapQC).block, tc: null }));
    expect(afterQC.effects.some((e) => e.kind === 'commit')).toBe(false);
    expect(afterQC.state.committed.block.height).toBe(0);

    const mutated = createTestCluster(4, { unsafe: { skipConsecutiveViewCheck: true } });
    const m = fixture(mutated);
    const ma = m.makeBlock(m.genesis, 1, m.genesisQC);
    const mqc = m.makeQC(ma, m.genesis);
    const mc = m.makeBlock(ma, 4, mqc);
    let unsafe = started(mutated, 3);
    unsafe = run(unsafe, { kind: 'sync', from: 1, blocks: [ma.block], commitQC: null }).state;
    unsafe = run(unsafe, message(0, { type: 'proposal', block: mc.block, tc: m.makeTC(3, [mqc, mqc, mqc]) })).state;
    expect(bytesEqual(unsafe.lastVote!.committedHash, ma.hash)).toBe(true);
  });
});

describe('timeouts and view change', () => {
  const cluster = createTestCluster(4);
  const f = fixture(cluster);

  it('signs one timeout per view, persisted first, resent (not re-signed) on the next firing', () => {
    const node = started(cluster, 0);
    const fired = run(node, { kind: 'timer', view: 1 });
    const kinds = fired.effects.map((e) => e.kind);
    expect(kinds.indexOf('persist')).toBeLessThan(kinds.indexOf('broadcast'));
    expect(fired.state.lastVotedView).toBe(1);
    expect(fired.state.highestTimeoutView).toBe(1);
    const again = run(fired.state, { kind: 'timer', view: 1 });
    expect(again.effects.some((e) => e.kind === 'persist')).toBe(false);
    const resent = again.effects.find((e) => e.kind === 'broadcast');
    expect(resent?.kind === 'broadcast' && resent.message.type === 'timeout' && resent.message.timeout).toBe(fired.state.lastTimeout);
    // Rule 2: having timed out in view 1, it no longer votes in view 1.
    const a = f.makeBlock(f.genesis, 1, f.genesisQC);
    expect(sentVotes(run(fired.state, message(1, { type: 'proposal', block: a.block, tc: null })).effects)).toEqual([]);
  });

  it('joins a view change on f+1 timeouts and enters the next view on 2f+1 (a TC)', () => {
    const timeoutFrom = (signer: number) => ({
      view: 1,
      highQC: f.genesisQC,
      signer,
      signature: cluster.sign(signer, timeoutMessage(cluster.chainId, 1, 0)),
    });
    let node = started(cluster, 0);
    node = run(node, message(1, { type: 'timeout', timeout: timeoutFrom(1), lastTC: null })).state;
    expect(node.lastTimeout).toBeNull();
    const second = run(node, message(2, { type: 'timeout', timeout: timeoutFrom(2), lastTC: null }));
    // f+1 = 2 others gave up: it signs its own, which makes 2f+1 and a TC for view 1.
    expect(second.state.lastTimeout?.view).toBe(1);
    expect(second.state.view).toBe(2);
    expect(second.state.highTC?.view).toBe(1);
    expect(second.state.highTC?.signers).toEqual([0, 1, 2]);
  });

  it('jumps ahead on a verified higher certificate and fetches the blocks it lacks', () => {
    const a = f.makeBlock(f.genesis, 1, f.genesisQC, cluster.leaves(1));
    const b = f.makeBlock(a, 2, f.makeQC(a, f.genesis), cluster.leaves(1));
    const c = f.makeBlock(b, 3, f.makeQC(b, a));
    const node = started(cluster, 1);
    const jumped = run(node, message(3, { type: 'proposal', block: c.block, tc: null }));
    expect(jumped.state.view).toBe(3);
    const request = jumped.effects.find((e) => e.kind === 'requestSync');
    expect(request).toMatchObject({ kind: 'requestSync', to: 3, fromHeight: 1 });
    expect(sentVotes(jumped.effects)).toEqual([]);
    const synced = run(jumped.state, { kind: 'sync', from: 3, blocks: [a.block, b.block], commitQC: null });
    // A is committed by QC(B) (views 1, 2), and the waiting proposal C now gets its vote.
    expect(synced.state.committed.block.height).toBe(1);
    expect(sentVotes(synced.effects).map((v) => v.view)).toEqual([3]);
  });

  it('rejects synced blocks that do not validate', () => {
    const a = f.makeBlock(f.genesis, 1, f.genesisQC, cluster.leaves(1));
    const node = started(cluster, 1);
    const bad = { ...a.block, treeHead: { size: 1, root: new Uint8Array(32) } };
    const result = run(node, { kind: 'sync', from: 3, blocks: [bad], commitQC: null });
    expect(reports(result.effects)).toContain('invalid_sync');
    expect(result.state.blocks.size).toBe(0);
  });
});

describe('restarts', () => {
  const cluster = createTestCluster(4);
  const f = fixture(cluster);
  const a = f.makeBlock(f.genesis, 1, f.genesisQC, cluster.leaves(1));

  it('never signs a second vote for a view it voted in before the crash', () => {
    const voted = run(started(cluster, 0), message(1, { type: 'proposal', block: a.block, tc: null }));
    const record = (voted.effects.find((e) => e.kind === 'persist') as Extract<ConsensusEffect, { kind: 'persist' }>).record;
    const stored = voted.effects.flatMap((e) => (e.kind === 'storeBlock' ? [e.block] : []));
    const restarted = run(createConsensusState(cluster.configs[0]!), { kind: 'start', restore: { safety: record, blocks: stored } });
    expect(restarted.state.view).toBe(1);
    expect(restarted.state.blocks.size).toBe(1);
    const other = f.makeBlock(f.genesis, 1, f.genesisQC, cluster.leaves(1));
    expect(sentVotes(run(restarted.state, message(1, { type: 'proposal', block: other.block, tc: null })).effects)).toEqual([]);
    // The same proposal again: the stored vote, byte for byte.
    const resent = sentVotes(run(restarted.state, message(1, { type: 'proposal', block: a.block, tc: null })).effects);
    expect(resent).toEqual([record.lastVote]);
  });

  it('resends a stored timeout rather than signing another for the same view', () => {
    const timedOut = run(started(cluster, 0), { kind: 'timer', view: 1 });
    const restarted = run(createConsensusState(cluster.configs[0]!), { kind: 'start', restore: { safety: safetyRecordOf(timedOut.state) } });
    const fired = run(restarted.state, { kind: 'timer', view: 1 });
    expect(fired.effects.some((e) => e.kind === 'persist')).toBe(false);
    const broadcast = fired.effects.find((e) => e.kind === 'broadcast');
    expect(broadcast?.kind === 'broadcast' && broadcast.message.type === 'timeout' && bytesEqual(broadcast.message.timeout.signature, timedOut.state.lastTimeout!.signature)).toBe(true);
  });

  it('without its safety record, signs nothing until it holds a certificate at least as new as the floor', () => {
    const restarted = run(createConsensusState(cluster.configs[0]!), { kind: 'start', restore: { safety: null, signFloorView: 2 } });
    expect(reports(restarted.effects)).toContain('refused_to_sign');
    const noVote = run(restarted.state, message(1, { type: 'proposal', block: a.block, tc: null }));
    expect(sentVotes(noVote.effects)).toEqual([]);
    expect(run(noVote.state, { kind: 'timer', view: 1 }).state.lastTimeout).toBeNull();
    // QC(A) (view 1) is not enough; QC(B) (view 2) is.
    const b = f.makeBlock(a, 2, f.makeQC(a, f.genesis));
    const c = f.makeBlock(b, 3, f.makeQC(b, a));
    const afterB = run(noVote.state, message(2, { type: 'proposal', block: b.block, tc: null }));
    expect(sentVotes(afterB.effects)).toEqual([]);
    const afterC = run(afterB.state, message(3, { type: 'proposal', block: c.block, tc: null }));
    expect(afterC.state.lastVote?.view).toBe(3); // node 0 leads view 4: it keeps its own vote
  });

  it('without a floor, listens for a timer and a quorum of peers, then needs a certificate two views newer', () => {
    let node = run(createConsensusState(cluster.configs[0]!), { kind: 'start', restore: { safety: null } }).state;
    node = run(node, { kind: 'timer', view: 1 }).state;
    expect(node.recovery?.floor).toBeNull(); // heard from nobody yet
    const timeoutFrom = (signer: number) => ({ view: 1, highQC: f.genesisQC, signer, signature: cluster.sign(signer, timeoutMessage(cluster.chainId, 1, 0)) });
    node = run(node, message(1, { type: 'timeout', timeout: timeoutFrom(1), lastTC: null })).state;
    node = run(node, message(2, { type: 'timeout', timeout: timeoutFrom(2), lastTC: null })).state;
    expect(node.recovery?.floor).toBeNull(); // two of the three peers a quorum needs
    node = run(node, message(3, { type: 'timeout', timeout: timeoutFrom(3), lastTC: null })).state;
    // Heard a quorum, highest view shown 0: floor 2. Their timeouts formed TC(1) (view 1 < 2).
    expect(node.recovery?.floor).toBe(2);
    expect(node.view).toBe(2);
    expect(node.lastTimeout).toBeNull();
    const qcA = f.makeQC(a, f.genesis);
    const b = f.makeBlock(a, 2, qcA);
    node = run(node, { kind: 'sync', from: 1, blocks: [a.block], commitQC: null }).state;
    node = run(node, message(2, { type: 'proposal', block: b.block, tc: null })).state;
    expect(node.lastVote).toBeNull(); // QC(A) is view 1: still below the floor
    const c = f.makeBlock(b, 3, f.makeQC(b, a));
    node = run(node, message(3, { type: 'proposal', block: c.block, tc: null })).state;
    expect(node.recovery).toBeNull();
    expect(node.lastVote?.view).toBe(3);
  });
});

describe('bad input changes nothing', () => {
  const cluster = createTestCluster(4);
  const f = fixture(cluster);

  it('drops messages from outside the set or from itself, and votes with a bad signature', () => {
    const node = started(cluster, 2);
    const a = f.makeBlock(f.genesis, 1, f.genesisQC);
    for (const from of [-1, 4, 2, 1.5]) {
      const result = run(node, message(from, { type: 'proposal', block: a.block, tc: null }));
      expect(reports(result.effects)).toEqual(['invalid_message']);
      expect(result.state.blocks.size).toBe(0);
    }
    const signature = cluster.sign(1, voteMessage(cluster.chainId, 1, a.hash, f.genesis.hash));
    signature[3]! ^= 4;
    const vote: Vote = { view: 1, blockHash: a.hash, committedHash: f.genesis.hash, signer: 1, signature };
    const result = run(node, message(1, { type: 'vote', vote }));
    expect(reports(result.effects)).toEqual(['invalid_signature']);
    expect(result.state.votes.size).toBe(0);
    expect(reports(run(node, message(3, { type: 'vote', vote: { ...vote, signature: cluster.sign(1, voteMessage(cluster.chainId, 1, a.hash, f.genesis.hash)) } })).effects)).toEqual([
      'invalid_message',
    ]);
  });

  it('ignores inputs before start and a second start', () => {
    const fresh = createConsensusState(cluster.configs[0]!);
    expect(run(fresh, { kind: 'timer', view: 1 }).effects).toEqual([]);
    const once = started(cluster, 0);
    expect(reports(run(once, { kind: 'start' }).effects)).toEqual(['invalid_message']);
  });
});

describe('input that skipped the schemas', () => {
  it('is refused whole: the state is returned unchanged with one internal_error report', () => {
    const cluster = createTestCluster(4);
    const f = fixture(cluster);
    const node = started(cluster, 0);
    const a = f.makeBlock(f.genesis, 1, f.genesisQC, cluster.leaves(1));
    const broken: Block = { ...a.block, leaves: [{ ...a.block.leaves[0]!, id: new Uint8Array(5) }] };
    const result = run(node, message(1, { type: 'proposal', block: broken, tc: null }));
    expect(result.state).toBe(node);
    expect(result.effects).toHaveLength(1);
    expect(result.effects[0]).toMatchObject({ kind: 'report', code: 'internal_error' });
  });
});

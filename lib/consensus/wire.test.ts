import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { blockHeader, validatorSetHash } from './encoding';
import { driveToHeight, createTestCluster } from './testing';
import type { ConsensusMessage, SafetyRecord } from './types';
import {
  blockHeaderToJson,
  consensusMessageToJson,
  decodeBlockHeader,
  decodeConsensusMessage,
  decodeSafetyRecord,
  decodeSyncRequest,
  decodeSyncResponse,
  safetyRecordToJson,
  syncRequestToJson,
  syncResponseToJson,
} from './wire';

const viaJson = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

describe('JSON wire forms', () => {
  const cluster = createTestCluster(4);
  const { states, log } = driveToHeight(cluster, 3, { leavesPerBlock: 2 });
  const messages: ConsensusMessage[] = log.steps.flatMap(({ effects }) =>
    effects.flatMap((effect) => (effect.kind === 'send' || effect.kind === 'broadcast' ? [effect.message] : [])),
  );

  it('round-trips every message a real run sent', () => {
    expect(new Set(messages.map((m) => m.type))).toEqual(new Set(['proposal', 'vote']));
    for (const message of messages) {
      const decoded = decodeConsensusMessage(viaJson(consensusMessageToJson(message)));
      expect(decoded.ok && decoded.value).toEqual(message);
    }
  });

  it('round-trips timeouts with a TC, sync messages, headers and the safety record', () => {
    const state = states[0]!;
    const timeoutMessage: ConsensusMessage = {
      type: 'timeout',
      timeout: { view: 9, highQC: state.highQC, signer: 2, signature: new Uint8Array(64).fill(7) },
      lastTC: { view: 8, highQC: state.highQC, signers: [0, 1, 3], highQCViews: [state.highQC.view, 1, 0], signatures: [1, 2, 3].map((b) => new Uint8Array(64).fill(b)) },
    };
    const decoded = decodeConsensusMessage(viaJson(consensusMessageToJson(timeoutMessage)));
    expect(decoded.ok && decoded.value).toEqual(timeoutMessage);

    const request = { fromHeight: 2, targetHash: state.committed.hash };
    expect(decodeSyncRequest(viaJson(syncRequestToJson(request)))).toEqual({ ok: true, value: request });
    const response = { blocks: [state.committed.block], commitQC: state.highCommitQC };
    expect(decodeSyncResponse(viaJson(syncResponseToJson(response)))).toEqual({ ok: true, value: response });

    const header = blockHeader(state.committed.block, cluster.chainId, validatorSetHash(cluster.validators));
    expect(decodeBlockHeader(viaJson(blockHeaderToJson(header)))).toEqual({ ok: true, value: header });

    const record: SafetyRecord = {
      chainId: cluster.chainId,
      lastVotedView: state.lastVotedView,
      lockedQC: state.highQC,
      highestTimeoutView: 0,
      highTC: (timeoutMessage.type === 'timeout' && timeoutMessage.lastTC) || null,
      lastVote: state.lastVote,
      lastTimeout: timeoutMessage.type === 'timeout' ? timeoutMessage.timeout : null,
    };
    expect(decodeSafetyRecord(viaJson(safetyRecordToJson(record)))).toEqual({ ok: true, value: record });
  });

  it('refuses malformed input with invalid_message and a path', () => {
    const vote = messages.find((m) => m.type === 'vote')!;
    const json = consensusMessageToJson(vote) as { type: 'vote'; vote: Record<string, unknown> };
    const bad: unknown[] = [
      null,
      'vote',
      { ...json, type: 'ballot' },
      { ...json, extra: 1 },
      { ...json, vote: { ...json.vote, view: -1 } },
      { ...json, vote: { ...json.vote, view: 1.5 } },
      { ...json, vote: { ...json.vote, view: 2 ** 53 } },
      { ...json, vote: { ...json.vote, block_hash: (json.vote.block_hash as string).toUpperCase() } },
      { ...json, vote: { ...json.vote, signature: 'ab' } },
      { ...json, vote: { ...json.vote, signer: 1000 } },
    ];
    for (const input of bad) {
      const result = decodeConsensusMessage(input);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.error.code).toBe('invalid_message');
    }
    const proposal = consensusMessageToJson(messages.find((m) => m.type === 'proposal')!) as { block: { leaves: unknown[] } };
    const oversized = { ...proposal, block: { ...proposal.block, leaves: Array.from({ length: 4097 }, () => proposal.block.leaves[0]) } };
    expect(decodeConsensusMessage(oversized).ok).toBe(false);
    expect(decodeSafetyRecord({ ...safetyRecordToJson({ chainId: cluster.chainId, lastVotedView: 0, lockedQC: states[0]!.highQC, highestTimeoutView: 0, highTC: null, lastVote: null, lastTimeout: null }), version: 2 }).ok).toBe(false);
  });

  it('never throws on arbitrary JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(() => decodeConsensusMessage(value)).not.toThrow();
        expect(() => decodeSafetyRecord(value)).not.toThrow();
        expect(() => decodeSyncResponse(value)).not.toThrow();
      }),
      { numRuns: 200 },
    );
  });
});

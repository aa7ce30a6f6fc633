import { describe, expect, it } from 'vitest';
import type { VerifyPhase } from '@/lib/verify/items';
import { inputFromBundle } from './thread-input';
import { canVerifyThreads, progressPercent } from './verify-thread';

describe('Verify thread', () => {
  it('moves the progress bar forward through the phases, 0 to 100', () => {
    const phases: VerifyPhase[] = ['signatures', 'proofs', 'anchors', 'heads'];
    const values: number[] = [];
    for (const phase of phases) for (let done = 0; done <= 10; done++) values.push(progressPercent({ phase, done, total: 10 }));
    values.push(progressPercent({ phase: 'done', done: 0, total: 0 }));
    for (let i = 1; i < values.length; i++) expect(values[i]).toBeGreaterThanOrEqual(values[i - 1] as number);
    expect(values[0]).toBeGreaterThanOrEqual(0);
    expect(values.at(-1)).toBe(100);
    expect(progressPercent({ phase: 'signatures', done: 20, total: 10 })).toBe(60);
  });

  it('reads a bundle into lib/verify input and refuses what is not one', () => {
    const bundle = {
      format: 'proofhub-bundle/1',
      items: [{ proof: { id: 'a' }, content: null, purged: true, anchor: { x: 1 } }, { proof: { id: 'b' }, content: { body: 'x' } }],
      identities: [{ id: 'i' }],
      validators: { chain_id: 'c' },
      heads: [],
      consistency: [{ from: 1, to: 2, path: [] }],
    };
    const input = inputFromBundle(bundle);
    expect(input?.items).toEqual([
      { proof: { id: 'a' }, content: null, purged: true, anchor: { x: 1 } },
      { proof: { id: 'b' }, content: { body: 'x' } },
    ]);
    expect(input?.identities).toHaveLength(1);
    expect(input?.validators).toEqual({ chain_id: 'c' });
    expect(input?.consistency).toHaveLength(1);
    expect(inputFromBundle({ bundle, next: null })?.items).toHaveLength(2);
    expect(inputFromBundle({ proofs: [] })).toBeNull();
    expect(inputFromBundle(null)).toBeNull();
  });

  it('is offered to moderators and admins', () => {
    expect(canVerifyThreads('moderator')).toBe(true);
    expect(canVerifyThreads('admin')).toBe(true);
    expect(canVerifyThreads('user')).toBe(false);
    expect(canVerifyThreads(undefined)).toBe(false);
  });
});

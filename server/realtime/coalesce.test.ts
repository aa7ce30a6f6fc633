import { describe, expect, it } from 'vitest';
import { coalesceReads } from './coalesce';

describe('coalesceReads', () => {
  it('gives calls made before the read starts one shared read, per key', async () => {
    const reads: string[] = [];
    const read = coalesceReads(async (key: string) => {
      reads.push(key);
      return Promise.resolve(`${key}:${reads.length}`);
    });
    const answers = await Promise.all([read('public'), read('public'), read('other'), read('public')]);
    expect(reads).toEqual(['public', 'other']);
    expect(answers).toEqual(['public:1', 'public:1', 'other:2', 'public:1']);
  });

  it('never answers a call with a read that started before it: a later call sees a later state', async () => {
    let state = 'member';
    let releaseFirst: () => void = () => undefined;
    const firstHeld = new Promise<void>((resolve) => (releaseFirst = resolve));
    let calls = 0;
    const read = coalesceReads(async (_key: string) => {
      const seen = state;
      calls++;
      if (calls === 1) await firstHeld; // the first read is under way (e.g. waiting for the pool)
      return seen;
    });
    const first = read('hub');
    await new Promise((resolve) => setImmediate(resolve)); // the first read has started
    state = 'removed'; // e.g. the membership is revoked, then a socket subscribes
    const second = read('hub');
    releaseFirst();
    expect(await first).toBe('member');
    expect(await second).toBe('removed');
    expect(calls).toBe(2);
  });

  it('rejects every caller of a failed read, and the next call reads again', async () => {
    let attempt = 0;
    const read = coalesceReads(async (_key: string) => {
      attempt++;
      if (attempt === 1) throw new Error('connection lost');
      return Promise.resolve(attempt);
    });
    const results = await Promise.allSettled([read('k'), read('k')]);
    expect(results.map((result) => result.status)).toEqual(['rejected', 'rejected']);
    expect(await read('k')).toBe(2);
  });
});

// Chain rules: admission against a head, and whole-set tracking of many issuers in any order.
// The tracker takes chain links only (issuer, seq, prev, id), so the properties run on many
// generated chains; verify-set.test.ts runs the same rules on real signed proofs.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ChainTracker, checkChainLink, classifyChainConflict } from './chain';
import type { ChainLink } from './chain';

const id = (issuer: string, seq: number, variant = 0): string => {
  // A distinct 64-hex id per (issuer, seq, variant), stable across runs.
  let h = 2166136261;
  for (const ch of `${issuer}/${seq}/${variant}`) h = Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0;
  return (h.toString(16).padStart(8, '0') + seq.toString(16).padStart(8, '0') + variant.toString(16).padStart(8, '0')).padEnd(64, 'a');
};

function chain(issuer: string, length: number): ChainLink[] {
  const links: ChainLink[] = [];
  for (let seq = 1; seq <= length; seq++) links.push({ issuer, seq, prev: seq === 1 ? null : id(issuer, seq - 1), id: id(issuer, seq) });
  return links;
}

function track(links: readonly ChainLink[], complete = false) {
  const tracker = new ChainTracker();
  for (const link of links) tracker.add(link);
  return tracker.report({ complete });
}

describe('checkChainLink', () => {
  const [a1, a2, a3] = chain('a', 3);
  if (a1 === undefined || a2 === undefined || a3 === undefined) throw new Error('chain');

  it('accepts seq 1 with prev null on an empty chain, then each next link', () => {
    expect(checkChainLink(null, a1)).toEqual({ ok: true, value: { seq: 1, id: a1.id } });
    expect(checkChainLink({ seq: 1, id: a1.id }, a2)).toEqual({ ok: true, value: { seq: 2, id: a2.id } });
  });

  it('names every way a link can fail', () => {
    const code = (head: { seq: number; id: string } | null, link: Omit<ChainLink, 'issuer'>) => {
      const result = checkChainLink(head, link);
      return result.ok ? 'ok' : result.error.code;
    };
    expect(code(null, a2)).toBe('seq_gap');
    expect(code({ seq: 1, id: a1.id }, a3)).toBe('seq_gap');
    expect(code({ seq: 3, id: a3.id }, a2)).toBe('seq_gap'); // behind the head: caller compares with the stored proof
    expect(code({ seq: 1, id: a1.id }, { ...a2, prev: id('x', 1) })).toBe('prev_mismatch');
    expect(code(null, { ...a1, prev: a2.id })).toBe('prev_mismatch');
    expect(code({ seq: 2, id: a2.id }, a2)).toBe('duplicate');
    const fork = checkChainLink({ seq: 2, id: a2.id }, { ...a2, id: id('a', 2, 1) });
    expect(fork).toMatchObject({ ok: false, error: { code: 'fork', details: { seq: 2, first: a2.id, second: id('a', 2, 1) } } });
    expect(classifyChainConflict(a2, a2)).toBe('duplicate');
    expect(classifyChainConflict(a2, { ...a2, id: id('a', 2, 1) })).toBe('fork');
  });
});

const issuersArb = fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 5 }).map((lengths) => lengths.flatMap((length, i) => chain(`issuer-${i}`, length)));

describe('ChainTracker properties', () => {
  it('whole chains of many issuers, in any order: no failures, heads at the last seq', () => {
    fc.assert(
      fc.property(issuersArb.chain((links) => fc.shuffledSubarray(links, { minLength: links.length, maxLength: links.length })), (links) => {
        const report = track(links, true);
        expect(report.ok).toBe(true);
        for (const issuer of report.issuers) {
          expect(issuer.missing).toEqual([]);
          expect(issuer.head?.seq).toBe(issuer.lastSeq);
        }
      }),
    );
  });

  it('the report does not depend on the order proofs arrive in', () => {
    fc.assert(
      fc.property(issuersArb, fc.nat(), (links, removed) => {
        const damaged = links.filter((_, i) => i !== removed % links.length);
        const forward = track(damaged, true);
        const backward = track([...damaged].reverse(), true);
        const summary = (report: ReturnType<typeof track>) => report.failures.map((f) => `${f.issuer}:${f.seq}:${f.code}:${[...f.ids].sort().join()}`).sort();
        expect(summary(backward)).toEqual(summary(forward));
      }),
    );
  });

  it('a removed proof is a missing seq: seq_gap on the next proof when complete, listed either way', () => {
    fc.assert(
      fc.property(issuersArb, fc.nat(), (links, pick) => {
        const removedLink = links[pick % links.length];
        if (removedLink === undefined) throw new Error('pick');
        const damaged = links.filter((link) => link !== removedLink);
        const last = Math.max(...links.filter((l) => l.issuer === removedLink.issuer).map((l) => l.seq));
        const partial = track(damaged, false);
        const complete = track(damaged, true);
        const issuerReport = complete.issuers.find((r) => r.issuer === removedLink.issuer);
        if (removedLink.seq === last) {
          // Dropping the head leaves a shorter whole chain: nothing to detect.
          expect(complete.ok).toBe(true);
          return;
        }
        expect(partial.ok).toBe(true);
        expect(partial.issuers.find((r) => r.issuer === removedLink.issuer)?.missing).toEqual([{ from: removedLink.seq, to: removedLink.seq }]);
        expect(issuerReport?.missing).toEqual([{ from: removedLink.seq, to: removedLink.seq }]);
        expect(complete.failures.map((f) => [f.code, f.issuer, f.seq])).toEqual([['seq_gap', removedLink.issuer, removedLink.seq + 1]]);
      }),
    );
  });

  it('a second proof at a taken seq is a fork, reported with both proofs', () => {
    fc.assert(
      fc.property(issuersArb, fc.nat(), (links, pick) => {
        const original = links[pick % links.length];
        if (original === undefined) throw new Error('pick');
        const forked: ChainLink = { ...original, id: id(original.issuer, original.seq, 1) };
        const report = track([...links, forked]);
        const forks = report.failures.filter((f) => f.code === 'fork');
        expect(forks).toHaveLength(1);
        expect(forks[0]).toMatchObject({ issuer: original.issuer, seq: original.seq, details: { first: original, second: forked } });
        expect(report.issuers.find((r) => r.issuer === original.issuer)?.forkSeq).toBe(original.seq);
        // The next proof links to the first branch only: no prev_mismatch for it.
        expect(report.failures.filter((f) => f.code === 'prev_mismatch')).toEqual([]);
      }),
    );
  });

  it('swapping the seqs of two neighbouring proofs breaks the prev links', () => {
    fc.assert(
      fc.property(fc.integer({ min: 3, max: 12 }), fc.nat(), (length, pick) => {
        const links = chain('a', length);
        const at = 1 + (pick % (length - 2)); // swap seq at and at+1, both >= 2
        const swapped = [...links];
        const first = links[at];
        const second = links[at + 1];
        if (first === undefined || second === undefined) throw new Error('pick');
        swapped[at] = { ...second, seq: first.seq };
        swapped[at + 1] = { ...first, seq: second.seq };
        const report = track(swapped, true);
        expect(report.ok).toBe(false);
        expect(report.failures.every((f) => f.code === 'prev_mismatch')).toBe(true);
        expect(report.failures.map((f) => f.seq)).toContain(first.seq);
      }),
    );
  });

  it('ignores the same proof added twice', () => {
    const links = chain('a', 4);
    const report = track([...links, ...links]);
    expect(report.ok).toBe(true);
    expect(report.issuers[0]?.count).toBe(4);
  });
});

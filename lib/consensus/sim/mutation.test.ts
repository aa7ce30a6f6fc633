// The harness is sharp: switch off a safety rule and it finds the failure within a bounded range
// of seeds (deterministic, so the bound is a fact about these seeds, with margin to spare).
import { describe, expect, it } from 'vitest';
import { consecutiveViewCounterexample } from './scenario';
import { runSimulation, SAFETY_VIOLATIONS, type SimResult } from './simulator';

const SLOW = 300_000;

function firstFailure(run: (seed: number) => SimResult, seeds: number): SimResult | null {
  for (let seed = 0; seed < seeds; seed++) {
    const result = run(seed);
    if (!result.ok) return result;
  }
  return null;
}

describe('mutation checks', () => {
  it('without the consecutive-view check, the known counterexample forks; with it, it does not', () => {
    const scenario = consecutiveViewCounterexample();
    const safe = runSimulation({ seed: 0, scenario });
    expect(safe.ok, safe.violation?.message).toBe(true);
    const broken = runSimulation({ seed: 0, scenario, mutation: 'consecutive-view', stopOn: ['fork'] });
    expect(broken.violation?.kind).toBe('fork');
  });

  it(
    'without the consecutive-view check, Twins-style view partitions find a fork within 60 seeds',
    () => {
      const found = firstFailure((seed) => runSimulation({ seed, kind: 'view-partition', mutation: 'consecutive-view', stopOn: ['fork'] }), 60);
      expect(found?.violation?.kind).toBe('fork');
      // A failure replays exactly, to the step.
      const again = runSimulation({ seed: found!.seed, kind: 'view-partition', mutation: 'consecutive-view', stopOn: ['fork'] });
      expect(again.violation).toEqual(found!.violation);
      expect(found!.replay).toBe(`npm run test:sim:soak -- --from ${found!.seed} --seeds 1 --kind view-partition --mutation consecutive-view --stop-on fork --verbose`);
    },
    SLOW,
  );

  it(
    'without persisting the vote before sending it, crashes make an honest validator sign twice within 30 seeds',
    () => {
      const found = firstFailure((seed) => runSimulation({ seed, kind: 'crash', mutation: 'vote-persistence', stopOn: SAFETY_VIOLATIONS }), 30);
      expect(found).not.toBeNull();
      expect(['double-vote', 'vote-after-timeout', 'signature-regressed']).toContain(found!.violation!.kind);
    },
    SLOW,
  );

  it(
    'the same seeds pass with the rules in place',
    () => {
      for (let seed = 0; seed < 30; seed++) {
        for (const kind of ['view-partition', 'crash'] as const) {
          const result = runSimulation({ seed, kind });
          expect(result.ok, `${kind} seed ${seed}: ${result.violation?.message}`).toBe(true);
        }
      }
    },
    SLOW,
  );
});

// CI slice of the simulator: 100 seeds of each scenario kind (1,100 in all), every invariant
// checked after every step. `npm run test:sim:soak -- --seeds N --from S` runs more.
import { describe, expect, it } from 'vitest';
import { generateScenario, SCENARIO_KINDS, scenarioKindOfSeed } from './scenario';
import { runSimulation } from './simulator';

const SEEDS_PER_KIND = 100;
const SLOW = 300_000;

describe('simulated validator sets keep every invariant', () => {
  SCENARIO_KINDS.forEach((kind, kindIndex) => {
    it(
      `${kind}: ${SEEDS_PER_KIND} seeds`,
      () => {
        const failures: string[] = [];
        let commits = 0;
        for (let i = 0; i < SEEDS_PER_KIND; i++) {
          const seed = i * SCENARIO_KINDS.length + kindIndex;
          expect(scenarioKindOfSeed(seed)).toBe(kind);
          const result = runSimulation({ seed });
          commits += result.maxCommitHeight;
          if (!result.ok) failures.push(`seed ${seed}: ${result.violation?.kind}: ${result.violation?.message}\n  replay: ${result.replay}`);
        }
        expect(failures, failures.join('\n')).toEqual([]);
        // Runs end once every honest validator committed twice after healing: blocks did commit.
        expect(commits).toBeGreaterThanOrEqual(2 * SEEDS_PER_KIND);
      },
      SLOW,
    );
  });
});

describe('the harness itself', () => {
  it('replays a seed exactly', () => {
    const first = runSimulation({ seed: 12, traceSize: 10_000 });
    const second = runSimulation({ seed: 12, traceSize: 10_000 });
    expect(second).toEqual(first);
    expect(first.trace.length).toBeGreaterThan(50);
    expect(first.replay).toBe('npm run test:sim:soak -- --from 12 --seeds 1 --verbose');
  });

  it('draws the faults each kind promises', () => {
    const count = (predicate: (seed: number) => boolean) => Array.from({ length: 40 }, (_, seed) => seed).filter(predicate).length;
    const of = (kind: (typeof SCENARIO_KINDS)[number]) => (seed: number) => generateScenario(seed, kind);
    expect(count((s) => of('crash')(s).crashes.length > 0)).toBe(40);
    expect(count((s) => of('crash-damage')(s).crashes.some((c) => c.mode === 'damage'))).toBe(40);
    expect(count((s) => of('partition')(s).partitions.length > 0)).toBe(40);
    expect(count((s) => of('view-partition')(s).viewPartitions.size > 5)).toBe(40);
    expect(count((s) => of('twins')(s).instances.length === 5)).toBe(40);
    expect(count((s) => of('lossy')(s).network.drop > 0.05)).toBeGreaterThan(20);
    expect(count((s) => of('mixed')(s).n === 7 && of('mixed')(s).instances.filter((i) => i.role !== 'honest').length === 2)).toBe(40);
    for (const kind of ['equivocator', 'double-voter', 'bad-payload'] as const) {
      expect(count((s) => of(kind)(s).instances.filter((i) => i.role === kind).length === 1)).toBe(40);
    }
  });
});

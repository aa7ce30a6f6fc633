// Fault scenarios, each drawn from a seed. A scenario fixes who runs (honest validators, Twins,
// an equivocating leader, a double voter, a leader with bad payloads), how the network misbehaves
// until it heals (drop, delay, duplicate, reorder, partitions by time or by view), and who crashes
// when and how the crash hits the disk. After `healAt` the network is clean and everyone is up.
import { createRandom, type Random } from './random';

export const SCENARIO_KINDS = [
  'lossy',
  'partition',
  'crash',
  'view-partition',
  'twins',
  'equivocator',
  'double-voter',
  'bad-payload',
  'crash-damage',
  'crash-storm',
  'mixed',
] as const;
export type ScenarioKind = (typeof SCENARIO_KINDS)[number];

/** How an instance behaves; only `honest` instances are held to the safety invariants. */
export type Role = 'honest' | 'twin' | 'equivocator' | 'double-voter' | 'bad-payload';

export interface InstanceSpec {
  /** Validator index (key); two Twins share one. */
  readonly index: number;
  readonly role: Role;
}

export interface NetworkSpec {
  readonly drop: number;
  readonly duplicate: number;
  readonly minDelay: number;
  readonly maxDelay: number;
  /** Chance a message is held back up to 10× maxDelay (reordering past later messages). */
  readonly straggle: number;
}

/** Instance ids in groups; a message crosses only within a group. */
export type Partition = readonly (readonly number[])[];

export interface TimedPartition {
  readonly from: number;
  readonly to: number;
  readonly groups: Partition;
}

/**
 * How a crash meets the disk. `clean`: between steps. `midstep`: part-way through a step's effects
 * (earlier sends went out, later ones never did). `torn`: mid-step, and a write in progress is
 * torn; the store keeps the previous record (write-then-rename). `damage`: mid-step, and the
 * record is left unreadable, so the node restarts without it.
 */
export type CrashMode = 'clean' | 'midstep' | 'torn' | 'damage';

export interface CrashSpec {
  readonly instance: number;
  readonly at: number;
  readonly restartAt: number;
  readonly mode: CrashMode;
}

export interface Scenario {
  readonly seed: number;
  readonly kind: ScenarioKind;
  readonly n: number;
  readonly instances: readonly InstanceSpec[];
  readonly network: NetworkSpec;
  readonly partitions: readonly TimedPartition[];
  /** Twins-style: the partition in force for messages sent by a node while it is in view v (until healAt). */
  readonly viewPartitions: ReadonlyMap<number, Partition>;
  readonly crashes: readonly CrashSpec[];
  readonly healAt: number;
  readonly baseTimeoutMs: number;
  /** Pacemaker back-off cap (timeout ≤ base × 2^this). */
  readonly maxBackoffExponent: number;
  /** Round-trip every message through its JSON wire form and zod schema. */
  readonly wire: boolean;
}

export function scenarioKindOfSeed(seed: number): ScenarioKind {
  return SCENARIO_KINDS[seed % SCENARIO_KINDS.length] as ScenarioKind;
}

function lossyNetwork(random: Random, severity: number): NetworkSpec {
  const maxDelay = random.between(5, 60);
  return {
    drop: random.next() * 0.3 * severity,
    duplicate: random.next() * 0.2,
    minDelay: random.between(1, Math.min(5, maxDelay)),
    maxDelay,
    straggle: random.next() * 0.1,
  };
}

function calmNetwork(random: Random): NetworkSpec {
  const maxDelay = random.between(5, 40);
  return { drop: random.next() * 0.05, duplicate: random.next() * 0.05, minDelay: 1, maxDelay, straggle: random.next() * 0.03 };
}

function cleanNetwork(random: Random): NetworkSpec {
  return { drop: 0, duplicate: 0, minDelay: 1, maxDelay: random.between(2, 20), straggle: 0 };
}

function randomPartition(random: Random, ids: readonly number[]): Partition {
  const shuffled = random.shuffle(ids);
  const cut = random.between(1, shuffled.length - 1);
  const split = random.chance(0.3) ? random.between(cut, shuffled.length - 1) : shuffled.length;
  return [shuffled.slice(0, cut), shuffled.slice(cut, split), shuffled.slice(split)].filter((group) => group.length > 0);
}

function timedPartitions(random: Random, ids: readonly number[], healAt: number): TimedPartition[] {
  const windows: TimedPartition[] = [];
  let t = random.between(0, 400);
  const count = random.between(1, 3);
  for (let i = 0; i < count && t < healAt; i++) {
    const to = Math.min(healAt, t + random.between(150, 1200));
    windows.push({ from: t, to, groups: randomPartition(random, ids) });
    t = to + random.between(0, 500);
  }
  return windows;
}

/**
 * Per-view partitions as in Twins (Bano et al. 2020): in each view the leader may be cut off
 * alone (it then holds a QC nobody else sees), or another single node is. Honest leaders whose
 * certificates reach only themselves are what break an unguarded two-chain rule. (A split that
 * leaves no group a quorum would only stall the view until healing, so none is drawn.)
 */
function viewPartitions(random: Random, instances: readonly InstanceSpec[], n: number, views: number): Map<number, Partition> {
  const map = new Map<number, Partition>();
  const ids = instances.map((_, id) => id);
  const isolateLeader = 0.3 + random.next() * 0.3;
  const isolateOther = random.next() * 0.15;
  for (let view = 1; view <= views; view++) {
    const roll = random.next();
    let alone: number[] = [];
    if (roll < isolateLeader) {
      const leaders = ids.filter((id) => instances[id]?.index === view % n);
      alone = random.chance(0.5) ? leaders : leaders.slice(0, 1);
    } else if (roll < isolateLeader + isolateOther) {
      alone = [random.pick(ids)];
    }
    if (alone.length > 0) map.set(view, [alone, ids.filter((id) => !alone.includes(id))]);
  }
  return map;
}

function honest(n: number): InstanceSpec[] {
  return Array.from({ length: n }, (_, index) => ({ index, role: 'honest' as const }));
}

function withRole(instances: InstanceSpec[], index: number, role: Role): InstanceSpec[] {
  return instances.map((spec) => (spec.index === index ? { index, role } : spec));
}

function crashes(random: Random, candidates: readonly number[], count: number, healAt: number, modes: readonly CrashMode[]): CrashSpec[] {
  const out: CrashSpec[] = [];
  for (const instance of random.shuffle(candidates).slice(0, count)) {
    const at = random.between(50, Math.max(60, healAt - 300));
    const restartAt = Math.min(healAt, at + random.between(50, 900));
    out.push({ instance, at, restartAt, mode: random.pick(modes) });
    if (random.chance(0.4) && restartAt + 100 < healAt) {
      const again = random.between(restartAt + 50, healAt - 50);
      out.push({ instance, at: again, restartAt: Math.min(healAt, again + random.between(50, 600)), mode: random.pick(modes) });
    }
  }
  return out;
}

/** The scenario of a seed; `kind` defaults to the seed's own (seed mod the number of kinds). */
export function generateScenario(seed: number, kind: ScenarioKind = scenarioKindOfSeed(seed)): Scenario {
  const random = createRandom(seed);
  const base = {
    seed,
    kind,
    partitions: [] as TimedPartition[],
    viewPartitions: new Map<number, Partition>(),
    crashes: [] as CrashSpec[],
    baseTimeoutMs: random.pick([100, 150, 200]),
    maxBackoffExponent: 5,
    wire: random.chance(0.2),
  };
  const healAt = random.between(800, 2000);
  const n = 4;
  switch (kind) {
    case 'lossy':
      return { ...base, n, instances: honest(n), network: lossyNetwork(random, 1.5), healAt };
    case 'partition': {
      const instances = honest(n);
      return { ...base, n, instances, network: calmNetwork(random), partitions: timedPartitions(random, instances.map((_, i) => i), healAt), healAt };
    }
    case 'crash': {
      const instances = honest(n);
      const ids = instances.map((_, i) => i);
      return { ...base, n, instances, network: lossyNetwork(random, 0.5), crashes: crashes(random, ids, random.between(1, 2), healAt, ['clean', 'midstep', 'torn']), healAt };
    }
    case 'crash-damage': {
      // Only one node may lose its record: it then signs nothing until a newer certificate forms,
      // which needs 2f+1 others. (Two such nodes out of four can never recover, by design.)
      const instances = honest(n);
      const victim = random.int(n);
      const out = crashes(random, [victim], 1, healAt, ['damage']);
      const others = instances.map((_, i) => i).filter((i) => i !== victim);
      const extra = random.chance(0.5) ? crashes(random, others, 1, healAt, ['clean', 'torn']) : [];
      return { ...base, n, instances, network: calmNetwork(random), crashes: [...out, ...extra], healAt };
    }
    case 'crash-storm': {
      // Many short crashes of every node, often mid-step: what persistence before sending is for.
      const instances = honest(n);
      const storm: CrashSpec[] = [];
      const count = random.between(6, 14);
      for (let i = 0; i < count; i++) {
        const at = random.between(30, healAt - 100);
        storm.push({ instance: random.int(n), at, restartAt: Math.min(healAt, at + random.between(5, 150)), mode: random.pick(['clean', 'midstep', 'torn'] as const) });
      }
      return { ...base, n, instances, network: calmNetwork(random), crashes: storm, healAt };
    }
    case 'view-partition': {
      // Twins-style runs: a clean network except for the per-view partitions, a short back-off cap
      // so the fault phase spans many views.
      const instances = honest(n);
      return { ...base, n, instances, network: cleanNetwork(random), viewPartitions: viewPartitions(random, instances, n, 60), maxBackoffExponent: random.between(0, 2), healAt: healAt * 3 };
    }
    case 'twins': {
      const twin = random.int(n);
      const instances: InstanceSpec[] = [...withRole(honest(n), twin, 'twin'), { index: twin, role: 'twin' }];
      return { ...base, n, instances, network: cleanNetwork(random), viewPartitions: viewPartitions(random, instances, n, 60), maxBackoffExponent: random.between(0, 2), healAt: healAt * 3 };
    }
    case 'equivocator':
      return { ...base, n, instances: withRole(honest(n), random.int(n), 'equivocator'), network: lossyNetwork(random, 0.7), healAt };
    case 'double-voter':
      return { ...base, n, instances: withRole(honest(n), random.int(n), 'double-voter'), network: lossyNetwork(random, 0.7), healAt };
    case 'bad-payload':
      return { ...base, n, instances: withRole(honest(n), random.int(n), 'bad-payload'), network: calmNetwork(random), healAt };
    case 'mixed': {
      // n = 7, f = 2: an equivocating leader and a double voter at once, on a lossy, partitioned
      // network where an honest node also crashes.
      const seven = 7;
      const [a, b, c] = random.shuffle(Array.from({ length: seven }, (_, i) => i));
      const instances = withRole(withRole(honest(seven), a ?? 0, 'equivocator'), b ?? 1, 'double-voter');
      const ids = instances.map((_, i) => i);
      return {
        ...base,
        n: seven,
        instances,
        network: lossyNetwork(random, 0.5),
        partitions: random.chance(0.5) ? timedPartitions(random, ids, healAt) : [],
        crashes: crashes(random, [c ?? 2], 1, healAt, ['clean', 'midstep', 'torn']),
        healAt,
      };
    }
  }
}

/**
 * Known bug, kept as a replayable scenario: a two-chain rule that checks parent links but not
 * consecutive views (relab/hotstuff twins/fhsbug_test.go shows the same class of failure). Four
 * honest nodes, no message loss, only the leaders of views 2, 4 and 6 cut off alone:
 *  - view 1: B is certified, but only node 2 (leader of 2, cut off) holds QC(B);
 *  - view 3: after two TCs that never saw QC(B), D extends genesis; only node 0 holds QC(D);
 *  - view 5: node 2's timeouts carried QC(B); C extends B with TC(4), and QC(C) reaches only node 2,
 *    which — without the check — commits B although views 1 and 5 are not consecutive;
 *  - view 7: node 0's timeouts carried QC(D), so F extends D, is certified in 7 and 8: D commits.
 * B and D are both at height 1. With the check, QC(C) commits nothing and the chain stays safe.
 */
export function consecutiveViewCounterexample(): Scenario {
  const isolate = (node: number): Partition => [[node], [0, 1, 2, 3].filter((other) => other !== node)];
  return {
    seed: 0,
    kind: 'view-partition',
    n: 4,
    instances: honest(4),
    network: { drop: 0, duplicate: 0, minDelay: 1, maxDelay: 5, straggle: 0 },
    partitions: [],
    viewPartitions: new Map([
      [2, isolate(2)],
      [4, isolate(0)],
      [6, isolate(2)],
    ]),
    crashes: [],
    healAt: 3000,
    baseTimeoutMs: 100,
    maxBackoffExponent: 5,
    wire: false,
  };
}

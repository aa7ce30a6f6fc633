// Soak run of the consensus simulator: `npm run test:sim:soak -- --seeds 10000 --from 0`.
// Options: --seeds N (default 2000), --from S (default 0), --kind K (default: each seed's own),
// --mutation consecutive-view|vote-persistence, --crypto hash|ed25519, --stop-on K1,K2 (only these
// violation kinds end a run), --verbose (print the trace of a failing seed, or of a single seed).
// Exits 1 if any seed fails; every failure prints its one-line replay command.
import { parseArgs } from 'node:util';
import { SCENARIO_KINDS, type ScenarioKind } from '@/lib/consensus/sim/scenario';
import { runSimulation, VIOLATION_KINDS, type Mutation, type ViolationKind } from '@/lib/consensus/sim/simulator';
import type { SimCrypto } from '@/lib/consensus/sim/keys';

const MUTATIONS: readonly Mutation[] = ['consecutive-view', 'vote-persistence'];

function fail(message: string): never {
  process.stderr.write(`soak: ${message}\n`);
  process.exit(2);
}

const { values } = parseArgs({
  options: {
    seeds: { type: 'string', default: '2000' },
    from: { type: 'string', default: '0' },
    kind: { type: 'string' },
    mutation: { type: 'string' },
    crypto: { type: 'string', default: 'hash' },
    'stop-on': { type: 'string' },
    verbose: { type: 'boolean', default: false },
  },
  strict: true,
});

const seeds = Number(values.seeds);
const from = Number(values.from);
if (!Number.isSafeInteger(seeds) || seeds < 1) fail('--seeds must be a positive integer');
if (!Number.isSafeInteger(from) || from < 0) fail('--from must be a non-negative integer');
const kind = values.kind as ScenarioKind | undefined;
if (kind !== undefined && !SCENARIO_KINDS.includes(kind)) fail(`--kind must be one of ${SCENARIO_KINDS.join(', ')}`);
const mutation = (values.mutation ?? null) as Mutation | null;
if (mutation !== null && !MUTATIONS.includes(mutation)) fail(`--mutation must be one of ${MUTATIONS.join(', ')}`);
const crypto = values.crypto as SimCrypto;
if (crypto !== 'hash' && crypto !== 'ed25519') fail('--crypto must be hash or ed25519');
const stopOn = values['stop-on']?.split(',') as ViolationKind[] | undefined;
if (stopOn !== undefined && !stopOn.every((k) => VIOLATION_KINDS.includes(k))) fail(`--stop-on takes a comma list of ${VIOLATION_KINDS.join(', ')}`);

const started = performance.now();
let failures = 0;
let steps = 0;
let maxHeight = 0;
let worstRecovery = 0;
const byKind = new Map<string, { runs: number; failures: number }>();
for (let seed = from; seed < from + seeds; seed++) {
  const result = runSimulation({ seed, ...(kind ? { kind } : {}), ...(stopOn ? { stopOn } : {}), mutation, crypto, traceSize: values.verbose ? 400 : 0 });
  steps += result.steps;
  maxHeight = Math.max(maxHeight, result.maxCommitHeight);
  worstRecovery = Math.max(worstRecovery, result.viewsToRecover ?? 0);
  const tally = byKind.get(result.kind) ?? { runs: 0, failures: 0 };
  tally.runs++;
  if (!result.ok) {
    failures++;
    tally.failures++;
    const v = result.violation;
    process.stdout.write(`FAIL seed ${seed} (${result.kind}): ${v?.kind}: ${v?.message} [step ${v?.step}, t=${v?.time}ms]\n  replay: ${result.replay}\n`);
    if (values.verbose) process.stdout.write(result.trace.map((line) => `    ${line}`).join('\n') + '\n');
  } else if (values.verbose && seeds === 1) {
    process.stdout.write(result.trace.map((line) => `    ${line}`).join('\n') + '\n');
  }
  byKind.set(result.kind, tally);
}
const seconds = (performance.now() - started) / 1000;
for (const [name, tally] of byKind) process.stdout.write(`  ${name.padEnd(15)} ${tally.runs} seeds, ${tally.failures} failed\n`);
process.stdout.write(
  `${seeds} seeds from ${from}${mutation ? ` with mutation ${mutation}` : ''}: ${failures} failed; ${steps} steps, ` +
    `${seconds.toFixed(1)} s (${((seconds * 1000) / seeds).toFixed(1)} ms/seed), max height ${maxHeight}, ` +
    `at most ${worstRecovery} views from healing to every honest validator committing\n`,
);
process.exit(failures > 0 ? 1 : 0);

// `npm run bench:chain`: the chain's throughput and latency on this machine (issue 4, "Benchmark").
//
// Starts a 4-validator devnet (4 processes) in a temp dir, then offers leaves at rising rates,
// spread over the validators' POST /leaves, and watches validator 0's commit stream (WS /commits).
// For each step: leaves committed per second (the step's leaves over first submit → last of them
// committed) and submit→commit latency p50/p99 (client clock: POST sent → block holding the leaf
// seen on the stream). It stops after the first step that saturates (committed < 90% of offered,
// a leaf refused, or a leaf not committed within the grace period). In the same run it measures raw
// node:crypto Ed25519 verifies/s on one core; every validator checks every leaf signature, so the
// machine's ceiling is cores × that rate ÷ 4.
// Targets: sustained ≥ 50% of the ceiling; below saturation p50 < 300 ms and p99 < 1 s.
//
// Options: --steps 250,500,… (offered leaves/s), --seconds N per step (default 10), --quick
// (short steps, for a smoke run), --json (figures as JSON after the table), --check (exit 1 when a
// target is missed), --profile DIR (V8 CPU profiles of the validators into DIR).
import { createPrivateKey, createPublicKey, randomBytes, sign, verify } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { type LeafJson, makeSignedLeaves, readStatus } from '@/workers/client';
import { type Devnet, startDevnet } from '@/workers/devnet';

const TARGET_THROUGHPUT_RATIO = 0.5;
const TARGET_P50_MS = 300;
const TARGET_P99_MS = 1000;
const SUBMIT_TICK_MS = 50;

interface StepResult {
  readonly offered: number;
  readonly committedPerSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly saturated: boolean;
  readonly submitted: number;
  readonly committed: number;
}

/** Raw node:crypto verifies per second on one core (one key, distinct messages). */
function measureRawVerify(seconds: number): number {
  const seed = randomBytes(32);
  const privateKey = createPrivateKey({ key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]), format: 'der', type: 'pkcs8' });
  const publicKey = createPublicKey(privateKey);
  const messages = Array.from({ length: 256 }, () => randomBytes(32));
  const signatures = messages.map((message) => sign(null, message, privateKey));
  let count = 0;
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end) {
    for (let i = 0; i < 256; i++) {
      if (!verify(null, messages[i] as Buffer, publicKey, signatures[i] as Buffer)) throw new Error('verification failed');
    }
    count += 256;
  }
  return count / seconds;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

async function portsFree(base: number, count: number): Promise<boolean> {
  for (let port = base; port < base + count; port++) {
    const free = await new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (!free) return false;
  }
  return true;
}

async function findBasePort(): Promise<number> {
  for (let base = 46000; base < 50000; base += 4) if (await portsFree(base, 4)) return base;
  throw new Error('no free port range');
}

/** Follows validator 0's commit stream; records when each leaf id was first seen committed. */
function followCommits(url: string, onLeaf: (id: string, at: number) => void): Promise<WebSocket> {
  const socket = new WebSocket(`${url.replace('http://', 'ws://')}/commits`);
  socket.on('message', (data: Buffer) => {
    const at = performance.now();
    const message = JSON.parse(data.toString('utf8')) as { block: { block: { leaves: { id: string }[] } } };
    for (const leaf of message.block.block.leaves) onLeaf(leaf.id, at);
  });
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve(socket));
    socket.once('error', reject);
  });
}

async function runStep(devnet: Devnet, offered: number, seconds: number, leaves: LeafJson[], committedAt: Map<string, number>, submittedAt: Map<string, number>): Promise<StepResult> {
  const perTick = Math.max(1, Math.round((offered * SUBMIT_TICK_MS) / 1000));
  const ticks = Math.round((seconds * 1000) / SUBMIT_TICK_MS);
  const start = performance.now();
  const ids: string[] = [];
  const inFlight: Promise<unknown>[] = [];
  let rejected = 0;
  for (let tick = 0; tick < ticks; tick++) {
    const due = start + tick * SUBMIT_TICK_MS;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const batch = leaves.splice(0, perTick);
    if (batch.length === 0) throw new Error('ran out of pre-signed leaves');
    const url = devnet.urls[tick % devnet.urls.length] as string;
    const sentAt = performance.now();
    for (const leaf of batch) {
      submittedAt.set(leaf.id, sentAt);
      ids.push(leaf.id);
    }
    inFlight.push(
      fetch(`${url}/leaves`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ leaves: batch }) })
        .then(async (response) => {
          const body = (await response.json()) as { results?: { status?: string }[] };
          rejected += (body.results ?? []).filter((result) => result.status !== 'accepted').length;
        })
        .catch(() => {
          rejected += batch.length;
        }),
    );
  }
  await Promise.all(inFlight);
  const submitEnd = performance.now();
  // A grace period for the tail to land.
  const grace = submitEnd + Math.max(3000, seconds * 300);
  while (performance.now() < grace && ids.some((id) => !committedAt.has(id))) await new Promise((resolve) => setTimeout(resolve, 100));
  const latencies: number[] = [];
  let lastCommit = start;
  for (const id of ids) {
    const at = committedAt.get(id);
    if (at === undefined) continue;
    latencies.push(at - (submittedAt.get(id) as number));
    lastCommit = Math.max(lastCommit, at);
  }
  latencies.sort((a, b) => a - b);
  // Throughput over the whole step: first submit to the last of its leaves committed. A chain that
  // keeps up finishes about one commit latency after the last submit; one that falls behind drags
  // the end out and the rate drops below what was offered.
  const committedPerSecond = latencies.length / ((lastCommit - start) / 1000);
  const missing = ids.length - latencies.length;
  const saturated = committedPerSecond < 0.9 * offered || missing > 0 || rejected > 0;
  return { offered, committedPerSecond, p50: percentile(latencies, 50), p99: percentile(latencies, 99), saturated, submitted: ids.length, committed: latencies.length };
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      steps: { type: 'string' },
      seconds: { type: 'string' },
      quick: { type: 'boolean' },
      json: { type: 'boolean' },
      check: { type: 'boolean' },
      profile: { type: 'string' },
    },
  });
  const quick = values.quick === true;
  const seconds = Number(values.seconds ?? (quick ? 4 : 10));
  const steps = (values.steps ?? (quick ? '200,800' : '250,500,1000,1500,2000,2500,3000,4000,5000')).split(',').map(Number);
  const cores = availableParallelism();

  process.stdout.write(`raw node:crypto Ed25519 verify (1 core)… `);
  const rawRate = measureRawVerify(quick ? 1 : 3);
  const ceiling = (cores * rawRate) / 4;
  process.stdout.write(`${Math.round(rawRate)}/s; ceiling ${cores} cores × rate ÷ 4 = ${Math.round(ceiling)} leaves/s\n`);

  const needed = steps.reduce((sum, rate) => sum + rate * seconds, 0) + 1000;
  process.stdout.write(`signing ${needed} leaves… `);
  const leaves: LeafJson[] = [];
  while (leaves.length < needed) leaves.push(...makeSignedLeaves(Math.min(10_000, needed - leaves.length)));
  process.stdout.write('done\n');

  const dir = await mkdtemp(join(tmpdir(), 'proofhub-bench-chain-'));
  let devnet: Devnet | null = null;
  const results: StepResult[] = [];
  try {
    process.stdout.write('starting 4 validators… ');
    devnet = await startDevnet({
      dir,
      basePort: await findBasePort(),
      logLevel: 'warn',
      timeoutMs: 2000,
      readyTimeoutMs: 120_000,
      ...(values.profile === undefined ? {} : { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${values.profile}`] }),
    });
    process.stdout.write('ready\n');
    const committedAt = new Map<string, number>();
    const submittedAt = new Map<string, number>();
    const stream = await followCommits(devnet.urls[0] as string, (id, at) => {
      if (!committedAt.has(id)) committedAt.set(id, at);
    });
    process.stdout.write('\n| offered leaves/s | committed leaves/s | p50 ms | p99 ms | committed / submitted |\n|---:|---:|---:|---:|---:|\n');
    for (const offered of steps) {
      const result = await runStep(devnet, offered, seconds, leaves, committedAt, submittedAt);
      results.push(result);
      process.stdout.write(
        `| ${offered} | ${Math.round(result.committedPerSecond)} | ${Math.round(result.p50)} | ${Math.round(result.p99)} | ${result.committed} / ${result.submitted}${result.saturated ? ' (saturated)' : ''} |\n`,
      );
      if (result.saturated) break;
      // Let the chain drain before the next step.
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    stream.terminate();
    const status = await readStatus(devnet.urls[0] as string);
    process.stdout.write(`\nchain height ${status?.height ?? '?'}, tree size ${status?.tree_size ?? '?'}\n`);
  } finally {
    await devnet?.stop();
    await rm(dir, { recursive: true, force: true });
  }

  const sustained = Math.max(0, ...results.map((result) => result.committedPerSecond));
  const unsaturated = results.filter((result) => !result.saturated);
  const worstP50 = Math.max(0, ...unsaturated.map((result) => result.p50));
  const worstP99 = Math.max(0, ...unsaturated.map((result) => result.p99));
  const ratio = sustained / ceiling;
  const verdicts = [
    `sustained ${Math.round(sustained)} leaves/s = ${(ratio * 100).toFixed(0)}% of the ${Math.round(ceiling)}/s ceiling (target ≥ ${TARGET_THROUGHPUT_RATIO * 100}%): ${ratio >= TARGET_THROUGHPUT_RATIO ? 'met' : 'MISSED'}`,
    `below saturation p50 ≤ ${Math.round(worstP50)} ms (target < ${TARGET_P50_MS}): ${worstP50 < TARGET_P50_MS ? 'met' : 'MISSED'}`,
    `below saturation p99 ≤ ${Math.round(worstP99)} ms (target < ${TARGET_P99_MS}): ${worstP99 < TARGET_P99_MS ? 'met' : 'MISSED'}`,
  ];
  process.stdout.write(`${verdicts.join('\n')}\n`);
  if (values.json === true) process.stdout.write(`${JSON.stringify({ cores, rawVerifyPerSecond: rawRate, ceiling, steps: results, sustained, worstP50, worstP99 })}\n`);
  const met = ratio >= TARGET_THROUGHPUT_RATIO && worstP50 < TARGET_P50_MS && worstP99 < TARGET_P99_MS;
  return values.check === true && !met ? 1 : 0;
}

process.exitCode = await main();

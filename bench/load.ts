// `npm run bench:load`: fan-out of the hub across two web instances on a real Redis and PostgreSQL
// (issue 7, "bench:load"), beside a bare Socket.IO + Redis broadcast of same-size messages as the
// baseline, in the same run, with the same client sockets in the same receiver processes.
//
// Layout: two web instances (server/cluster, REST + Socket.IO, no Next) on a fresh database of
// PG_TEST_URL's server and a fresh key prefix on REDIS_TEST_URL, and two bare Socket.IO servers
// with the Redis adapter (the baseline) on another prefix. Two receiver processes hold N client
// sockets on the hub (half on each instance, all subscribed to hub `public`) AND N on the
// baseline (half on each server) for the whole run: idle sockets cost a ping every 25 s, so both
// sides are measured with the same clients, interleaved step by step (hub then baseline at each
// rate), and the machine's load weighs on both alike. This process signs posts (a pool of
// accounts, each with at most one proof in flight, since a proof names its issuer's previous one)
// and submits them over Socket.IO; the baseline's sender emits a message of the same byte size as
// the hub's proof:new (measured on a receiver) to one server, which broadcasts it to its room.
//
// Each message carries its due time (the schedule's, not the moment a poster was free: queueing in
// the driver counts as latency); receivers record delivery latency (due → event at the client,
// one clock: same machine). Per step: offered/s, accepted/s, deliveries/s (events over the time
// from the step's start to its last delivery, backlog included), latency p50/p99, and the CPU the
// two servers used (/proc/PID/stat), as deliveries per server CPU-second: a figure the machine's
// load moves far less than the wall-clock rates. Saturation: the step with the most deliveries/s,
// per side, re-measured in interleaved rounds (below); then each side runs one step at half of its
// own measured saturation (the p99 target).
// Targets: 10,000 sockets held; hub saturation ≥ 0.8 × baseline; hub p99 < 200 ms at half
// saturation. post→verified needs the chain follower: n/a here (PROOFHUB_DEVNET=0).
//
// Options: --quick (1,000 sockets, 3 s steps: a few minutes on a loaded 2-core machine),
// --sockets N, --rates 0.5,1,… (messages/s; then doubling until both sides saturate; default
// 0.5,1,2 for 10,000 sockets, 5,10,20 with --quick), --seconds S, --rounds N (saturation
// re-measured in N interleaved hub/baseline rounds after the ramp; the verdict is the median of
// their ratios), --idle-seconds S, --profile DIR (V8 CPU profiles of the four servers, written
// when they exit), --json, --help.
// Needs PG_TEST_URL and REDIS_TEST_URL (or it says so and exits 2).
import { execFileSync, fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { loadavg } from 'node:os';
import { dirname, resolve as resolvePath } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createAdapter } from '@socket.io/redis-adapter';
import { createClient } from 'redis';
import { Server } from 'socket.io';
import { io as connectSocket } from 'socket.io-client';
import type { Socket } from 'socket.io-client';
import { connectLightSocket } from './load-client';
import type { LightSocket } from './load-client';
import { SOCKET_PATH } from '@/lib/protocol/events';
import { connectClient, startTestCluster } from '@/server/cluster/testing';
import type { ClientSocket, ClusterUser, TestCluster } from '@/server/cluster/testing';

const SELF = fileURLToPath(import.meta.url);
const BODY_PREFIX = 'load ';

type Side = 'hub' | 'baseline';

// ---------------------------------------------------------------- receiver process

type ReceiverCommand =
  | { cmd: 'connect'; side: Side; urls: string[]; count: number; subscribe: boolean; path: string }
  | { cmd: 'reset' }
  | { cmd: 'report' }
  | { cmd: 'disconnect' };

interface ReceiverReport {
  deliveries: number;
  lastAt: number;
  /** Delivery latencies as a histogram: [ms, count] pairs (10,000 sockets make millions of samples a step). */
  latencies: [number, number][];
  held: Record<Side, number>;
  /** JSON length of the last hub event received (the baseline's messages are made this size). */
  hubEventBytes: number;
  /** Subscribes (or connects) completed per second over the last connect command. */
  connectRate: number;
}

type ReceiverReply = { reply: 'connected'; held: number; failed: number; perSecond: number } | ({ reply: 'report' } & ReceiverReport) | { reply: 'disconnected' };

/** Sockets each receiver opens at once while connecting (a ramp: the next batch starts as the last ends). */
const CONNECT_BATCH = 200;

function runReceiver(): void {
  // bench/load-client.ts: the Socket.IO protocol over a bare WebSocket, reading only the due-time
  // stamp out of each delivery's bytes (why: see that file and bench/README.md).
  const sockets: Record<Side, LightSocket[]> = { hub: [], baseline: [] };
  let deliveries = 0;
  let lastAt = 0;
  let latencies = new Map<number, number>();
  let hubEventBytes = 0;
  let connectRate = 0;
  const send = (message: ReceiverReply) => process.send?.(message);
  const onStamp = (sentAt: number) => {
    if (!Number.isFinite(sentAt)) return;
    const now = Date.now();
    deliveries++;
    lastAt = now;
    const latency = now - sentAt;
    latencies.set(latency, (latencies.get(latency) ?? 0) + 1);
  };
  // One socket of the hub measures the event's size: the payload's JSON as Socket.IO sent it.
  const measure = (_stamp: number, frame: Buffer) => {
    onStamp(_stamp);
    const packet = JSON.parse(frame.toString('utf8', 2)) as unknown[];
    if (packet[0] === 'proof:new') hubEventBytes = JSON.stringify(packet[1]).length;
  };
  const connectOne = async (message: Extract<ReceiverCommand, { cmd: 'connect' }>, url: string): Promise<boolean> => {
    const measuring = message.side === 'hub' && sockets.hub.length === 0;
    try {
      const socket = await connectLightSocket(url, {
        path: message.path,
        marker: `"body":"${BODY_PREFIX}`,
        onStamp: measuring ? measure : onStamp,
        timeoutMs: 120_000,
        ...(message.subscribe ? { subscribe: { event: 'subscribe', payload: { hub: 'public' } } } : {}),
      });
      sockets[message.side].push(socket);
      return true;
    } catch {
      return false;
    }
  };
  const held = (side: Side) => sockets[side].filter((socket) => socket.connected).length;
  process.on('message', (message: ReceiverCommand) => {
    void (async () => {
      if (message.cmd === 'connect') {
        let failed = 0;
        const started = Date.now();
        if (message.count > 0 && message.side === 'hub') failed += (await connectOne(message, message.urls[0] ?? '')) ? 0 : 1; // the measuring socket first
        for (let i = message.side === 'hub' ? 1 : 0; i < message.count; i += CONNECT_BATCH) {
          const results = await Promise.all(Array.from({ length: Math.min(CONNECT_BATCH, message.count - i) }, (_, j) => connectOne(message, message.urls[(i + j) % message.urls.length] ?? '')));
          failed += results.filter((ok) => !ok).length;
        }
        connectRate = message.count / Math.max(0.001, (Date.now() - started) / 1000);
        send({ reply: 'connected', held: held(message.side), failed, perSecond: connectRate });
      } else if (message.cmd === 'reset') {
        deliveries = 0;
        lastAt = 0;
        latencies = new Map();
      } else if (message.cmd === 'report') {
        send({ reply: 'report', deliveries, lastAt, latencies: [...latencies], held: { hub: held('hub'), baseline: held('baseline') }, hubEventBytes, connectRate });
      } else {
        for (const socket of [...sockets.hub, ...sockets.baseline]) socket.close();
        sockets.hub = [];
        sockets.baseline = [];
        send({ reply: 'disconnected' });
      }
    })();
  });
}

// ---------------------------------------------------------------- baseline server process

async function runBaselineServer(redisUrl: string, prefix: string): Promise<void> {
  const pub = createClient({ url: redisUrl });
  const sub = pub.duplicate();
  await Promise.all([pub.connect(), sub.connect()]);
  const http = createServer();
  const io = new Server(http, { path: SOCKET_PATH, serveClient: false, maxHttpBufferSize: 256 * 1024 });
  io.adapter(createAdapter(pub, sub, { key: `${prefix}:io` }));
  io.on('connection', (socket) => {
    void socket.join('hub:public');
    socket.on('post', (payload: unknown) => io.to('hub:public').emit('proof:new', payload));
  });
  http.listen(0, '127.0.0.1', () => {
    const address = http.address();
    process.stdout.write(`baseline ready port=${typeof address === 'object' && address !== null ? address.port : 0}\n`);
  });
  process.once('SIGTERM', () => {
    void io.close();
    void Promise.allSettled([pub.quit(), sub.quit()]).then(() => process.exit(0));
  });
}

// ---------------------------------------------------------------- driver

class Receivers {
  readonly #children: ChildProcess[] = [];

  constructor(count: number) {
    for (let i = 0; i < count; i++) this.#children.push(fork(SELF, ['--receiver'], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
  }

  #ask<R extends ReceiverReply['reply']>(child: ChildProcess, command: ReceiverCommand, reply: R): Promise<Extract<ReceiverReply, { reply: R }>> {
    return new Promise((resolve) => {
      const listener = (message: ReceiverReply) => {
        if (message.reply !== reply) return;
        child.off('message', listener);
        resolve(message as Extract<ReceiverReply, { reply: R }>);
      };
      child.on('message', listener);
      child.send(command);
    });
  }

  async connect(side: Side, urls: string[], total: number, subscribe: boolean): Promise<{ held: number; failed: number; perSecond: number }> {
    const per = Math.ceil(total / this.#children.length);
    const replies = await Promise.all(this.#children.map((child, i) => this.#ask(child, { cmd: 'connect', side, urls, count: Math.min(per, total - i * per), subscribe, path: SOCKET_PATH }, 'connected')));
    return { held: replies.reduce((sum, r) => sum + r.held, 0), failed: replies.reduce((sum, r) => sum + r.failed, 0), perSecond: replies.reduce((sum, r) => sum + r.perSecond, 0) };
  }

  async reset(): Promise<void> {
    for (const child of this.#children) child.send({ cmd: 'reset' } satisfies ReceiverCommand);
    await this.report(); // a round trip: the resets are done
  }

  async report(): Promise<ReceiverReport> {
    const replies = await Promise.all(this.#children.map((child) => this.#ask(child, { cmd: 'report' }, 'report')));
    return {
      deliveries: replies.reduce((sum, r) => sum + r.deliveries, 0),
      lastAt: Math.max(...replies.map((r) => r.lastAt)),
      latencies: mergeHistograms(replies.map((r) => r.latencies)),
      held: { hub: replies.reduce((sum, r) => sum + r.held.hub, 0), baseline: replies.reduce((sum, r) => sum + r.held.baseline, 0) },
      hubEventBytes: Math.max(...replies.map((r) => r.hubEventBytes)),
      connectRate: replies.reduce((sum, r) => sum + r.connectRate, 0),
    };
  }

  async disconnect(): Promise<void> {
    await Promise.all(this.#children.map((child) => this.#ask(child, { cmd: 'disconnect' }, 'disconnected')));
  }

  close(): void {
    for (const child of this.#children) child.kill('SIGTERM');
  }
}

const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

/** CPU seconds (user + system) a process used so far, from /proc (0 where /proc is missing). */
function cpuSecondsOf(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    // Fields after the command name "(…)": state is field 3, utime 14, stime 15 (proc(5)).
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return 0;
  }
}

interface StepResult {
  side: Side;
  offered: number;
  accepted: number;
  /** Messages accepted over the step (proofs stored, or bare messages sent). */
  messages: number;
  deliveries: number;
  p50: number;
  p99: number;
  /** Hub only: due time → the proof:submit ack (the ingest, queueing in the driver included). */
  ackP50: number;
  ackP99: number;
  /** CPU seconds the side's two servers used over the step, and deliveries per such second. */
  serverCpu: number;
  perCpuSecond: number;
  load1: number;
}

function mergeHistograms(histograms: [number, number][][]): [number, number][] {
  const merged = new Map<number, number>();
  for (const histogram of histograms) for (const [ms, count] of histogram) merged.set(ms, (merged.get(ms) ?? 0) + count);
  return [...merged].sort((a, b) => a[0] - b[0]);
}

/** The p-th percentile of a sorted [ms, count] histogram (the sample at rank floor(p% × n)). */
function percentile(histogram: [number, number][], p: number): number {
  const total = histogram.reduce((sum, [, count]) => sum + count, 0);
  if (total === 0) return Number.NaN;
  const rank = Math.min(total - 1, Math.floor((p / 100) * total));
  let seen = 0;
  for (const [ms, count] of histogram) {
    seen += count;
    if (seen > rank) return ms;
  }
  return Number.NaN;
}

/** One side of the comparison: sends one message stamped with its due time; resolves true when accepted. */
interface Target {
  side: Side;
  send(index: number, due: number): Promise<boolean>;
  /** Server processes whose CPU is charged to this side. */
  pids: (number | undefined)[];
  /** Sockets that should get each message. */
  recipients: number;
  /** send() resolves on the server's answer (the hub's proof:submit ack), so due→ack is a latency. */
  acked: boolean;
}

async function runStep(receivers: Receivers, target: Target, rate: number, seconds: number): Promise<StepResult> {
  await receivers.reset();
  const serversCpu = () => target.pids.map(cpuSecondsOf).reduce((sum, seconds) => sum + seconds, 0);
  const cpuBefore = serversCpu();
  const started = Date.now();
  const total = Math.max(1, Math.round(rate * seconds));
  const pending: Promise<boolean>[] = [];
  const acks: number[] = [];
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / rate;
    const wait = due - Date.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    const dueAt = Math.round(due);
    pending.push(
      target.send(i, dueAt).then((ok) => {
        acks.push(Date.now() - dueAt);
        return ok;
      }),
    );
  }
  const accepted = (await Promise.all(pending)).filter(Boolean).length;
  const acceptedPerSecond = accepted / Math.max(seconds, (Date.now() - started) / 1000);
  // Drain: until every expected delivery arrived, or nothing new for 2 s.
  let report = await receivers.report();
  let quietSince = Date.now();
  let last = report.deliveries;
  while (report.deliveries < accepted * target.recipients && Date.now() - quietSince < 2000) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    report = await receivers.report();
    if (report.deliveries !== last) {
      last = report.deliveries;
      quietSince = Date.now();
    }
  }
  const serverCpu = serversCpu() - cpuBefore;
  const window = Math.max(seconds, ((report.lastAt || Date.now()) - started) / 1000);
  const sorted = report.latencies;
  const ackHistogram = mergeHistograms([acks.map((ms) => [ms, 1] as [number, number])]);
  return {
    side: target.side,
    offered: rate,
    accepted: acceptedPerSecond,
    messages: accepted,
    deliveries: report.deliveries / window,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    ackP50: target.acked ? percentile(ackHistogram, 50) : Number.NaN,
    ackP99: target.acked ? percentile(ackHistogram, 99) : Number.NaN,
    serverCpu,
    perCpuSecond: serverCpu > 0 ? report.deliveries / serverCpu : Number.NaN,
    load1: loadavg()[0] ?? 0,
  };
}

/** Server CPU (ms, both servers of a side) per message accepted over a step. */
function cpuPerMessageMs(step: StepResult): number {
  return (1000 * step.serverCpu) / Math.max(1, step.messages);
}

function describe(step: StepResult): string {
  return `${step.side} ${step.offered}/s: accepted ${step.accepted.toFixed(1)}/s, deliveries ${Math.round(step.deliveries)}/s, p50 ${step.p50} ms, p99 ${step.p99} ms${step.side === 'hub' ? ` (due→ack p50 ${step.ackP50} / p99 ${step.ackP99} ms)` : ''}, ${Math.round(step.perCpuSecond)} deliveries per server CPU-s, load ${step.load1.toFixed(2)}`;
}

/** A step lasts long enough for this many messages (at 10,000 sockets the rates are below 1/s). */
const MIN_MESSAGES_PER_STEP = 8;

/** Past saturation: deliveries no longer follow the offered rate. */
function saturated(step: StepResult, recipients: number): boolean {
  return step.deliveries < 0.8 * step.offered * recipients;
}

/**
 * The listed rates, then doubling, each rate run on the hub then on the baseline (alternating
 * which goes first), until both sides saturated (at most 10 rates). Then each side at half of its
 * own saturation.
 */
async function runInterleaved(receivers: Receivers, targets: Record<Side, Target>, rates: number[], seconds: number, rounds: number) {
  const steps: StepResult[] = [];
  const done: Record<Side, boolean> = { hub: false, baseline: false };
  for (let i = 0, rate = rates[0] ?? 5; i < 10 && !(done.hub && done.baseline); i++, rate = rates[i] ?? rate * 2) {
    const order: Side[] = i % 2 === 0 ? ['hub', 'baseline'] : ['baseline', 'hub'];
    for (const side of order) {
      if (done[side]) continue;
      const step = await runStep(receivers, targets[side], rate, Math.max(seconds, MIN_MESSAGES_PER_STEP / rate));
      steps.push(step);
      process.stderr.write(`${describe(step)}\n`);
      if (saturated(step, targets[side].recipients)) done[side] = true;
    }
  }
  const best = (side: Side) => steps.filter((step) => step.side === side).reduce((a, b) => (b.deliveries > a.deliveries ? b : a));
  const ramp = { hub: best('hub'), baseline: best('baseline') };
  // The verdict's saturation: `rounds` more rounds, each one saturated step per side, back to back
  // and alternating which goes first. The ramp's best step is the maximum of one noisy sample per
  // rate; here each round is a hub/baseline pair measured under the same load, and the ratio is
  // the median of the rounds' ratios, so one step that a neighbour's burst slowed (or sped) does
  // not decide the verdict. A side runs at the rate that saturated it on the ramp (its last
  // step); a round's step that kept up with that rate did not measure saturation (the ramp's step
  // was slowed by load), so the side runs again at twice the rate, from then on.
  const roundRate: Record<Side, number> = { hub: lastRate(steps, 'hub'), baseline: lastRate(steps, 'baseline') };
  const repeats: { hub: StepResult; baseline: StepResult; ratio: number }[] = [];
  for (let round = 0; round < rounds; round++) {
    const pair: Partial<Record<Side, StepResult>> = {};
    for (const side of round % 2 === 0 ? (['baseline', 'hub'] as const) : (['hub', 'baseline'] as const)) {
      for (let attempt = 0; ; attempt++) {
        const rate = roundRate[side];
        const step = await runStep(receivers, targets[side], rate, Math.max(seconds, MIN_MESSAGES_PER_STEP / rate));
        process.stderr.write(`saturation round ${round + 1}/${rounds}: ${describe(step)}\n`);
        // As on the ramp, the side's saturation is its step with the most deliveries/s (an
        // overdriven step can deliver less than the one that just kept up).
        const previous = pair[side];
        if (previous === undefined || step.deliveries > previous.deliveries) pair[side] = step;
        if (saturated(step, targets[side].recipients) || attempt >= 2) break;
        roundRate[side] = rate * 2;
      }
    }
    const { hub, baseline } = pair as Record<Side, StepResult>;
    repeats.push({ hub, baseline, ratio: hub.deliveries / baseline.deliveries });
  }
  // Each side's saturation (half-saturation steps, table): its median round (the ramp's best without rounds).
  const saturation = repeats.length === 0 ? ramp : { hub: medianByDeliveries(repeats.map((r) => r.hub)), baseline: medianByDeliveries(repeats.map((r) => r.baseline)) };
  const half: Partial<Record<Side, StepResult>> = {};
  for (const side of ['hub', 'baseline'] as const) {
    // Half of the measured saturation, in messages/s (one decimal; at least 0.1/s).
    const rate = Math.max(0.1, Math.round((saturation[side].deliveries / targets[side].recipients / 2) * 10) / 10);
    const step = await runStep(receivers, targets[side], rate, Math.max(seconds, MIN_MESSAGES_PER_STEP / rate));
    half[side] = step;
    process.stderr.write(`half saturation: ${describe(step)}\n`);
  }
  const ratios = repeats.map((r) => r.ratio).sort((a, b) => a - b);
  const ratio = ratios.length === 0 ? ramp.hub.deliveries / ramp.baseline.deliveries : median(ratios);
  const cpuRatios = repeats.map((r) => r.hub.perCpuSecond / r.baseline.perCpuSecond).sort((a, b) => a - b);
  const cpuRatio = cpuRatios.length === 0 ? ramp.hub.perCpuSecond / ramp.baseline.perCpuSecond : median(cpuRatios);
  return { steps, ramp, repeats, saturation, ratio, ratios, cpuRatio, half: half as Record<Side, StepResult> };
}

/** The offered rate of a side's last ramp step (the one that saturated it, unless the ramp ran out of rates). */
function lastRate(steps: StepResult[], side: Side): number {
  return steps.filter((step) => step.side === side).at(-1)?.offered ?? 1;
}

/** The median of sorted numbers (the mean of the middle two for an even count). */
function median(sorted: number[]): number {
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? Number.NaN) : ((sorted[mid - 1] ?? Number.NaN) + (sorted[mid] ?? Number.NaN)) / 2;
}

/** The step with the median deliveries/s (the lower middle one for an even count). */
function medianByDeliveries(steps: StepResult[]): StepResult {
  const sorted = [...steps].sort((a, b) => a.deliveries - b.deliveries);
  const step = sorted[Math.floor((sorted.length - 1) / 2)];
  if (step === undefined) throw new Error('no steps');
  return step;
}

/**
 * CPU-s per second both sides' servers burn with no traffic, measured over the same window. The
 * window spans Socket.IO's ping interval (25 s) plus a second, so every held socket's ping and pong
 * fall in it once: a 3 s sample landed on a ping burst or between bursts by chance.
 */
async function idleCpuPerSecond(pids: Record<Side, (number | undefined)[]>, seconds: number): Promise<Record<Side, number>> {
  const total = (side: Side) => pids[side].map(cpuSecondsOf).reduce((sum, cpu) => sum + cpu, 0);
  const before = { hub: total('hub'), baseline: total('baseline') };
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  return { hub: (total('hub') - before.hub) / seconds, baseline: (total('baseline') - before.baseline) / seconds };
}

/** Socket.IO's default pingInterval (engine.io ServerOptions), which neither side changes. */
const PING_INTERVAL_S = 25;

function uptimeLine(): string {
  return `load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      sockets: { type: 'string' },
      rates: { type: 'string' },
      seconds: { type: 'string' },
      posters: { type: 'string' },
      rounds: { type: 'string' },
      'idle-seconds': { type: 'string' },
      profile: { type: 'string' },
      help: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const redisUrl = process.env.REDIS_TEST_URL ?? process.env.REDIS_URL;
  if (process.env.PG_TEST_URL === undefined || redisUrl === undefined) {
    process.stderr.write('bench:load needs PG_TEST_URL (a PostgreSQL server it may create a database on) and REDIS_TEST_URL (a Redis server), e.g.\n  PG_TEST_URL=postgres://postgres:postgres@127.0.0.1:5432/proofhub_test REDIS_TEST_URL=redis://127.0.0.1:6379 npm run bench:load\n');
    return 2;
  }
  const sockets = Number(values.sockets ?? (values.quick ? 1000 : 10_000));
  const rates = (values.rates ?? (values.quick ? '5,10,20' : '0.5,1,2')).split(',').map(Number);
  const seconds = Number(values.seconds ?? (values.quick ? 3 : 5));
  // The hub allows 30 sign-ups per address per 10 minutes (server/rate-limit.ts).
  const posters = Math.min(30, Number(values.posters ?? 28));
  const rounds = Number(values.rounds ?? 3);
  const idleSeconds = Number(values['idle-seconds'] ?? PING_INTERVAL_S + 1);
  if (![sockets, seconds, posters, ...rates].every((n) => Number.isFinite(n) && n > 0) || !Number.isInteger(rounds) || rounds < 0 || !(idleSeconds >= 0)) {
    process.stderr.write('bench:load: --sockets, --seconds, --posters and --rates take positive numbers, --rounds and --idle-seconds numbers ≥ 0\n');
    return 2;
  }
  // NODE_OPTIONS reaches the servers only (the instances' env, the baseline's fork), not receivers.
  // (node 20 refuses --cpu-prof there: bench/cpu-profile.mjs starts the profiler instead).
  const profileEnv: Record<string, string> = values.profile === undefined ? {} : { NODE_OPTIONS: `--import ${resolvePath(dirname(SELF), 'cpu-profile.mjs')}`, CPU_PROFILE_DIR: resolvePath(values.profile) };
  if (values.profile !== undefined) mkdirSync(resolvePath(values.profile), { recursive: true }); // the preload writes there at exit

  process.stderr.write(`bench:load: ${sockets} sockets per side, rates ${rates.join(', ')}/s then doubling, ${seconds} s steps, ${posters} posters; ${uptimeLine()}\n`);
  const cluster: TestCluster = await startTestCluster({ redisUrl, env: { LOG_LEVEL: 'warn', DATABASE_POOL_MAX: '10', ...profileEnv } });
  const receivers = new Receivers(2);
  const baselinePrefix = `proofhub-bench-${randomBytes(4).toString('hex')}`;
  const baselineServers: ChildProcess[] = [];
  const senders: ClientSocket[] = [];
  const baselineSenders: Socket[] = [];
  try {
    // ---- the hub's instances and accounts; the baseline's servers
    const urls = cluster.instances.map((instance) => instance.url);
    const users: ClusterUser[] = [];
    for (let i = 0; i < posters; i += 8) {
      const batch = Array.from({ length: Math.min(8, posters - i) }, (_, j) => i + j);
      users.push(...(await Promise.all(batch.map((k) => cluster.signUp(`poster${k}`, urls[k % urls.length])))));
      senders.push(...(await Promise.all(batch.map((k) => connectClient(urls[k % urls.length] ?? '', users[k]?.cookie)))));
    }
    const baselineUrls: string[] = [];
    for (let i = 0; i < 2; i++) {
      const child = fork(SELF, ['--baseline-server', redisUrl, baselinePrefix], { execArgv: ['--import', 'tsx'], env: { ...process.env, ...profileEnv }, stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
      baselineServers.push(child);
      const port = await new Promise<number>((resolve) => {
        child.stdout?.on('data', (chunk: Buffer) => {
          const match = /baseline ready port=(\d+)/.exec(chunk.toString());
          if (match) resolve(Number(match[1]));
        });
      });
      baselineUrls.push(`http://127.0.0.1:${port}`);
    }
    for (const url of baselineUrls) {
      baselineSenders.push(
        await new Promise<Socket>((resolve, reject) => {
          const socket = connectSocket(url, { path: SOCKET_PATH, transports: ['websocket'], reconnection: false, forceNew: true });
          socket.once('connect', () => resolve(socket));
          socket.once('connect_error', reject);
        }),
      );
    }

    // ---- the same receivers hold both sides' sockets for the whole run
    const hubConnected = await receivers.connect('hub', urls, sockets, true);
    process.stderr.write(`hub: ${hubConnected.held} sockets held (${hubConnected.failed} failed), connected and subscribed at ${Math.round(hubConnected.perSecond)}/s; ${uptimeLine()}\n`);
    const baselineConnected = await receivers.connect('baseline', baselineUrls, sockets, false);
    process.stderr.write(`baseline: ${baselineConnected.held} sockets held (${baselineConnected.failed} failed), connected at ${Math.round(baselineConnected.perSecond)}/s; ${uptimeLine()}\n`);

    // Each account has at most one proof in flight: proofs chain (seq, prev), so a second one sent
    // before the first is stored would be refused and break the account's chain for the run.
    const idle = users.map((_, i) => i);
    const waiting: ((poster: number) => void)[] = [];
    const acquire = () => new Promise<number>((resolve) => (idle.length > 0 ? resolve(idle.shift() ?? 0) : waiting.push(resolve)));
    const release = (poster: number) => {
      const next = waiting.shift();
      if (next === undefined) idle.push(poster);
      else next(poster);
    };
    const refusals = new Map<string, number>();
    const hub: Target = {
      side: 'hub',
      pids: cluster.instances.map((instance) => instance.child.pid),
      recipients: hubConnected.held,
      acked: true,
      async send(_index, due) {
        const poster = await acquire();
        try {
          const user = users[poster];
          const sender = senders[poster];
          if (user === undefined || sender === undefined) return false;
          const post = await user.identity.post('public', { body: `${BODY_PREFIX}${due} ${'.'.repeat(200)}` }, { advance: false });
          const ack = (await sender.timeout(60_000).emitWithAck('proof:submit', post)) as { ok: true } | { ok: false; error: { code: string } };
          if (ack.ok) {
            user.identity.seq = post.proof.seq;
            user.identity.head = post.proof.id;
          } else {
            refusals.set(ack.error.code, (refusals.get(ack.error.code) ?? 0) + 1);
          }
          return ack.ok;
        } catch {
          refusals.set('timeout', (refusals.get('timeout') ?? 0) + 1);
          return false;
        } finally {
          release(poster);
        }
      },
    };
    await runStep(receivers, hub, 5, 1); // warm-up, not reported; also measures the event size
    const eventBytes = (await receivers.report()).hubEventBytes;
    // {"content":{"body":"load <ms> "},"pad":"…"} is 36 bytes + the stamp around the padding.
    const padding = '.'.repeat(Math.max(0, eventBytes - 36 - BODY_PREFIX.length - 14));
    const baseline: Target = {
      side: 'baseline',
      pids: baselineServers.map((child) => child.pid),
      recipients: baselineConnected.held,
      acked: false,
      send(index, due) {
        baselineSenders[index % baselineSenders.length]?.emit('post', { content: { body: `${BODY_PREFIX}${due} ` }, pad: padding });
        return Promise.resolve(true);
      },
    };
    await runStep(receivers, baseline, 5, 1);
    // What each side's servers burn with no traffic (pings, timers, the hub's background jobs).
    const idleCpu = idleSeconds > 0 ? await idleCpuPerSecond({ hub: hub.pids, baseline: baseline.pids }, idleSeconds) : { hub: Number.NaN, baseline: Number.NaN };
    process.stderr.write(`idle CPU over ${idleSeconds} s: hub servers ${idleCpu.hub.toFixed(3)} CPU-s/s, baseline ${idleCpu.baseline.toFixed(3)}; ${uptimeLine()}\n`);
    if (values.profile !== undefined) for (const pid of [...hub.pids, ...baseline.pids]) if (pid !== undefined) process.kill(pid, 'SIGUSR2');
    process.stderr.write(`event size: hub ${eventBytes} bytes of JSON, baseline ${JSON.stringify({ content: { body: `${BODY_PREFIX}${Date.now()} ` }, pad: padding }).length}\n`);

    const run = await runInterleaved(receivers, { hub, baseline }, rates, seconds, rounds);
    const heldAfter = (await receivers.report()).held;

    // ---- report
    const { ratio, cpuRatio } = run;
    const rampRatio = run.ramp.hub.deliveries / run.ramp.baseline.deliveries;
    const row = (name: string, step: StepResult) =>
      `| ${name} | ${step.offered} | ${step.accepted.toFixed(1)} | ${Math.round(step.deliveries).toLocaleString('en-US')} | ${step.p50} | ${step.p99} | ${Number.isNaN(step.ackP50) ? 'n/a' : `${step.ackP50} / ${step.ackP99}`} | ${Math.round(step.perCpuSecond).toLocaleString('en-US')} | ${Math.round(cpuPerMessageMs(step))} | ${step.load1.toFixed(2)} |`;
    const lines = [
      '',
      `sockets held: hub ${heldAfter.hub.toLocaleString('en-US')} of ${sockets.toLocaleString('en-US')} across 2 instances at the end (${hubConnected.held.toLocaleString('en-US')} after connecting; target 10,000), baseline ${heldAfter.baseline.toLocaleString('en-US')}; event ≈ ${eventBytes} bytes of JSON`,
      '',
      '| run | offered msg/s | accepted/s | deliveries/s | p50 ms | p99 ms | due→ack p50 / p99 ms | deliveries per server CPU-s | server CPU ms per message | load (1 min) |',
      '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
      ...run.steps.map((step) => row(step.side, step)),
      ...run.repeats.flatMap((round, i) => [row(`hub, saturation round ${i + 1}`, round.hub), row(`baseline, saturation round ${i + 1}`, round.baseline)]),
      row('hub, half saturation', run.half.hub),
      row('baseline, half saturation', run.half.baseline),
      '',
      run.repeats.length === 0
        ? `saturation deliveries/s (best ramp step per side, no rounds): hub ${Math.round(run.ramp.hub.deliveries).toLocaleString('en-US')}, baseline ${Math.round(run.ramp.baseline.deliveries).toLocaleString('en-US')}: ratio ${ratio.toFixed(2)} (target ≥ 0.80)`
        : `saturation ratio, median of ${run.repeats.length} interleaved rounds: ${ratio.toFixed(2)} (target ≥ 0.80); rounds (hub/baseline deliveries/s at offered msg/s) ${run.repeats.map((r) => `${Math.round(r.hub.deliveries).toLocaleString('en-US')} at ${r.hub.offered} / ${Math.round(r.baseline.deliveries).toLocaleString('en-US')} at ${r.baseline.offered} = ${r.ratio.toFixed(2)}`).join(', ')}; the ramp's best steps alone: hub ${Math.round(run.ramp.hub.deliveries).toLocaleString('en-US')}, baseline ${Math.round(run.ramp.baseline.deliveries).toLocaleString('en-US')} = ${rampRatio.toFixed(2)}`,
      `deliveries per server CPU-second at saturation (median of the rounds' ratios): ${cpuRatio.toFixed(2)} (median rounds' steps: hub ${Math.round(run.saturation.hub.perCpuSecond).toLocaleString('en-US')}, baseline ${Math.round(run.saturation.baseline.perCpuSecond).toLocaleString('en-US')})`,
      `hub p99 at half saturation (${run.half.hub.offered}/s): ${run.half.hub.p99} ms (target < 200 ms); baseline ${run.half.baseline.p99} ms at ${run.half.baseline.offered}/s`,
      `server CPU per message at saturation: hub ${cpuPerMessageMs(run.saturation.hub).toFixed(1)} ms per proof, baseline ${cpuPerMessageMs(run.saturation.baseline).toFixed(1)} ms per message, each to ${sockets.toLocaleString('en-US')} sockets (the difference is what the hub adds per proof: ingest, the event, and any per-recipient cost)`,
      `servers' CPU with no traffic, over ${idleSeconds} s${idleSeconds > PING_INTERVAL_S ? ' (every socket pinged once)' : ''}: hub ${idleCpu.hub.toFixed(3)} CPU-s/s, baseline ${idleCpu.baseline.toFixed(3)} CPU-s/s (included in the per-CPU figures)`,
      `hub refusals: ${refusals.size === 0 ? 'none' : [...refusals].map(([code, n]) => `${code} ${n}`).join(', ')}`,
      'post→verified: n/a (no chain follower in this run: PROOFHUB_DEVNET=0)',
      uptimeLine(),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    if (values.json) process.stdout.write(`${JSON.stringify({ sockets, held: heldAfter, eventBytes, ...run, rampRatio, idleCpu, refusals: Object.fromEntries(refusals), load: loadavg() })}\n`);
    return 0;
  } finally {
    for (const socket of senders) socket.disconnect();
    for (const socket of baselineSenders) socket.disconnect();
    await receivers.disconnect().catch(() => undefined);
    receivers.close();
    await Promise.all(
      baselineServers.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGTERM');
          }),
      ),
    );
    await cluster.destroy();
  }
}

const HELP = `npm run bench:load [-- options]: the hub's fan-out across 2 web instances beside a bare Socket.IO + Redis
broadcast of same-size messages, interleaved on the same held sockets (issue 7; bench/README.md).
Needs PG_TEST_URL and REDIS_TEST_URL.

  --quick             1,000 sockets per side, 3 s steps, rates 5,10,20
  --sockets N         sockets per side (default 10,000)
  --rates a,b,...     messages/s of the ramp, then doubling until both sides saturate
                      (default 0.5,1,2; 5,10,20 with --quick)
  --seconds S         step length (default 5; 3 with --quick; a step lasts at least 8 messages)
  --posters N         hub accounts posting, each with one proof in flight (default 28, at most 30)
  --rounds N          interleaved saturation rounds after the ramp (default 3; the verdict is the
                      median of their hub/baseline ratios; 0: the ramp's best steps decide)
  --idle-seconds S    idle CPU window before the ramp (default 26: one ping interval; 0 skips it)
  --profile DIR       V8 CPU profiles of the four servers over the measured steps
  --json              one line of machine-readable figures after the table
`;

const argv = process.argv.slice(2);
if (argv[0] === '--receiver') {
  runReceiver();
} else if (argv[0] === '--baseline-server') {
  void runBaselineServer(argv[1] ?? '', argv[2] ?? 'proofhub-bench');
} else {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`bench:load: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
}

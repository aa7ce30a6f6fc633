// `npm run bench:e2e`: badges through the real stack (issue 5, "Benchmark"). A script, not a test.
//
// Starts a 4-validator devnet (four processes, workers/devnet.ts) in a temp dir and the hub beside
// it (server/hub.ts startHub with the chain, exactly what `npm start` runs, without Next.js) on
// PGlite, signs up WRITERS accounts and posts one thread root, then 1,000 replies to it: each
// writer submits its replies one after another over REST (an issuer's seq chain is sequential).
// A latency target means something only at a load the hub carries, so by default the replies are
// offered OPEN LOOP at --rate posts/s (a fixed schedule; latency counts from each reply's scheduled
// time, so a send delayed by a busy writer or a starved timer is latency too: no coordinated
// omission), then a short CLOSED-LOOP saturation probe on a thread of its own (the writers post
// as fast as the hub answers: its throughput is the machine's saturation, printed beside the rate
// offered). `--rate max` runs the 1,000 replies closed loop instead. A Socket.IO client in the
// thread rooms notes when `proof:status` `verified` arrives for each. Reported: post→verified
// latency p50/p99/max (client clock: scheduled → verified event received), the throughput, and
// where the time goes, stage by stage (the
// hub runs in this process, so one clock): POST sent → stored (ingest) → submitted (POST /leaves)
// → admitted (validator answered) → received (the committed block on the commit stream) →
// certified → adopted (anchor stored) → the client's `verified` event (server/chain/trace.ts).
// CPU time per post of this process (hub + clients) and of the four validators is printed too:
// on the shared machine it is the figure that survives the load.
//
// Then the 1,000-item thread is verified as "Verify thread" does it: its bundle
// (GET /api/v1/bundles?thread=ID, every anchor against the newest certified head) fetched over
// REST, then lib/verify verifyThread in Chromium (system /usr/bin/chromium via playwright-core,
// WebCrypto Ed25519 and noble in alternating rounds) and in Node. Target: < 2 s in the browser.
//
// Options: --posts N (default 1000), --rate R|max (posts/s offered, default DEFAULT_RATE; max =
// closed loop), --probe N (saturation-probe replies after a paced run, default 100; 0 skips it),
// --writers N (default 16: at 5 posts/s each has 3.2 s per reply before it lags the schedule), --rounds N (browser rounds, 3), --no-browser, --json.
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { io as connectSocket } from 'socket.io-client';
import pino from 'pino';
import { startChromiumVerifier, treeCpuMs } from './chromium-verify';
import { startStallMonitor } from './stall-monitor';
import type { StallReport } from './stall-monitor';

/** Posts per second offered by default: below this machine's saturation (see docs/performance.md "Badges"). */
const DEFAULT_RATE = 5;
/** A loop gap or one PGlite statement this long counts as a stall. */
const STALL_MS = 200;

const { values: args } = parseArgs({
  options: {
    posts: { type: 'string', default: '1000' },
    rate: { type: 'string', default: String(DEFAULT_RATE) },
    probe: { type: 'string', default: '100' },
    writers: { type: 'string', default: '16' },
    rounds: { type: 'string', default: '3' },
    'no-browser': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  process.stdout.write(`npm run bench:e2e -- [--posts N (1000)] [--rate R|max (${DEFAULT_RATE})] [--probe N (100; 0 skips)] [--writers N (16)] [--rounds N (3)] [--no-browser] [--json]
  Prints post->verified p50/p99 with the stage split, CPU per post, and the latency run's stalls:
  event-loop gaps and single PGlite statements over ${STALL_MS} ms, GC pauses over 50 ms, and the
  statements that took the most PGlite time.\n`);
  process.exit(0);
}
const POSTS = Number(args.posts);
const WRITERS = Number(args.writers);
const ROUNDS = Number(args.rounds);
/** Offered posts/s, or null for the closed loop (`--rate max`). */
const RATE = args.rate === 'max' ? null : Number(args.rate);
const PROBE = Number(args.probe);
if (RATE !== null && !(RATE > 0)) throw new Error(`--rate: a number of posts per second or "max", not ${args.rate}`);

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

function summary(values: readonly number[]): { n: number; p50: number; p99: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  return { n: sorted.length, p50: Math.round(percentile(sorted, 50)), p99: Math.round(percentile(sorted, 99)), max: Math.round(sorted.at(-1) ?? Number.NaN) };
}

function uptime(): string {
  try {
    return execFileSync('uptime', { encoding: 'utf8' }).trim();
  } catch {
    return `load average: ${loadavg().map((value) => value.toFixed(2)).join(', ')}`;
  }
}

/** CPU ms of this process (user + system). */
function ownCpuMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

interface HttpAnswer<T> {
  status: number;
  body: T;
}

/**
 * One request on a fresh connection (no keep-alive): under load the hub (same event loop) can close
 * an idle kept-alive socket just as a request goes out on it (ECONNRESET), which a retry then
 * turns into seconds of latency that are the client's, not the stack's.
 */
function send<T>(url: string, method: 'GET' | 'POST', body: unknown, cookie: string | undefined): Promise<HttpAnswer<T>> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const req = httpRequest(url, { method, agent: false, headers: { 'content-type': 'application/json', ...(payload === undefined ? {} : { 'content-length': payload.length }), ...(cookie === undefined ? {} : { cookie }) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        try {
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as T });
        } catch (error) {
          reject(error instanceof Error ? error : new Error(String(error)));
        }
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
}

function printStalls(report: StallReport, slowIngests: readonly number[]): void {
  const list = (events: StallReport['loopGaps']) => events.slice(0, 15).map((event) => `    at ${(event.at / 1000).toFixed(1)} s: ${Math.round(event.ms)} ms ${event.what}`).join('\n');
  process.stdout.write(`  stalls: ${report.loopGaps.length} event-loop gaps and ${report.slowQueries.length} PGlite statements over ${STALL_MS} ms, ${report.gcPauses.length} GC pauses over 50 ms; loop delay p99 ${report.loopDelayP99Ms} ms, max ${report.loopDelayMaxMs} ms; ${report.pgliteMs} ms in PGlite (${report.pgliteCpuMs} ms CPU)\n`);
  if (report.loopGaps.length > 0) {
    const perTen = new Map<number, { n: number; ms: number }>();
    for (const gap of report.loopGaps) {
      const bucket = Math.floor(gap.at / 10_000) * 10;
      const entry = perTen.get(bucket) ?? { n: 0, ms: 0 };
      perTen.set(bucket, { n: entry.n + 1, ms: entry.ms + gap.ms });
    }
    process.stdout.write(`  loop gaps by 10 s of the run (start s: gaps/ms): ${[...perTen.entries()].map(([at, e]) => `${at}: ${e.n}/${Math.round(e.ms)}`).join(', ')}\n`);
    const longest = [...report.loopGaps].sort((a, b) => b.ms - a.ms).slice(0, 12).sort((a, b) => a.at - b.at);
    process.stdout.write(`  longest loop gaps:\n${list(longest)}\n`);
  }
  if (report.slowQueries.length > 0) process.stdout.write(`  slow statements:\n${list(report.slowQueries)}\n`);
  if (report.gcPauses.length > 0) process.stdout.write(`  GC pauses:\n${list(report.gcPauses)}\n`);
  process.stdout.write(`  ingests over 400 ms (${slowIngests.length}), sent at s: ${slowIngests.slice(0, 40).join(' ')}${slowIngests.length > 40 ? ' …' : ''}\n`);
  process.stdout.write('  PGlite time by statement (ms, statements, max ms):\n');
  for (const entry of report.topStatements.slice(0, 8)) process.stdout.write(`    ${String(entry.ms).padStart(6)} ${String(entry.calls).padStart(6)} ${String(entry.maxMs).padStart(5)}  ${entry.sql.slice(0, 110)}\n`);
}

async function main(): Promise<void> {
  // The Prisma client is generated by `npm install` (prepare); import the hub only now.
  const { loadEnv } = await import('@/server/env');
  const { startHub } = await import('@/server/hub');
  const { startChainSource } = await import('@/server/chain/devnet-supervisor');
  const { chainServiceOf } = await import('@/server/chain/registry');
  const { createSessionCookie } = await import('@/server/auth/session');
  const { TestIdentity } = await import('@/server/testing/identities');
  const { verifyThread, createWebCryptoVerifier } = await import('@/lib/verify');
  const { SOCKET_PATH } = await import('@/lib/protocol/events');
  const { freeBasePort } = await import('@/workers/ports');

  const dir = await mkdtemp(join(tmpdir(), 'proofhub-bench-e2e-'));
  const basePort = await freeBasePort(4);
  const env = loadEnv({
    PROOFHUB_DATA_DIR: join(dir, 'data'),
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    PROOFHUB_RATE_POINTS: '1000000',
    PROOFHUB_DEVNET_BASE_PORT: String(basePort),
  });
  const logger = pino({ level: 'warn' });
  process.stdout.write(`bench:e2e — ${POSTS} replies by ${WRITERS} writers, ${RATE === null ? 'closed loop (--rate max)' : `${RATE} posts/s open loop, then a ${PROBE}-reply closed-loop saturation probe`}; hub + 4 validators (ports ${basePort}…${basePort + 3})\n  ${uptime()}\n`);
  // Installed before the hub opens PGlite: it wraps PGlite's synchronous protocol call.
  const stalls = startStallMonitor(STALL_MS);
  const chain = startChainSource(env.chain, logger);
  const hub = await startHub({ env, next: false, chain, logger });
  try {
    const url = `http://127.0.0.1:${hub.port}`;
    let retries = 0;
    const config = await chain?.ready;
    if (config === null || config === undefined) throw new Error('the devnet did not start');
    const service = chainServiceOf(hub.ctx);
    if (service === null) throw new Error('the hub runs no chain service');
    await service.ready;
    // Submissions are idempotent (a retried proof answers 200, duplicate): retry a failed request.
    const request = async <T>(path: string, init: { body?: unknown; cookie?: string } = {}): Promise<HttpAnswer<T>> => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await send<T>(`${url}${path}`, init.body === undefined ? 'GET' : 'POST', init.body, init.cookie);
        } catch (error) {
          if (attempt >= 5) throw error;
          retries++;
          process.stderr.write(`bench:e2e: ${path}: ${String(error)}; retrying\n`);
          await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
        }
      }
    };

    const writers: { identity: InstanceType<typeof TestIdentity>; cookie: string }[] = [];
    for (let i = 0; i < WRITERS; i++) {
      const identity = new TestIdentity();
      const username = `bench_${i}`;
      const signup = await request<{ user: { id: string } }>('/api/v1/auth/signup', { body: { username, password: 'correct horse battery', identity: await identity.identity(username) } });
      if (signup.status !== 201) throw new Error(`sign-up: ${JSON.stringify(signup.body)}`);
      writers.push({ identity, cookie: await createSessionCookie(signup.body.user.id, username, hub.ctx.secret) });
    }
    const first = writers[0] as (typeof writers)[number];
    const root = await first.identity.post('public', { title: 'bench:e2e', body: 'a thread of 1,000 replies' });
    const rootAnswer = await request<{ id: string }>('/api/v1/proofs', { body: root, cookie: first.cookie });
    if (rootAnswer.status !== 201) throw new Error(`root: ${JSON.stringify(rootAnswer.body)}`);
    const rootId = rootAnswer.body.id;

    // Stage times per proof id (performance.now() of this process: the hub runs here too).
    type Stage = 'scheduled' | 'sent' | 'stored' | 'accepted' | 'submitted' | 'admitted' | 'received' | 'certified' | 'adopted' | 'verified';
    const times = new Map<string, Partial<Record<Stage, number>>>();
    const mark = (id: string, stage: Stage, at: number) => {
      const entry = times.get(id);
      if (entry !== undefined && entry[stage] === undefined) entry[stage] = at;
    };
    const offStored = hub.ctx.events.on('proof:stored', (event) => mark(event.proof.id, 'stored', performance.now()));
    const offTrace = service.onTrace((event) => {
      for (const id of event.ids) mark(id, event.stage, event.at);
    });

    // One phase's proofs wait here for their `verified` event.
    let waiting: { ids: Set<string>; onVerified: (at: number) => void } | null = null;
    const socket = connectSocket(url, { path: SOCKET_PATH, transports: ['websocket'], extraHeaders: { cookie: first.cookie } });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    socket.on('proof:status', (event: { id: string; status: string }) => {
      if (event.status !== 'verified') return;
      const entry = times.get(event.id);
      if (entry === undefined || entry.verified !== undefined) return;
      entry.verified = performance.now();
      if (waiting?.ids.has(event.id) === true) waiting.onVerified(entry.verified);
    });
    const subscribe = (thread: string) => new Promise((resolve) => socket.emit('subscribe', { thread }, resolve));

    const between = (ids: Iterable<string>, from: Stage, to: Stage) => {
      const values: number[] = [];
      for (const id of ids) {
        const entry = times.get(id);
        const a = entry?.[from];
        const b = entry?.[to];
        if (a !== undefined && b !== undefined) values.push(b - a);
      }
      return summary(values);
    };

    /**
     * One phase: `count` replies to `parent`, then waits for every `verified` event.
     * rate null (closed loop, `--rate max`): each writer posts its share one after another, as
     * fast as the hub answers: the hub runs at saturation, the figure is its throughput.
     * rate R (open loop): reply i is due at start + i/R s on a fixed schedule, writer i mod W; a
     * writer sends it when it is due and the writer's previous reply has been answered (an issuer's
     * seq chain is sequential). Latency counts from the scheduled time, not the send: a late send
     * (a writer still waiting, a starved timer) is latency, so coordinated omission cannot hide
     * queueing.
     */
    const runPhase = async (parent: Awaited<ReturnType<(typeof first)['identity']['post']>>, count: number, rate: number | null) => {
      const ids = new Set<string>();
      let verified = 0;
      let lastVerifiedAt = 0;
      let allVerified: () => void = () => undefined;
      const done = new Promise<void>((resolve) => (allVerified = resolve));
      waiting = {
        ids,
        onVerified: (at) => {
          lastVerifiedAt = at;
          if (++verified === count) allVerified();
        },
      };
      // Each writer signs a reply right before it submits it (created_at must be within ±300 s of
      // admission).
      const postOne = async (writer: (typeof writers)[number], label: string, scheduled: number) => {
        const reply = await writer.identity.reply('public', parent.proof, label);
        ids.add(reply.proof.id);
        times.set(reply.proof.id, { scheduled, sent: performance.now() });
        const answer = await request<{ id: string }>('/api/v1/proofs', { body: reply, cookie: writer.cookie });
        if (answer.status !== 201 && answer.status !== 200) throw new Error(`reply: ${JSON.stringify(answer.body)}`);
        mark(reply.proof.id, 'accepted', performance.now());
      };
      const cpuStart = { own: ownCpuMs(), tree: await treeCpuMs(process.pid) };
      stalls.reset();
      const started = performance.now();
      if (rate === null) {
        await Promise.all(
          writers.map(async (writer, w) => {
            const share = Math.floor(count / writers.length) + (w < count % writers.length ? 1 : 0);
            for (let i = 0; i < share; i++) await postOne(writer, `reply ${w}.${i}`, performance.now());
          }),
        );
      } else {
        const chains = writers.map(() => Promise.resolve());
        for (let i = 0; i < count; i++) {
          const due = started + (i * 1000) / rate;
          const wait = due - performance.now();
          if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
          const w = i % writers.length;
          chains[w] = (chains[w] as Promise<void>).then(() => postOne(writers[w] as (typeof writers)[number], `reply ${w}.${i}`, due));
        }
        await Promise.all(chains);
      }
      const submitted = performance.now();
      const timeout = setTimeout(() => allVerified(), 120_000);
      await done;
      clearTimeout(timeout);
      waiting = null;
      const cpuEnd = { own: ownCpuMs(), tree: await treeCpuMs(process.pid) };
      const stallReport = stalls.report();
      // Where the slow ingests fall in the run (seconds after the start), to set beside the stalls.
      const slowIngests: number[] = [];
      for (const id of ids) {
        const entry = times.get(id);
        if (entry?.sent !== undefined && entry.stored !== undefined && entry.stored - entry.sent > 400) slowIngests.push(Math.round((entry.sent - started) / 100) / 10);
      }
      slowIngests.sort((a, b) => a - b);
      const total = between(ids, 'scheduled', 'verified');
      const stages = {
        'scheduled → sent (client lag)': between(ids, 'scheduled', 'sent'),
        'sent → stored (ingest)': between(ids, 'sent', 'stored'),
        'stored → POST answered': between(ids, 'stored', 'accepted'),
        'stored → submitted (submitter)': between(ids, 'stored', 'submitted'),
        'submitted → admitted (POST /leaves)': between(ids, 'submitted', 'admitted'),
        'admitted → block received (consensus)': between(ids, 'admitted', 'received'),
        'received → certified': between(ids, 'received', 'certified'),
        'certified → anchor stored': between(ids, 'certified', 'adopted'),
        'anchor stored → client event': between(ids, 'adopted', 'verified'),
        'POST answered → verified': between(ids, 'accepted', 'verified'),
      };
      // The validators are this process's children; the tree also holds this process.
      const ownCpu = cpuEnd.own - cpuStart.own;
      const validatorCpu = cpuEnd.tree - cpuStart.tree - ownCpu;
      const wallS = (submitted - started) / 1000;
      const elapsedMs = performance.now() - started;
      return {
        mode: rate === null ? 'max' : 'paced',
        rate_per_s: rate,
        posts: count,
        verified,
        p50_ms: total.p50,
        p99_ms: total.p99,
        max_ms: total.max,
        stages,
        submit_per_s: Number((count / wallS).toFixed(1)),
        verified_per_s: Number(((verified / (lastVerifiedAt - started)) * 1000).toFixed(1)),
        hub_cpu_ms_per_post: Number((ownCpu / count).toFixed(1)),
        validators_cpu_ms_per_post: Number((validatorCpu / count).toFixed(1)),
        hub_cpu_share: Number((ownCpu / elapsedMs).toFixed(2)),
        stalls: stallReport,
        slow_ingests_at_s: slowIngests,
      };
    };
    const printPhase = (name: string, phase: Awaited<ReturnType<typeof runPhase>>) => {
      const offered = phase.rate_per_s === null ? 'closed loop, as fast as the hub answers' : `open loop at ${phase.rate_per_s} posts/s offered`;
      process.stdout.write(`${name} (${offered}): post→verified p50 ${phase.p50_ms} ms, p99 ${phase.p99_ms} ms, max ${phase.max_ms} ms; ${phase.verified}/${phase.posts} verified; submitted ${phase.submit_per_s}/s, verified ${phase.verified_per_s}/s\n`);
      process.stdout.write('  stage                                      p50 ms   p99 ms   max ms\n');
      for (const [stage, s] of Object.entries(phase.stages)) process.stdout.write(`  ${stage.padEnd(40)} ${String(s.p50).padStart(7)}  ${String(s.p99).padStart(7)}  ${String(s.max).padStart(7)}\n`);
      printStalls(phase.stalls, phase.slow_ingests_at_s);
      process.stdout.write(`  CPU per post: hub process (hub + bench clients) ${phase.hub_cpu_ms_per_post} ms, 4 validators together ${phase.validators_cpu_ms_per_post} ms; hub process busy ${Math.round(phase.hub_cpu_share * 100)} % of one core\n  ${uptime()}\n`);
    };

    await subscribe(rootId);
    const latency = await runPhase(root, POSTS, RATE);
    printPhase(`latency run, ${POSTS} replies`, latency);
    // The saturation probe, after the latency run (the hub is warm by then): a closed-loop run on a
    // thread of its own (the measured thread keeps exactly POSTS replies), so the report says what
    // rate the latency run offered against.
    let saturation: Awaited<ReturnType<typeof runPhase>> | null = null;
    if (RATE !== null && PROBE > 0) {
      const probeRoot = await first.identity.post('public', { title: 'bench:e2e saturation probe', body: 'closed loop' });
      const probeAnswer = await request<{ id: string }>('/api/v1/proofs', { body: probeRoot, cookie: first.cookie });
      if (probeAnswer.status !== 201) throw new Error(`probe root: ${JSON.stringify(probeAnswer.body)}`);
      await subscribe(probeAnswer.body.id);
      saturation = await runPhase(probeRoot, PROBE, null);
      printPhase(`saturation probe, ${PROBE} replies`, saturation);
    }
    if (RATE !== null) {
      // Kept up: the hub took the replies at the rate offered, and no writer fell behind the
      // schedule by more than a second (else the latency above is a growing queue).
      const keptUp = latency.submit_per_s >= 0.97 * RATE && latency.stages['scheduled → sent (client lag)'].p99 < 1000;
      const probe = saturation === null ? '' : `; closed loop (${WRITERS} writers, ${WRITERS} requests in flight) reached ${saturation.submit_per_s} posts/s, offered = ${Math.round((RATE / saturation.submit_per_s) * 100)} % of it`;
      process.stdout.write(`  offered ${RATE} posts/s, the hub took ${latency.submit_per_s} posts/s: ${keptUp ? 'kept up' : 'DID NOT keep up (the machine is saturated at this rate: latency is queueing)'}${probe}; retries ${retries}\n`);
    }
    offStored();
    offTrace();
    socket.disconnect();

    // Verify the thread as "Verify thread" does: its bundle from the hub, then lib/verify.
    const fetchStart = performance.now();
    const page = await request<{ bundle: Record<string, unknown> }>(`/api/v1/bundles?thread=${rootId}`);
    if (page.status !== 200) throw new Error(`bundle: ${JSON.stringify(page.body).slice(0, 200)}`);
    const fetchMs = performance.now() - fetchStart;
    const bundle = page.body.bundle as { items: { proof: unknown; content?: unknown; purged?: boolean; anchor?: unknown }[]; identities: unknown[]; validators: unknown; heads: unknown[]; consistency: unknown[] };
    const input = {
      items: bundle.items.map((item) => ({ proof: item.proof, ...('content' in item ? { content: item.content } : {}), ...(item.purged === true ? { purged: true } : {}), ...(item.anchor === undefined ? {} : { anchor: item.anchor }) })),
      identities: bundle.identities,
      validators: bundle.validators,
      heads: bundle.heads,
      consistency: bundle.consistency,
    };
    const inputJson = JSON.stringify(input);
    const anchored = bundle.items.filter((item) => item.anchor !== null && item.anchor !== undefined).length;
    process.stdout.write(`thread bundle: ${bundle.items.length} items (${anchored} anchored), ${bundle.heads.length} certified head(s), ${bundle.consistency.length} consistency proofs, ${(inputJson.length / 1e6).toFixed(2)} MB; fetched in ${Math.round(fetchMs)} ms\n`);

    const nodeRuns: { backEnd: string; ms: number; cpuMs: number; ok: boolean }[] = [];
    for (const [backEnd, asyncVerifier] of [['noble', undefined], ['webcrypto', createWebCryptoVerifier(globalThis.crypto.subtle)]] as const) {
      const cpu = ownCpuMs();
      const start = performance.now();
      const report = await verifyThread(input, { requireAnchors: true, expectedGenesisHash: config.genesis.hash, ...(asyncVerifier === undefined ? {} : { asyncVerifier }) });
      nodeRuns.push({ backEnd, ms: Math.round(performance.now() - start), cpuMs: Math.round(ownCpuMs() - cpu), ok: report.ok });
      if (!report.ok) process.stderr.write(`bench:e2e: node verify (${backEnd}) failed: ${JSON.stringify(report.failures.slice(0, 3))}\n`);
    }
    for (const run of nodeRuns) process.stdout.write(`  node ${run.backEnd.padEnd(10)} verify: ${run.ms} ms wall, ${run.cpuMs} ms CPU, ok ${run.ok}\n`);

    const browserRuns: Awaited<ReturnType<Awaited<ReturnType<typeof startChromiumVerifier>>['verify']>>[] = [];
    if (!args['no-browser']) {
      const chromium = await startChromiumVerifier();
      try {
        for (let round = 0; round < ROUNDS; round++) {
          for (const mode of ['webcrypto', 'noble'] as const) {
            const run = await chromium.verify(inputJson, mode);
            browserRuns.push(run);
            process.stdout.write(`  chromium ${mode.padEnd(10)} round ${round + 1}: ${Math.round(run.ms)} ms wall, ${Math.round(run.cpuMs)} ms Chromium CPU (${run.verifier}; ${run.total} items, ${run.heads} head(s), ${run.failures} failures); load ${loadavg()[0]?.toFixed(1)}\n`);
          }
        }
      } finally {
        await chromium.close();
      }
    }
    const median = (values: number[]) => percentile([...values].sort((a, b) => a - b), 50);
    const browser = Object.fromEntries(
      (['webcrypto', 'noble'] as const).map((mode) => {
        const runs = browserRuns.filter((run) => run.mode === mode);
        return [mode, { median_ms: Math.round(median(runs.map((run) => run.ms))), median_cpu_ms: Math.round(median(runs.map((run) => run.cpuMs))), ok: runs.every((run) => run.ok) }];
      }),
    );
    if (browserRuns.length > 0) process.stdout.write(`  chromium median: webcrypto ${browser.webcrypto?.median_ms} ms wall / ${browser.webcrypto?.median_cpu_ms} ms CPU, noble ${browser.noble?.median_ms} ms wall / ${browser.noble?.median_cpu_ms} ms CPU\n`);
    process.stdout.write(`  ${uptime()}\n`);
    const verify = { items: bundle.items.length, anchored, heads: bundle.heads.length, fetch_ms: Math.round(fetchMs), node: nodeRuns, browser };
    if (args.json) process.stdout.write(`${JSON.stringify({ latency, saturation, retries, verify, load: loadavg() })}\n`);
  } finally {
    stalls.stop();
    await hub.close();
    await chain?.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench:e2e: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);

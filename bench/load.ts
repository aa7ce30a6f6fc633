// `npm run bench:load`: fan-out of the hub across two web instances on a real Redis and PostgreSQL
// (issue 7, "bench:load"), beside a bare Socket.IO + Redis broadcast of same-size messages as the
// baseline, in the same run, with the same number of client sockets in the same receiver processes.
//
// Layout: two web instances (server/cluster, REST + Socket.IO, no Next), a fresh database on
// PG_TEST_URL's server, a fresh key prefix on REDIS_TEST_URL. Receiver processes (2) hold the
// client sockets, half on each instance, all subscribed to hub `public`. This process signs posts
// (16 accounts, alternating instances) and submits them over Socket.IO at rising rates. Each post's
// body carries its send time; receivers record delivery latency (send → proof:new on the client,
// one clock: same machine). Then the same receivers reconnect the same number of sockets to two
// bare Socket.IO servers with the Redis adapter, and the same steps broadcast messages of the
// size of a real proof:new event.
//
// Per step: offered proofs/s, accepted proofs/s (acks ok over the step), deliveries/s (events
// received over the time from the step's start to its last delivery, backlog included), latency
// p50/p99. Saturation: the highest deliveries/s of any step. Then one step at half the saturation
// rate measures the p99 target. Targets: 10,000 sockets held; saturation deliveries/s ≥ 0.8 ×
// baseline; p99 < 200 ms at half saturation. post→verified needs the chain follower: n/a here
// (instances run with PROOFHUB_DEVNET=0).
//
// Options: --quick (1,000 sockets, short steps), --sockets N, --rates 10,20,… (proofs/s),
// --seconds S per step, --json. Needs PG_TEST_URL and REDIS_TEST_URL (or it says so and exits 2).
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createAdapter } from '@socket.io/redis-adapter';
import { createClient } from 'redis';
import { Server } from 'socket.io';
import { io as connectSocket } from 'socket.io-client';
import type { Socket } from 'socket.io-client';
import { SOCKET_PATH } from '@/lib/protocol/events';
import { connectClient, startTestCluster } from '@/server/cluster/testing';
import type { ClientSocket, ClusterUser, TestCluster } from '@/server/cluster/testing';

const SELF = fileURLToPath(import.meta.url);
const BODY_PREFIX = 'load ';

// ---------------------------------------------------------------- receiver process

type ReceiverCommand =
  | { cmd: 'connect'; urls: string[]; count: number; subscribe: boolean; path: string }
  | { cmd: 'reset' }
  | { cmd: 'report' }
  | { cmd: 'disconnect' };

type ReceiverReply = { reply: 'connected'; held: number; failed: number } | { reply: 'report'; deliveries: number; lastAt: number; latencies: number[]; held: number } | { reply: 'disconnected' };

function sentAtOf(payload: unknown): number | null {
  const body = (payload as { content?: { body?: unknown } } | undefined)?.content?.body;
  return typeof body === 'string' && body.startsWith(BODY_PREFIX) ? Number(body.slice(BODY_PREFIX.length, body.indexOf(' ', BODY_PREFIX.length))) : null;
}

function runReceiver(): void {
  let sockets: Socket[] = [];
  let deliveries = 0;
  let lastAt = 0;
  let latencies: number[] = [];
  const send = (message: ReceiverReply) => process.send?.(message);
  const onEvent = (payload: unknown) => {
    const sentAt = sentAtOf(payload);
    if (sentAt === null) return;
    const now = Date.now();
    deliveries++;
    lastAt = now;
    latencies.push(now - sentAt);
  };
  process.on('message', (message: ReceiverCommand) => {
    void (async () => {
      if (message.cmd === 'connect') {
        let failed = 0;
        const batch = 100;
        for (let i = 0; i < message.count; i += batch) {
          await Promise.all(
            Array.from({ length: Math.min(batch, message.count - i) }, async (_, j) => {
              const url = message.urls[(i + j) % message.urls.length] ?? '';
              const socket = connectSocket(url, { path: message.path, transports: ['websocket'], reconnection: false, forceNew: true, timeout: 60_000 });
              try {
                await new Promise<void>((resolve, reject) => {
                  socket.once('connect', resolve);
                  socket.once('connect_error', reject);
                });
                if (message.subscribe) {
                  const ack = (await socket.timeout(60_000).emitWithAck('subscribe', { hub: 'public' })) as { ok: boolean };
                  if (!ack.ok) throw new Error('subscribe refused');
                }
                socket.on('proof:new', onEvent);
                sockets.push(socket);
              } catch {
                failed++;
                socket.close();
              }
            }),
          );
        }
        send({ reply: 'connected', held: sockets.filter((socket) => socket.connected).length, failed });
      } else if (message.cmd === 'reset') {
        deliveries = 0;
        lastAt = 0;
        latencies = [];
      } else if (message.cmd === 'report') {
        send({ reply: 'report', deliveries, lastAt, latencies, held: sockets.filter((socket) => socket.connected).length });
      } else {
        for (const socket of sockets) socket.close();
        sockets = [];
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

  async connect(urls: string[], total: number, subscribe: boolean): Promise<{ held: number; failed: number }> {
    const per = Math.ceil(total / this.#children.length);
    const replies = await Promise.all(this.#children.map((child, i) => this.#ask(child, { cmd: 'connect', urls, count: Math.min(per, total - i * per), subscribe, path: SOCKET_PATH }, 'connected')));
    return { held: replies.reduce((sum, r) => sum + r.held, 0), failed: replies.reduce((sum, r) => sum + r.failed, 0) };
  }

  async reset(): Promise<void> {
    for (const child of this.#children) child.send({ cmd: 'reset' } satisfies ReceiverCommand);
    await this.report(); // a round trip: the resets are done
  }

  async report(): Promise<{ deliveries: number; lastAt: number; latencies: number[]; held: number }> {
    const replies = await Promise.all(this.#children.map((child) => this.#ask(child, { cmd: 'report' }, 'report')));
    return {
      deliveries: replies.reduce((sum, r) => sum + r.deliveries, 0),
      lastAt: Math.max(...replies.map((r) => r.lastAt)),
      latencies: replies.flatMap((r) => r.latencies),
      held: replies.reduce((sum, r) => sum + r.held, 0),
    };
  }

  async disconnect(): Promise<void> {
    await Promise.all(this.#children.map((child) => this.#ask(child, { cmd: 'disconnect' }, 'disconnected')));
  }

  close(): void {
    for (const child of this.#children) child.kill('SIGTERM');
  }
}

interface StepResult {
  offered: number;
  accepted: number;
  deliveries: number;
  p50: number;
  p99: number;
  load1: number;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

/** A sender: one call sends one message stamped with the send time; resolves true when accepted. */
type Send = (index: number) => Promise<boolean>;

async function runStep(receivers: Receivers, send: Send, rate: number, seconds: number, expectedPerMessage: number): Promise<StepResult> {
  await receivers.reset();
  const started = Date.now();
  const total = Math.round(rate * seconds);
  const pending: Promise<boolean>[] = [];
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / rate;
    const wait = due - Date.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    pending.push(send(i));
  }
  const accepted = (await Promise.all(pending)).filter(Boolean).length;
  const acceptedPerSecond = accepted / Math.max(seconds, (Date.now() - started) / 1000);
  // Drain: until every expected delivery arrived, or nothing new for 2 s.
  let report = await receivers.report();
  let quietSince = Date.now();
  let last = report.deliveries;
  while (report.deliveries < accepted * expectedPerMessage && Date.now() - quietSince < 2000) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    report = await receivers.report();
    if (report.deliveries !== last) {
      last = report.deliveries;
      quietSince = Date.now();
    }
  }
  const window = Math.max(seconds, ((report.lastAt || Date.now()) - started) / 1000);
  const sorted = report.latencies.sort((a, b) => a - b);
  return { offered: rate, accepted: acceptedPerSecond, deliveries: report.deliveries / window, p50: percentile(sorted, 50), p99: percentile(sorted, 99), load1: loadavg()[0] ?? 0 };
}

async function runSteps(label: string, receivers: Receivers, send: Send, rates: number[], seconds: number, sockets: number): Promise<{ steps: StepResult[]; saturation: StepResult; half: StepResult }> {
  const steps: StepResult[] = [];
  // The listed rates, then doubling, until a step saturates (at most 10 steps).
  for (let i = 0, rate = rates[0] ?? 5; i < 10; i++, rate = rates[i] ?? rate * 2) {
    const step = await runStep(receivers, send, rate, seconds, sockets);
    steps.push(step);
    process.stderr.write(`${label} ${rate}/s: accepted ${step.accepted.toFixed(1)}/s, deliveries ${Math.round(step.deliveries)}/s, p50 ${step.p50} ms, p99 ${step.p99} ms, load ${step.load1.toFixed(2)}\n`);
    // Past saturation: deliveries no longer follow the offered rate.
    if (step.deliveries < 0.8 * rate * sockets) break;
  }
  const saturation = steps.reduce((best, step) => (step.deliveries > best.deliveries ? step : best));
  const halfRate = Math.max(1, Math.round(saturation.deliveries / sockets / 2));
  const half = await runStep(receivers, send, halfRate, seconds, sockets);
  process.stderr.write(`${label} half saturation ${halfRate}/s: deliveries ${Math.round(half.deliveries)}/s, p50 ${half.p50} ms, p99 ${half.p99} ms\n`);
  return { steps, saturation, half };
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { quick: { type: 'boolean', default: false }, sockets: { type: 'string' }, rates: { type: 'string' }, seconds: { type: 'string' }, json: { type: 'boolean', default: false } },
  });
  const redisUrl = process.env.REDIS_TEST_URL ?? process.env.REDIS_URL;
  if (process.env.PG_TEST_URL === undefined || redisUrl === undefined) {
    process.stderr.write('bench:load needs PG_TEST_URL (a PostgreSQL server it may create a database on) and REDIS_TEST_URL (a Redis server), e.g.\n  PG_TEST_URL=postgres://postgres:postgres@127.0.0.1:5432/proofhub_test REDIS_TEST_URL=redis://127.0.0.1:6379 npm run bench:load\n');
    return 2;
  }
  const sockets = Number(values.sockets ?? (values.quick ? 1000 : 10_000));
  const rates = (values.rates ?? (values.quick ? '5,10,20,40' : '5,10,20,40,80')).split(',').map(Number);
  const seconds = Number(values.seconds ?? (values.quick ? 3 : 6));
  const posters = 16;

  process.stderr.write(`bench:load: ${sockets} sockets, steps ${rates.join(', ')} proofs/s × ${seconds} s; load ${loadavg().map((l) => l.toFixed(2)).join(' ')}\n`);
  const cluster: TestCluster = await startTestCluster({ redisUrl, env: { LOG_LEVEL: 'warn', DATABASE_POOL_MAX: '10' } });
  const receivers = new Receivers(2);
  const baselinePrefix = `proofhub-bench-${randomBytes(4).toString('hex')}`;
  const baselineServers: ChildProcess[] = [];
  try {
    // ---- the hub
    const urls = cluster.instances.map((instance) => instance.url);
    const users: ClusterUser[] = [];
    const senders: ClientSocket[] = [];
    for (let i = 0; i < posters; i++) {
      const url = urls[i % urls.length] ?? '';
      users.push(await cluster.signUp(`poster${i}`, url));
      senders.push(await connectClient(url, users[i]?.cookie));
    }
    const connected = await receivers.connect(urls, sockets, true);
    process.stderr.write(`hub: ${connected.held} sockets held (${connected.failed} failed)\n`);

    let eventBytes = 0;
    const sendProof: Send = async (index) => {
      const poster = index % posters;
      const user = users[poster]!;
      const post = await user.identity.post('public', { body: `${BODY_PREFIX}${Date.now()} ${'.'.repeat(200)}` });
      if (eventBytes === 0) eventBytes = JSON.stringify(post).length + 400; // + the view the hub adds
      try {
        const ack = (await senders[poster]!.timeout(60_000).emitWithAck('proof:submit', post)) as { ok: boolean };
        return ack.ok;
      } catch {
        return false;
      }
    };
    await runStep(receivers, sendProof, 5, 1, sockets); // warm-up, not reported
    const hub = await runSteps('hub', receivers, sendProof, rates, seconds, sockets);
    const heldAfter = (await receivers.report()).held;
    for (const socket of senders) socket.disconnect();
    await receivers.disconnect();

    // ---- the baseline: bare Socket.IO + Redis adapter, same receivers, same socket count
    const baselineUrls: string[] = [];
    for (let i = 0; i < 2; i++) {
      const child = fork(SELF, ['--baseline-server', redisUrl, baselinePrefix], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
      baselineServers.push(child);
      const port = await new Promise<number>((resolve) => {
        child.stdout?.on('data', (chunk: Buffer) => {
          const match = /baseline ready port=(\d+)/.exec(chunk.toString());
          if (match) resolve(Number(match[1]));
        });
      });
      baselineUrls.push(`http://127.0.0.1:${port}`);
    }
    const baselineConnected = await receivers.connect(baselineUrls, sockets, false);
    process.stderr.write(`baseline: ${baselineConnected.held} sockets held\n`);
    const baselineSenders = await Promise.all(
      baselineUrls.map(
        (url) =>
          new Promise<Socket>((resolve, reject) => {
            const socket = connectSocket(url, { path: SOCKET_PATH, transports: ['websocket'], reconnection: false, forceNew: true });
            socket.once('connect', () => resolve(socket));
            socket.once('connect_error', reject);
          }),
      ),
    );
    const padding = '.'.repeat(Math.max(0, eventBytes - 60));
    const sendBare: Send = (index) => {
      baselineSenders[index % baselineSenders.length]?.emit('post', { content: { body: `${BODY_PREFIX}${Date.now()} ` }, pad: padding });
      return Promise.resolve(true);
    };
    await runStep(receivers, sendBare, 5, 1, sockets);
    const baseline = await runSteps('baseline', receivers, sendBare, rates, seconds, sockets);
    for (const socket of baselineSenders) socket.disconnect();

    // ---- report
    const ratio = hub.saturation.deliveries / baseline.saturation.deliveries;
    const row = (name: string, step: StepResult) => `| ${name} | ${step.offered} | ${step.accepted.toFixed(1)} | ${Math.round(step.deliveries).toLocaleString('en-US')} | ${step.p50} | ${step.p99} | ${step.load1.toFixed(2)} |`;
    const lines = [
      `sockets held: ${heldAfter.toLocaleString('en-US')} of ${sockets.toLocaleString('en-US')} across 2 instances (target 10,000); event size ≈ ${eventBytes} bytes`,
      '',
      '| run | offered proofs/s | accepted proofs/s | deliveries/s | p50 ms | p99 ms | load (1 min) |',
      '|---|---|---|---|---|---|---|',
      ...hub.steps.map((step) => row('hub', step)),
      row('hub, half saturation', hub.half),
      ...baseline.steps.map((step) => row('baseline', step)),
      row('baseline, half saturation', baseline.half),
      '',
      `saturation deliveries/s: hub ${Math.round(hub.saturation.deliveries).toLocaleString('en-US')}, baseline ${Math.round(baseline.saturation.deliveries).toLocaleString('en-US')}: ratio ${ratio.toFixed(2)} (target ≥ 0.80)`,
      `hub p99 at half saturation: ${hub.half.p99} ms (target < 200 ms)`,
      'post→verified: n/a (no chain follower in this run: PROOFHUB_DEVNET=0)',
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    if (values.json) process.stdout.write(`${JSON.stringify({ sockets, held: heldAfter, hub, baseline, ratio })}\n`);
    return 0;
  } finally {
    receivers.close();
    for (const child of baselineServers) child.kill('SIGTERM');
    await cluster.destroy();
  }
}

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

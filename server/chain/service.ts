// The hub's side of the chain (docs/chain-anchoring.md): wires the leaf submitter, the commit
// follower (on the one instance holding the follower lock), the validator watcher and the log
// mirror to a running hub. startHub calls it when `npm start` gave it validators; tests call it
// with a devnet of their own.
import type { Logger } from 'pino';
import type { SignatureVerifier } from '@/lib/crypto/types';
import type { AppContext } from '../context';
import { nodeVerifier } from '../crypto/ed25519-node';
import type { HubServer } from '../realtime/realtime';
import { socketBroadcaster } from './broadcast';
import type { ChainBroadcaster } from './broadcast';
import { chainPins } from './config';
import type { ChainConfig, ChainPins } from './config';
import type { ChainSource } from './devnet-supervisor';
import { CommitFollower } from './follower';
import { HeadWatcher } from './head-watcher';
import type { ValidatorLivenessWire } from './head-watcher';
import { alwaysLeader, postgresLeaderLock } from './leader-lock';
import type { LeaderLock } from './leader-lock';
import { LogMirror } from './log-mirror';
import { registerChainService } from './registry';
import { LeafSubmitter } from './submitter';
import { ChainTracer } from './trace';
import type { ChainTrace } from './trace';

export const SCAN_INTERVAL_MS = 5000;

export interface ChainServiceOptions {
  ctx: AppContext;
  /** Socket.IO server for proof:status and chain:head (or any broadcaster, in tests). */
  io?: HubServer;
  broadcaster?: ChainBroadcaster;
  /** Where the validators are (a devnet starting, or CHAIN_GENESIS + CHAIN_RPC). */
  source: ChainSource | { ready: Promise<ChainConfig | null> };
  /** PostgreSQL URL of the hub's database, for the follower lock; null with PGlite. */
  databaseUrl: string | null;
  verifier?: SignatureVerifier;
  logger?: Logger;
  watchIntervalMs?: number;
  scanIntervalMs?: number;
  lockRetryMs?: number;
}

export interface ChainService {
  /** Resolves once the service runs (or found no validators: then config stays null). */
  readonly ready: Promise<void>;
  readonly config: ChainConfig | null;
  readonly pins: ChainPins | null;
  readonly mirror: LogMirror;
  readonly submitter: LeafSubmitter | null;
  /** True while this instance follows the commits. */
  readonly following: boolean;
  liveness(): ValidatorLivenessWire[];
  /** Listens to stage timings of proofs on their way to `verified` (server/chain/trace.ts). */
  onTrace(listener: ChainTrace): () => void;
  close(): Promise<void>;
}

export function startChainService(options: ChainServiceOptions): ChainService {
  const { ctx } = options;
  const logger = options.logger ?? ctx.logger;
  const verifier = options.verifier ?? nodeVerifier;
  const mirror = new LogMirror(ctx.prisma);
  const tracer = new ChainTracer();
  let config: ChainConfig | null = null;
  let pins: ChainPins | null = null;
  let submitter: LeafSubmitter | null = null;
  let follower: CommitFollower | null = null;
  let watcher: HeadWatcher | null = null;
  let lock: LeaderLock | null = null;
  let scanTimer: NodeJS.Timeout | null = null;
  let unsubscribe: (() => void) | null = null;
  let closed = false;

  const broadcaster = options.broadcaster ?? (options.io === undefined ? { proofStatus: () => undefined, chainHead: () => undefined } : socketBroadcaster(options.io, ctx.prisma, logger));

  const stopFollowing = async () => {
    if (scanTimer !== null) clearInterval(scanTimer);
    scanTimer = null;
    const running = follower;
    follower = null;
    await running?.stop();
  };

  const ready = (async () => {
    config = await options.source.ready;
    if (config === null || closed) return;
    const started = config;
    pins = chainPins(started.genesis);
    const currentPins = pins;
    const leaves = new LeafSubmitter({ db: ctx.prisma, urls: started.urls, logger, broadcaster, tracer, onCommitted: () => follower?.matchAllPending() });
    submitter = leaves;
    unsubscribe = ctx.events.on('proof:stored', (event) => leaves.enqueue([event.proof.id]));
    watcher = new HeadWatcher({ db: ctx.prisma, urls: started.urls, pins: currentPins, mirror, verifier, logger, checkHeads: () => follower !== null, ...(options.watchIntervalMs === undefined ? {} : { intervalMs: options.watchIntervalMs }) });
    watcher.start();
    lock = options.databaseUrl === null ? alwaysLeader() : postgresLeaderLock(options.databaseUrl, logger, options.lockRetryMs);
    lock.start(
      () => {
        if (closed) return;
        follower = new CommitFollower({ db: ctx.prisma, urls: started.urls, pins: currentPins, mirror, verifier, broadcaster, logger, tracer, heights: () => watcher?.heights() ?? [] });
        follower.start();
        const scan = () => void leaves.scan().catch((error: unknown) => logger.warn({ err: error }, 'chain: pending-leaf scan failed'));
        scan();
        scanTimer = setInterval(scan, options.scanIntervalMs ?? SCAN_INTERVAL_MS);
      },
      () => void stopFollowing(),
    );
  })().catch((error: unknown) => logger.error({ err: error }, 'chain: the chain service did not start'));

  const service: ChainService = {
    ready,
    get config() {
      return config;
    },
    get pins() {
      return pins;
    },
    mirror,
    get submitter() {
      return submitter;
    },
    get following() {
      return follower !== null;
    },
    liveness: () => watcher?.liveness() ?? [],
    onTrace: (listener) => tracer.on(listener),
    async close() {
      closed = true;
      await ready;
      unsubscribe?.();
      await stopFollowing();
      await lock?.close();
      await watcher?.close();
      await submitter?.close();
      registerChainService(ctx, null);
    },
  };
  registerChainService(ctx, service);
  return service;
}

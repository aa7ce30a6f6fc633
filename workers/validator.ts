// One validator process: runs the pure HotStuff-2 core (lib/consensus) and carries out its
// effects with real I/O — LevelDB (store.ts), authenticated WebSocket links (links/), timers, the
// mempool, catch-up and the RPC (rpc/).
//
// The consensus loop takes one input at a time (peer message, timer, payload, sync answer), calls
// step(), and executes the effects in order. A `persist` effect is awaited — an fsynced LevelDB
// batch — before any later effect of the same step runs, so no vote or timeout leaves the process
// before the safety record that covers it is on disk (CONSENSUS.md, rule 3). Blocks the core took
// in since the last persist ride in that same batch, so certified-but-uncommitted blocks survive
// even if every validator crashes at once.
import type { Server } from 'node:http';
import { performance } from 'node:perf_hooks';
import { bytesEqual, bytesToHex, hexToBytes, utf8Decode, utf8Encode } from '@/lib/bytes';
import {
  type Block,
  blockHash,
  canSign,
  collectSyncBlocks,
  consensusMessageToJson,
  type ConsensusEffect,
  type ConsensusInput,
  type ConsensusMessage,
  type ConsensusState,
  createConsensusState,
  createMerklePayloadRules,
  decodeBlock,
  decodeConsensusMessage,
  decodeSafetyRecord,
  decodeSyncResponse,
  genesisBlock,
  leaderOf,
  leafHashOf,
  leafIdKey,
  type LogLeaf,
  type PinnedValidatorSet,
  quorumCertToJson,
  type RestoreData,
  safetyRecordOf,
  safetyRecordToJson,
  step,
  syncResponseToJson,
  uncommittedLeaves,
  validatorSetHash,
  WIRE_LIMITS,
} from '@/lib/consensus';
import { consistencyProofToJson, inclusionProofToJson } from '@/lib/merkle';
import { nodeVerifier } from '@/server/crypto/ed25519-node';
import { nodeHasher } from '@/server/crypto/sha256-node';
import { catchUp, queryPeerHeights } from './catch-up';
import { type Genesis, validatorIndexOf } from './genesis';
import type { ValidatorKey } from './keys';
import { decodeBlockBinary, decodeProposalBinary, encodeBlockBinary, encodeProposalBinary, LEAF_RECORD_BYTES } from './block-codec';
import { hexOf } from './hex';
import { Ledger } from './ledger';
import { PeerLinks } from './links/peer-links';
import type { Logger } from './logger';
import { type Leaf, Mempool, VerifiedLeaves, VerifiedSignatures } from './mempool';
import { createValidatorMetrics, type ValidatorMetrics } from './metrics';
import { fetchPeerJson, peerBaseUrl } from './peer-client';
import type { ChainIdentity } from './records';
import { RpcError } from './rpc/http';
import { createRpcServer, type InclusionTarget, type LeafSubmitFailure, type LeafSubmitResult, type RpcBackend } from './rpc/server';
import { type PendingBlockWrite, StoreError, ValidatorStore } from './store';

export interface ValidatorOptions {
  readonly genesis: Genesis;
  readonly key: ValidatorKey;
  readonly dataDir: string;
  readonly log: Logger;
  /** Address to bind (default: this validator's host in genesis). */
  readonly listenHost?: string;
  /** View timeout with no failed views behind, ms (default 2000). */
  readonly baseTimeoutMs?: number;
  readonly maxBackoffExponent?: number;
  /** Leaves per block at most (default 1024). */
  readonly maxBlockLeaves?: number;
  /** A leader holding some leaves but less than a full block waits this long for more (default 20 ms). */
  readonly blockTimeMs?: number;
  /** A leader with nothing to propose waits this long before proposing an empty block (default min(1000, timeout/4) ms). */
  readonly idleBlockMs?: number;
  readonly mempoolMaxLeaves?: number;
  /** Blocks per sync answer (default 64, at most 256). */
  readonly maxSyncBlocks?: number;
  /** Add Node process metrics to /metrics (default true; off for in-process tests). */
  readonly processMetrics?: boolean;
  /** Called when the node must stop (a failed durable write, a broken invariant); default: log only. */
  readonly onFatal?: (error: unknown) => void;
}

const CHANNEL_CONSENSUS = 1;
const CHANNEL_LEAVES = 2;
const CHANNEL_PROPOSAL = 3;
const LEAF_BYTES = 128;
/** Leaves per gossip message, and the pause between gossip flushes. */
const GOSSIP_MAX = 2048;
const GOSSIP_FLUSH_MS = 5;
/** Peer messages waiting for the consensus loop; more are dropped (the protocol recovers). */
const MAX_QUEUED_INPUTS = 4096;
/**
 * Leaves checked per slice when admitting gossip or a POST /leaves batch, so consensus messages
 * interleave: a consensus input waits for at most one slice (16 verifies, 1–5 ms; 64 cost up to
 * 40 ms per hop on a loaded machine, three hops a view).
 */
const ADMIT_SLICE = 16;
/** Behind by more than this many blocks, the node leaves the loop and catches up in bulk. */
const BULK_CATCH_UP_LAG = 256;
const SYNC_ANSWER_MAX_BYTES = 8 * 1024 * 1024;

interface PayloadRequest {
  readonly view: number;
  readonly parentHash: Uint8Array;
  readonly requestedAt: number;
  timer: NodeJS.Timeout | null;
}

export class ValidatorNode {
  readonly index: number;
  readonly genesis: Genesis;
  readonly metrics: ValidatorMetrics;
  readonly #options: Required<Omit<ValidatorOptions, 'listenHost' | 'onFatal'>> & { listenHost: string };
  readonly #onFatal: (error: unknown) => void;
  readonly #log: Logger;
  readonly #identity: ChainIdentity;
  readonly #pinned: PinnedValidatorSet;
  readonly #verifier: VerifiedSignatures;
  readonly #verifiedLeaves: VerifiedLeaves;
  #store!: ValidatorStore;
  #ledger!: Ledger;
  #links!: PeerLinks;
  #server!: Server;
  #mempool!: Mempool;
  #state!: ConsensusState;
  #started = false;
  #stopping = false;
  #catchingUp = false;
  /** While true the loop takes no input (bulk catch-up owns the ledger). */
  #paused = false;
  #safetyStatus: 'ok' | 'missing' | 'damaged' | 'fresh' = 'fresh';

  /** Inputs waiting for the loop, with when they were queued (performance.now()). */
  readonly #inputs: { input: ConsensusInput; at: number }[] = [];
  /** When the payload the core asked for was requested (a QC or TC let this validator lead a view). */
  #payloadAskedAt: number | null = null;
  #loopRunning = false;
  #loopIdle: Promise<void> = Promise.resolve();
  #resolveLoopIdle: (() => void) | null = null;
  #viewTimer: NodeJS.Timeout | null = null;
  #payloadRequest: PayloadRequest | null = null;
  /** Commit effects of the step being executed, applied once its vote or proposal has left. */
  readonly #deferredCommits: Extract<ConsensusEffect, { kind: 'commit' }>[] = [];
  #syncInFlight = false;
  #syncQueued: { to: number; fromHeight: number; targetHash: Uint8Array } | null = null;
  #gossipQueue: LogLeaf[] = [];
  #gossipTimer: NodeJS.Timeout | null = null;
  #admitQueue: { from: number; leaves: Leaf[] }[] = [];
  #admitting = false;
  /** Locally submitted leaves (proof id, leafIdKey → submit time) for the submit→commit latency metric. */
  readonly #submittedAt = new Map<string, number>();
  /** First time each uncommitted block was seen, for the block commit latency metric. */
  readonly #blockSeenAt = new Map<string, number>();
  #metricsTimer: NodeJS.Timeout | null = null;

  constructor(options: ValidatorOptions) {
    this.genesis = options.genesis;
    const index = validatorIndexOf(options.genesis, options.key.publicKey);
    if (index < 0) throw new Error('the key is not one of the validators in genesis');
    this.index = index;
    const self = options.genesis.validators[index];
    if (!self) throw new Error('unreachable: validator index out of range');
    const baseTimeoutMs = options.baseTimeoutMs ?? 2000;
    const idleBlockMs = options.idleBlockMs ?? Math.min(1000, Math.floor(baseTimeoutMs / 4));
    if (idleBlockMs * 2 > baseTimeoutMs) throw new RangeError(`idleBlockMs (${idleBlockMs}) must be at most half of baseTimeoutMs (${baseTimeoutMs})`);
    const maxBlockLeaves = options.maxBlockLeaves ?? 1024;
    if (maxBlockLeaves < 1 || maxBlockLeaves > WIRE_LIMITS.maxLeavesPerBlock) throw new RangeError(`maxBlockLeaves must be in 1..${WIRE_LIMITS.maxLeavesPerBlock}`);
    this.#options = {
      genesis: options.genesis,
      key: options.key,
      dataDir: options.dataDir,
      log: options.log,
      listenHost: options.listenHost ?? self.host,
      baseTimeoutMs,
      maxBackoffExponent: options.maxBackoffExponent ?? 5,
      maxBlockLeaves,
      blockTimeMs: options.blockTimeMs ?? 20,
      idleBlockMs,
      mempoolMaxLeaves: options.mempoolMaxLeaves ?? 100_000,
      maxSyncBlocks: Math.min(options.maxSyncBlocks ?? 64, WIRE_LIMITS.maxSyncBlocks),
      processMetrics: options.processMetrics ?? true,
    };
    this.#log = options.log;
    this.#onFatal = options.onFatal ?? (() => undefined);
    const chainId = hexToBytes(options.genesis.hash);
    const validators = options.genesis.validators.map((validator) => validator.publicKey);
    this.#identity = { chainId, setHash: validatorSetHash(validators) };
    this.#pinned = { chainId, validators };
    this.#verifier = new VerifiedSignatures(nodeVerifier);
    // Leaves go straight to node:crypto: each leaf object is verified once (the WeakSet), and a leaf
    // first seen in a proposal is pooled after the core checked it (#adoptProposed), so its gossiped
    // copy is a duplicate. (A string-keyed cache of (key, id, sig) per leaf cost ~2-3% of busy time.)
    this.#verifiedLeaves = new VerifiedLeaves(nodeVerifier);
    this.metrics = createValidatorMetrics({ chain_id: options.genesis.chainId, validator: String(index) }, this.#options.processMetrics);
  }

  get port(): number {
    return this.genesis.validators[this.index]?.port ?? 0;
  }

  get url(): string {
    return peerBaseUrl({ host: this.#options.listenHost, port: this.port });
  }

  /** Opens the store, serves RPC, catches up from peers, then joins consensus. */
  async start(): Promise<void> {
    const { genesis, dataDir } = this.#options;
    this.#store = await ValidatorStore.open(dataDir, { hash: genesis.hash, chainId: genesis.chainId });
    try {
      this.#ledger = await Ledger.open(this.#store, this.#identity, nodeHasher, this.#genesisBlockHash());
    } catch (error) {
      await this.#store.close();
      throw error;
    }
    this.#mempool = new Mempool({
      verified: this.#verifiedLeaves,
      isCommitted: (id) => this.#ledger.isCommittedId(id),
      maxLeaves: this.#options.mempoolMaxLeaves,
    });
    this.#links = new PeerLinks({
      genesis,
      selfIndex: this.index,
      key: this.#options.key,
      verifier: nodeVerifier,
      onMessage: (from, payload) => this.#onPeerMessage(from, payload),
      log: this.#log,
      maxFrameBytes: 16 * 1024 * 1024,
      onDrop: (reason) => this.metrics.linkDrops.inc({ reason }),
      onFrameSent: (messages) => {
        this.metrics.linkFramesSent.inc();
        this.metrics.linkMessagesSent.inc(messages);
      },
    });
    this.#state = createConsensusState({
      chainId: this.#identity.chainId,
      validators: this.#pinned.validators,
      self: this.index,
      sign: (message) => {
        const signature = this.#options.key.sign(message);
        this.#verifier.remember(signature, message, this.#options.key.publicKey);
        return signature;
      },
      verifier: this.#verifier,
      payload: createMerklePayloadRules({
        verifier: this.#verifier,
        hasher: nodeHasher,
        maxLeavesPerBlock: this.#options.maxBlockLeaves,
        verifyLeaf: (leaf) => this.#verifiedLeaves.verify(leaf),
      }),
      // The ledger's id set is the applied log; the core checks the uncommitted ancestors itself.
      isCommittedId: (id) => this.#ledger.isCommittedId(id),
      hasher: nodeHasher,
      pacemaker: { baseTimeoutMs: this.#options.baseTimeoutMs, maxBackoffExponent: this.#options.maxBackoffExponent },
      maxLeavesPerBlock: this.#options.maxBlockLeaves,
      maxSyncBlocks: this.#options.maxSyncBlocks,
    });
    this.#server = createRpcServer({ backend: this.#rpcBackend(), log: this.#log, onPeerUpgrade: (req, socket, head) => this.#links.handleUpgrade(req, socket, head) });
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(this.port, this.#options.listenHost, () => {
        this.#server.off('error', reject);
        resolve();
      });
    });
    this.#metricsTimer = setInterval(() => this.#refreshGauges(), 1000);
    this.#metricsTimer.unref();

    // Catch up committed blocks before joining: verified by certificates, outside the loop.
    this.#catchingUp = true;
    const peerHeights = await queryPeerHeights({ genesis, self: this.index }, 1500);
    await this.#bulkCatchUp();
    this.#catchingUp = false;
    if (this.#stopping) return;

    const restore = await this.#restoreData(peerHeights.some((peer) => peer.height > 0));
    this.#links.start();
    this.#started = true;
    this.#enqueue({ kind: 'start', ...(restore === undefined ? {} : { restore }) });
    this.#log.info({ validator: this.index, height: this.#ledger.height, safety: this.#safetyStatus, url: this.url }, 'validator started');
  }

  async stop(): Promise<void> {
    if (this.#stopping) return;
    this.#stopping = true;
    if (this.#viewTimer) clearTimeout(this.#viewTimer);
    if (this.#payloadRequest?.timer) clearTimeout(this.#payloadRequest.timer);
    if (this.#gossipTimer) clearTimeout(this.#gossipTimer);
    if (this.#metricsTimer) clearInterval(this.#metricsTimer);
    this.#inputs.length = 0;
    await this.#loopIdle;
    await this.#links?.close();
    await new Promise<void>((resolve) => {
      this.#server?.close(() => resolve());
      this.#server?.closeAllConnections();
    });
    await this.#ledger?.flush().catch(() => undefined);
    await this.#store?.close();
  }

  // ---------------------------------------------------------------------------------------------
  // Start-up.

  /** Hash of the genesis block (height 0, the empty log), the parent of height 1. */
  #genesisBlockHash(): Uint8Array {
    const rules = createMerklePayloadRules({ verifier: nodeVerifier, hasher: nodeHasher });
    return blockHash(genesisBlock(rules.genesis().head), this.#identity.chainId, this.#identity.setHash);
  }

  async #bulkCatchUp(): Promise<number> {
    return catchUp(
      {
        genesis: this.genesis,
        self: this.index,
        ledger: this.#ledger,
        identity: this.#identity,
        pinned: this.#pinned,
        verifier: nodeVerifier,
        hasher: nodeHasher,
        log: this.#log,
        onBlocks: (count) => this.metrics.catchUpBlocks.inc(count),
      },
      { shouldStop: () => this.#stopping },
    );
  }

  /**
   * What the core restarts from. A store that existed before with no readable safety record is
   * reported as missing/damaged (the core then refuses to sign until it sees a newer certificate).
   * A brand-new store on a chain that has already moved is treated the same way: this key may have
   * signed from a data directory that was lost.
   */
  async #restoreData(chainHasStarted: boolean): Promise<RestoreData | undefined> {
    const read = await this.#store.readSafety();
    let safety: RestoreData['safety'] = null;
    if (read.status === 'ok') {
      const decoded = decodeSafetyRecord(read.record);
      if (decoded.ok) {
        safety = decoded.value;
        this.#safetyStatus = 'ok';
      } else {
        this.#safetyStatus = 'damaged';
        this.#log.error({ reason: decoded.error.message }, 'safety record is damaged: refusing to sign until a newer certificate is seen');
      }
    } else if (read.status === 'damaged') {
      this.#safetyStatus = 'damaged';
      this.#log.error({ reason: read.reason }, 'safety record is damaged: refusing to sign until a newer certificate is seen');
    } else if (this.#store.fresh && this.#ledger.height === 0 && !chainHasStarted) {
      this.#safetyStatus = 'fresh';
      return undefined;
    } else {
      this.#safetyStatus = 'missing';
      this.#log.error({}, 'safety record is missing: refusing to sign until a newer certificate is seen');
    }
    return this.#restoreFrom(safety);
  }

  /** RestoreData from the store's committed head and stored blocks, with the given safety record. */
  async #restoreFrom(safety: RestoreData['safety']): Promise<RestoreData> {
    const blocks = await this.#storedBlocks();
    const head = this.#ledger.head;
    if (head === null) return { safety, blocks };
    const frontier = this.#ledger.log.frontier(head.treeSize);
    if (!frontier.ok) throw new StoreError('store_corrupt', `cannot rebuild the frontier at ${head.treeSize}`);
    return { safety, committed: { block: head.block, context: frontier.value, certificate: head.certificate }, blocks };
  }

  /** Blocks the core stored (storeBlock) above the committed head, for RestoreData.blocks. */
  async #storedBlocks(): Promise<Block[]> {
    const blocks: Block[] = [];
    for (const bytes of await this.#store.readPendingBlocks(this.#ledger.height)) {
      // An unreadable copy is skipped; peers still have the block.
      const block = decodeBlockBinary(bytes);
      if (block) blocks.push(block);
    }
    return blocks;
  }

  // ---------------------------------------------------------------------------------------------
  // The consensus loop.

  #enqueue(input: ConsensusInput): void {
    if (this.#stopping || (this.#paused && input.kind !== 'start')) return;
    if (input.kind === 'message' && this.#inputs.length >= MAX_QUEUED_INPUTS) return;
    this.#inputs.push({ input, at: performance.now() });
    if (!this.#loopRunning) {
      this.#loopRunning = true;
      this.#loopIdle = new Promise((resolve) => (this.#resolveLoopIdle = resolve));
      setImmediate(() => void this.#runLoop());
    }
  }

  async #runLoop(): Promise<void> {
    try {
      while (this.#inputs.length > 0 && !this.#stopping && !this.#paused) {
        const { input, at } = this.#inputs.shift() as { input: ConsensusInput; at: number };
        const kind = inputKind(input);
        const started = performance.now();
        this.metrics.inputWaitSeconds.observe({ kind }, (started - at) / 1000);
        const { state, effects } = step(this.#state, input);
        this.#state = state;
        this.metrics.stepSeconds.observe({ kind }, (performance.now() - started) / 1000);
        this.#noteBlocks(input, effects);
        await this.#execute(effects, kind === 'proposal' ? at : null);
        if (input.kind === 'message' && input.message.type === 'proposal') this.#adoptProposed(input.message.block.leaves);
        else if (input.kind === 'sync') for (const block of input.blocks) this.#adoptProposed(block.leaves);
      }
    } catch (error) {
      // A failed durable write or a broken invariant: stop rather than risk signing unsafely.
      this.#log.error({ err: error }, 'consensus loop failed; stopping the validator');
      this.#loopRunning = false;
      this.#resolveLoopIdle?.();
      void this.stop().finally(() => this.#onFatal(error));
      return;
    }
    this.#loopRunning = false;
    this.#resolveLoopIdle?.();
    this.#refreshGauges();
  }

  /**
   * Leaves of a proposal or synced block that were not pooled yet: those the core verified (a
   * proposal that beat their gossip) join the pool, so the gossip that follows costs a lookup, not
   * a second signature check. Leaves already committed (applied by this step) stay out.
   */
  #adoptProposed(leaves: readonly LogLeaf[]): void {
    for (const leaf of leaves) this.#mempool.adopt(leaf);
  }

  /** Notes when each block was first seen, for the block commit latency metric. */
  #noteBlocks(input: ConsensusInput, effects: readonly ConsensusEffect[]): void {
    const note = (block: Block): void => {
      if (block.height <= this.#ledger.appliedHeight || this.#blockSeenAt.size > 1024) return;
      // Keyed by height and view (one proposal per view from an honest leader): hashing the block
      // here would cost a pass over all its leaves.
      const key = `${block.height}/${block.view}`;
      if (!this.#blockSeenAt.has(key)) this.#blockSeenAt.set(key, performance.now());
    };
    if (input.kind === 'message' && input.message.type === 'proposal') note(input.message.block);
    for (const effect of effects) if (effect.kind === 'broadcast' && effect.message.type === 'proposal') note(effect.message.block);
  }

  /**
   * Carries out one step's effects in order. `storeBlock` and `persist` must be durable before any
   * later effect: stored blocks ride in the persist's fsynced batch when one follows, and are
   * fsynced on their own before anything else otherwise. `proposalQueuedAt`: when the proposal
   * whose effects these are was queued, for the vote delay metric (null for any other input).
   */
  async #execute(effects: readonly ConsensusEffect[], proposalQueuedAt: number | null): Promise<void> {
    const blocks: PendingBlockWrite[] = [];
    // Commits are outputs, not promises to peers: applying one (leaf hashes, the Merkle log, the
    // stored record) costs ~0.1 ms a leaf, so it waits until the step's vote or proposal has left.
    // It still runs before a requestPayload (the mempool must forget committed leaves before a
    // block is cut), before a requestSync (which reads the applied height) and before the next step.
    // While one waits, #considerPayload holds back: the state already counts those leaves as
    // committed, the mempool does not yet.
    const commits = this.#deferredCommits;
    const applyCommits = (): void => {
      if (commits.length === 0) return;
      for (const commit of commits.splice(0)) this.#applyCommit(commit.blocks, commit.hashes, commit.certificate);
      if (this.#payloadRequest) this.#considerPayload();
    };
    for (const effect of effects) {
      if (effect.kind === 'commit') {
        commits.push(effect);
        continue;
      }
      if (effect.kind === 'requestPayload' || effect.kind === 'requestSync') applyCommits();
      if (effect.kind === 'storeBlock') {
        blocks.push({ height: effect.block.height, hash: hexOf(effect.hash), bytes: encodeBlockBinary(effect.block) });
        continue;
      }
      if (effect.kind !== 'persist' && blocks.length > 0) await this.#store.writePendingBlocks(blocks.splice(0));
      switch (effect.kind) {
        case 'persist': {
          const started = performance.now();
          await this.#store.writeSafety(safetyRecordToJson(effect.record), blocks.splice(0));
          this.metrics.safetyWriteSeconds.observe((performance.now() - started) / 1000);
          break;
        }
        case 'send':
          this.#links.send(effect.to, encodeConsensus(effect.message));
          // A follower's share of a view: its proposal arrived (queued) → its vote left.
          if (effect.message.type === 'vote' && proposalQueuedAt !== null) this.metrics.voteDelaySeconds.observe((performance.now() - proposalQueuedAt) / 1000);
          break;
        case 'broadcast':
          this.#links.broadcast(encodeConsensus(effect.message));
          // A leader's share: the core asked for a payload (QC or TC formed) → the proposal left.
          if (effect.message.type === 'proposal' && this.#payloadAskedAt !== null) {
            this.metrics.proposeDelaySeconds.observe((performance.now() - this.#payloadAskedAt) / 1000);
            this.#payloadAskedAt = null;
          }
          break;
        case 'setTimer': {
          if (this.#viewTimer) clearTimeout(this.#viewTimer);
          const view = effect.view;
          this.#viewTimer = setTimeout(() => this.#enqueue({ kind: 'timer', view }), effect.delayMs);
          break;
        }
        case 'requestPayload':
          this.#requestPayload(effect.view, effect.parentHash);
          break;
        case 'requestSync':
          this.#requestSync(effect.to, effect.fromHeight, effect.targetHash);
          break;
        case 'report':
          if (effect.code === 'refused_to_sign' || effect.code === 'conflicting_commit' || effect.code === 'equivocation') {
            this.#log.warn({ code: effect.code, from: effect.from }, effect.message);
          } else {
            this.#log.debug({ code: effect.code, from: effect.from }, effect.message);
          }
          break;
      }
    }
    if (blocks.length > 0) await this.#store.writePendingBlocks(blocks);
    applyCommits();
  }

  #applyCommit(blocks: readonly Block[], hashes: readonly Uint8Array[], certificate: Parameters<Ledger['apply']>[2]): void {
    const now = performance.now();
    const committed = this.#ledger.apply(blocks, hashes, certificate);
    this.#mempool.removeCommitted(committed.ids);
    if (this.#submittedAt.size > 0) {
      for (const key of committed.ids) {
        const submitted = this.#submittedAt.get(key);
        if (submitted !== undefined) {
          this.metrics.commitLatency.observe((now - submitted) / 1000);
          this.#submittedAt.delete(key);
        }
      }
    }
    for (const block of blocks) {
      const seen = this.#blockSeenAt.get(`${block.height}/${block.view}`);
      if (seen !== undefined) this.metrics.blockCommitLatency.observe((now - seen) / 1000);
      this.metrics.blockLeaves.observe(block.leaves.length);
    }
    const height = this.#ledger.appliedHeight;
    if (this.#blockSeenAt.size > 1024) this.#blockSeenAt.clear();
    this.metrics.leavesCommitted.inc(committed.ids.length);
    this.metrics.height.set(height);
    this.metrics.treeSize.set(this.#ledger.log.size);
  }

  // ---------------------------------------------------------------------------------------------
  // Proposals: cut a block by size or time.

  #requestPayload(view: number, parentHash: Uint8Array): void {
    if (this.#payloadRequest?.timer) clearTimeout(this.#payloadRequest.timer);
    const now = performance.now();
    this.#payloadAskedAt = now;
    this.#payloadRequest = { view, parentHash, requestedAt: now, timer: null };
    this.#considerPayload();
  }

  /**
   * Answers the core's requestPayload when: a full block is waiting; or the chain being extended
   * holds uncommitted leaves (they commit only once this block is certified, so waiting only adds
   * latency); or some leaves wait and blockTimeMs passed; or idleBlockMs passed with nothing.
   */
  #considerPayload(): void {
    const request = this.#payloadRequest;
    if (!request || this.#stopping || this.#deferredCommits.length > 0) return;
    if (request.timer) {
      clearTimeout(request.timer);
      request.timer = null;
    }
    if (this.#state.view !== request.view) {
      this.#payloadRequest = null;
      return;
    }
    const inChain = uncommittedLeaves(this.#state, request.parentHash);
    const exclude = new Set(inChain.map((leaf) => leafIdKey(leaf.id)));
    const selected = this.#mempool.select(this.#options.maxBlockLeaves, exclude);
    const waited = performance.now() - request.requestedAt;
    let wait: number;
    if (selected.length >= this.#options.maxBlockLeaves || inChain.length > 0) wait = 0;
    else if (selected.length > 0) wait = this.#options.blockTimeMs - waited;
    else wait = this.#options.idleBlockMs - waited;
    if (wait > 0) {
      request.timer = setTimeout(() => this.#considerPayload(), wait);
      return;
    }
    this.#payloadRequest = null;
    // The pooled objects themselves: verified and hashed at admission (VerifiedLeaves, leafHashOf).
    this.#enqueue({ kind: 'payload', view: request.view, leaves: selected });
  }

  // ---------------------------------------------------------------------------------------------
  // Sync: fetch missing blocks from a peer's RPC, outside the loop; one request at a time.

  #requestSync(to: number, fromHeight: number, targetHash: Uint8Array): void {
    this.metrics.syncRequests.inc({ outcome: this.#syncInFlight ? 'queued' : 'started' });
    if (this.#syncInFlight) {
      this.#syncQueued = { to, fromHeight, targetHash };
      return;
    }
    this.#syncInFlight = true;
    void this.#runSync(to, fromHeight, targetHash).finally(() => {
      this.#syncInFlight = false;
      const next = this.#syncQueued;
      this.#syncQueued = null;
      if (next && !this.#stopping) this.#requestSync(next.to, next.fromHeight, next.targetHash);
    });
  }

  async #runSync(to: number, fromHeight: number, targetHash: Uint8Array): Promise<void> {
    const peer = this.genesis.validators[to];
    if (!peer) return;
    // Far behind: adopt committed blocks by their certificates first (cheap, bounded pages).
    const heights = await queryPeerHeights({ genesis: this.genesis, self: this.index }, 1500);
    const best = Math.max(0, ...heights.map((entry) => entry.height));
    if (best - this.#ledger.appliedHeight > BULK_CATCH_UP_LAG) {
      await this.#catchUpWhileRunning();
      return;
    }
    const target = bytesToHex(targetHash);
    let from = Math.max(fromHeight, this.#ledger.appliedHeight + 1);
    for (let page = 0; page < 16 && !this.#stopping; page++) {
      let json: unknown;
      try {
        json = await fetchPeerJson(`${peerBaseUrl(peer)}/sync?from=${from}&target=${target}`, { timeoutMs: 3000, maxBytes: SYNC_ANSWER_MAX_BYTES * 2 });
      } catch (error) {
        this.#log.debug({ peer: to, err: (error as Error).message }, 'sync request failed');
        return;
      }
      const decoded = decodeSyncResponse(json);
      if (!decoded.ok) {
        this.#log.warn({ peer: to, err: decoded.error.message }, 'peer sent a malformed sync answer');
        return;
      }
      const { blocks, commitQC } = decoded.value;
      this.#enqueue({ kind: 'sync', from: to, blocks: blocks.slice(0, this.#options.maxSyncBlocks), commitQC });
      const last = blocks[blocks.length - 1];
      if (!last || bytesToHex(blockHash(last, this.#identity.chainId, this.#identity.setHash)) === target) return;
      from = last.height + 1;
    }
  }

  /**
   * Leaves the loop to adopt committed blocks in bulk (certificates, not re-execution), then
   * restarts the core from the store and the current safety record — exactly what a process
   * restart does, without losing the record's in-memory newest state.
   */
  async #catchUpWhileRunning(): Promise<void> {
    if (this.#catchingUp) return;
    this.#catchingUp = true;
    this.#paused = true;
    try {
      await this.#loopIdle;
      await this.#ledger.flush();
      const adopted = await this.#bulkCatchUp();
      if (adopted === 0 || this.#stopping) return;
      // The record as it stands in memory is what was last persisted, or newer (a higher lock).
      const restore = await this.#restoreFrom(canSign(this.#state) ? safetyRecordOf(this.#state) : null);
      this.#state = createConsensusState(this.#state.config);
      this.#inputs.length = 0;
      this.#payloadRequest = null;
      this.#paused = false;
      this.#enqueue({ kind: 'start', restore });
      this.#log.info({ height: this.#ledger.height }, 'rejoined consensus after bulk catch-up');
    } finally {
      this.#catchingUp = false;
      if (this.#paused) {
        // Nothing adopted: resume the loop where it was.
        this.#paused = false;
      }
    }
  }

  /** A peer's /sync: committed blocks from the store, then uncommitted ones from the core's state. */
  async #answerSync(from: number, targetHex: string): Promise<object | null> {
    const target = hexToBytes(targetHex);
    const committedTarget = await this.#store.heightOfHash(targetHex);
    const inMemory = collectSyncBlocks(this.#state, 0, target, 1).length > 0;
    if (committedTarget === null && !inMemory) return null;
    const max = this.#options.maxSyncBlocks;
    const blocks: Block[] = [];
    let bytes = 0;
    const committedEnd = Math.min(committedTarget ?? this.#ledger.height, this.#ledger.height);
    if (from <= committedEnd) {
      for (const text of await this.#ledger.readBlocks(from, Math.min(max, committedEnd - from + 1))) {
        bytes += text.length;
        const record = JSON.parse(text) as { block: unknown };
        const decoded = decodeBlock(record.block);
        if (!decoded.ok) break;
        blocks.push(decoded.value);
        if (bytes > SYNC_ANSWER_MAX_BYTES) break;
      }
    }
    if (committedTarget === null && blocks.length < max && bytes <= SYNC_ANSWER_MAX_BYTES) {
      const start = Math.max(from, this.#ledger.height + 1);
      for (const block of collectSyncBlocks(this.#state, start, target, max - blocks.length)) {
        blocks.push(block);
        bytes += 300 * block.leaves.length;
        if (bytes > SYNC_ANSWER_MAX_BYTES) break;
      }
    }
    const head = this.#ledger.head;
    return syncResponseToJson({ blocks, commitQC: head ? head.certificate : null });
  }

  // ---------------------------------------------------------------------------------------------
  // Peer messages and mempool gossip.

  #onPeerMessage(from: number, payload: Uint8Array): void {
    if (!this.#started || this.#stopping) return;
    const channel = payload[0];
    if (channel === CHANNEL_CONSENSUS) {
      let json: unknown;
      try {
        json = JSON.parse(utf8Decode(payload.subarray(1)));
      } catch {
        this.metrics.linkDrops.inc({ reason: 'malformed' });
        return;
      }
      const decoded = decodeConsensusMessage(json);
      if (!decoded.ok) {
        this.metrics.linkDrops.inc({ reason: 'malformed' });
        this.#log.debug({ peer: from, err: decoded.error.message }, 'dropped a malformed consensus message');
        return;
      }
      this.#enqueue({ kind: 'message', from, message: decoded.value });
      return;
    }
    if (channel === CHANNEL_PROPOSAL) {
      const message = decodeProposalBinary(payload.subarray(1), this.#internLeaf);
      if (!message) {
        this.metrics.linkDrops.inc({ reason: 'malformed' });
        this.#log.debug({ peer: from }, 'dropped a malformed proposal');
        return;
      }
      this.#enqueue({ kind: 'message', from, message });
      return;
    }
    if (channel === CHANNEL_LEAVES) {
      const body = payload.subarray(1);
      if (body.length % LEAF_BYTES !== 0 || body.length / LEAF_BYTES > GOSSIP_MAX) {
        this.metrics.linkDrops.inc({ reason: 'malformed' });
        return;
      }
      const leaves: Leaf[] = [];
      for (let offset = 0; offset < body.length; offset += LEAF_BYTES) {
        leaves.push({ pub: body.slice(offset, offset + 32), id: body.slice(offset + 32, offset + 64), sig: body.slice(offset + 64, offset + 128) });
      }
      this.#admitQueue.push({ from, leaves });
      if (this.#admitQueue.length > 256) this.#admitQueue.shift();
      if (!this.#admitting) void this.#admitGossip();
      return;
    }
    this.metrics.linkDrops.inc({ reason: 'malformed' });
  }

  /** A proposal's leaf record → the pooled leaf with the same bytes (already verified and hashed). */
  readonly #internLeaf = (record: Uint8Array): LogLeaf | undefined => {
    const pooled = this.#mempool.get(leafIdKey(record.subarray(32, 64)));
    if (pooled === undefined || !bytesEqual(pooled.publicKey, record.subarray(0, 32)) || !bytesEqual(pooled.sig, record.subarray(64, LEAF_RECORD_BYTES))) return undefined;
    return pooled;
  };

  /** Checks gossiped leaves in slices so consensus messages are not stuck behind thousands of verifies. */
  async #admitGossip(): Promise<void> {
    this.#admitting = true;
    try {
      while (this.#admitQueue.length > 0 && !this.#stopping) {
        const batch = this.#admitQueue.shift() as { from: number; leaves: Leaf[] };
        for (let i = 0; i < batch.leaves.length; i += ADMIT_SLICE) {
          let admitted = false;
          for (const leaf of batch.leaves.slice(i, i + ADMIT_SLICE)) {
            if (this.#mempool.add(leaf).result === 'accepted') admitted = true;
          }
          if (admitted && this.#payloadRequest) this.#considerPayload();
          await new Promise((resolve) => setImmediate(resolve));
        }
      }
    } finally {
      this.#admitting = false;
    }
  }

  #gossip(leaves: readonly LogLeaf[]): void {
    this.#gossipQueue.push(...leaves);
    if (this.#gossipQueue.length >= GOSSIP_MAX) this.#flushGossip();
    else this.#gossipTimer ??= setTimeout(() => this.#flushGossip(), GOSSIP_FLUSH_MS);
  }

  #flushGossip(): void {
    if (this.#gossipTimer) clearTimeout(this.#gossipTimer);
    this.#gossipTimer = null;
    while (this.#gossipQueue.length > 0) {
      const chunk = this.#gossipQueue.splice(0, GOSSIP_MAX);
      const message = new Uint8Array(1 + chunk.length * LEAF_BYTES);
      message[0] = CHANNEL_LEAVES;
      chunk.forEach((leaf, i) => {
        const offset = 1 + i * LEAF_BYTES;
        message.set(leaf.publicKey, offset);
        message.set(leaf.id, offset + 32);
        message.set(leaf.sig, offset + 64);
      });
      this.#links.broadcast(message);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // RPC.

  async #submitLeaves(leaves: readonly Leaf[]): Promise<(LeafSubmitResult | LeafSubmitFailure)[]> {
    if (!this.#started) throw new RpcError('not_ready', this.#catchingUp ? 'catching up with peers' : 'starting');
    // One proof id is in the log at most once, whatever signature comes with it (see mempool.ts).
    // The ledger's in-memory index says whether, and where, an id is in the applied log.
    const indexes = leaves.map((leaf) => this.#ledger.indexOfProofId(leaf.id) ?? null);
    const accepted: LogLeaf[] = [];
    const now = performance.now();
    const results: (LeafSubmitResult | LeafSubmitFailure)[] = [];
    // Verify in slices (each admission checks a signature) so consensus inputs interleave; each
    // slice's accepted leaves are gossiped at once, so the peers check them while this validator
    // checks the next slice instead of after the whole batch (a leader proposes only leaves it has
    // pooled, and a follower must check every leaf it has not pooled inside the proposal's step).
    let gossiped = 0;
    const gossipAccepted = (): void => {
      if (accepted.length === gossiped) return;
      this.#gossip(accepted.slice(gossiped));
      gossiped = accepted.length;
      if (this.#payloadRequest) this.#considerPayload();
    };
    for (let i = 0; i < leaves.length; i++) {
      if (i > 0 && i % ADMIT_SLICE === 0) {
        gossipAccepted();
        await new Promise((resolve) => setImmediate(resolve));
        if (this.#stopping) throw new RpcError('not_ready', 'stopping');
      }
      results.push(this.#admitSubmitted(leaves[i] as Leaf, indexes[i] ?? null, now, accepted));
    }
    gossipAccepted();
    this.metrics.mempoolSize.set(this.#mempool.size);
    return results;
  }

  #admitSubmitted(input: Leaf, index: number | null, now: number, accepted: LogLeaf[]): LeafSubmitResult | LeafSubmitFailure {
    const { result, leaf, key } = this.#mempool.add(input);
    // The hash of the leaf as submitted (a duplicate id may be pooled with another signature).
    const hash = hexOf(leafHashOf(result === 'duplicate' ? { publicKey: input.pub, id: input.id, sig: input.sig } : leaf, nodeHasher));
    if (result === 'committed' && index !== null) return { leaf_hash: hash, status: 'committed', index };
    switch (result) {
      case 'accepted':
        accepted.push(leaf);
        if (this.#submittedAt.size < 200_000) this.#submittedAt.set(key, now);
        return { leaf_hash: hash, status: 'accepted' };
      case 'duplicate':
        return { leaf_hash: hash, status: 'duplicate' };
      case 'committed':
        return { leaf_hash: hash, status: 'committed' };
      case 'bad_signature':
        return { leaf_hash: hash, error: { code: 'invalid_signature', message: 'the signature does not verify for this key and id' } };
      case 'mempool_full':
        return { leaf_hash: hash, error: { code: 'mempool_full', message: 'the mempool is full; retry later' } };
    }
  }

  #status(): object {
    const head = this.#ledger.head;
    const peers = this.#links.status();
    const state = this.#state;
    return {
      chain_id: this.genesis.chainId,
      genesis_hash: this.genesis.hash,
      validator: this.index,
      public_key: bytesToHex(this.#options.key.publicKey),
      height: this.#ledger.height,
      view: state.view,
      leader: leaderOf(state.view, this.genesis.validators.length),
      tree_size: head?.treeSize ?? 0,
      root: bytesToHex(head?.root ?? this.#ledger.log.root()),
      block_hash: head?.hashHex ?? null,
      peers: this.#links.connectedCount(),
      peer_links: peers,
      mempool: this.#mempool.size,
      joined: this.#started,
      can_sign: this.#started && canSign(state),
      safety_record: this.#safetyStatus,
      catching_up: this.#catchingUp,
    };
  }

  #head(): object | null {
    const head = this.#ledger.head;
    if (!head) return null;
    const record = JSON.parse(head.json) as { header: unknown };
    return {
      chain_id: this.genesis.chainId,
      genesis_hash: this.genesis.hash,
      height: head.height,
      block_hash: head.hashHex,
      tree_size: head.treeSize,
      root: bytesToHex(head.root),
      header: record.header,
      certificate: quorumCertToJson(head.certificate),
    };
  }

  /** Answered from memory (the ledger's log and indexes); throws RpcError. */
  #inclusionProof(target: InclusionTarget): object {
    const headSize = this.#ledger.head?.treeSize ?? 0;
    const size = target.size ?? headSize;
    if (size > headSize) throw new RpcError('bad_size', `size ${size} is beyond the certified tree size ${headSize}`);
    let index: number | null;
    if (target.index !== undefined) index = target.index;
    else if (target.leaf !== undefined) index = this.#ledger.indexOfLeafHash(hexToBytes(target.leaf)) ?? null;
    else index = this.#ledger.indexOfProofId(hexToBytes(target.id as string)) ?? null;
    if (index === null) throw new RpcError('leaf_not_found', 'no committed leaf with that hash or id');
    if (index >= size) throw new RpcError('index_out_of_range', `leaf ${index} is not in the tree of size ${size}`);
    const proof = this.#ledger.log.inclusionProof(index, size);
    const root = this.#ledger.log.rootAt(size);
    if (!proof.ok || !root.ok) throw new RpcError('bad_size', proof.ok ? 'bad size' : proof.error.message);
    return { leaf_index: index, leaf_hash: bytesToHex(this.#ledger.log.leafHashAt(index) as Uint8Array), proof: inclusionProofToJson(proof.value, root.value) };
  }

  #consistencyProof(from: number, to: number | undefined): object {
    const headSize = this.#ledger.head?.treeSize ?? 0;
    const end = to ?? headSize;
    if (end > headSize) throw new RpcError('bad_size', `to ${end} is beyond the certified tree size ${headSize}`);
    const proof = this.#ledger.log.consistencyProof(from, end);
    if (!proof.ok) throw new RpcError('bad_size', proof.error.message);
    const fromRoot = this.#ledger.log.rootAt(from);
    const toRoot = this.#ledger.log.rootAt(end);
    return {
      proof: consistencyProofToJson(proof.value),
      from_root: fromRoot.ok ? bytesToHex(fromRoot.value) : null,
      to_root: toRoot.ok ? bytesToHex(toRoot.value) : null,
    };
  }

  #rpcBackend(): RpcBackend {
    return {
      status: () => this.#status(),
      head: () => this.#head(),
      readBlock: (height) => this.#ledger.readBlock(height),
      readBlocks: (from, limit) => this.#ledger.readBlocks(from, limit),
      readSync: (from, target) => (this.#started ? this.#answerSync(from, target) : Promise.resolve(null)),
      inclusionProof: (target) => Promise.resolve().then(() => this.#inclusionProof(target)),
      consistencyProof: (from, to) => this.#consistencyProof(from, to),
      submitLeaves: (leaves) => this.#submitLeaves(leaves),
      committedHeight: () => this.#ledger.height,
      onCommit: (listener) => this.#ledger.onCommit(listener),
      registry: this.metrics.registry,
      countRequest: (route, status) => this.metrics.rpcRequests.inc({ route, status: String(status) }),
    };
  }

  #refreshGauges(): void {
    if (!this.#mempool || !this.#links || !this.#state) return;
    this.metrics.view.set(this.#state.view);
    this.metrics.mempoolSize.set(this.#mempool.size);
    this.metrics.peersConnected.set(this.#links.connectedCount());
    this.metrics.height.set(this.#ledger.height);
    this.metrics.treeSize.set(this.#ledger.head?.treeSize ?? 0);
  }
}

/** The label of a loop input in the consensus timing metrics. */
function inputKind(input: ConsensusInput): 'proposal' | 'vote' | 'timeout' | 'payload' | 'other' {
  if (input.kind === 'payload') return 'payload';
  if (input.kind !== 'message') return 'other';
  const type = input.message.type;
  return type === 'proposal' || type === 'vote' || type === 'timeout' ? type : 'other';
}

function encodeConsensus(message: ConsensusMessage): Uint8Array {
  if (message.type === 'proposal') return encodeProposalBinary(message, [CHANNEL_PROPOSAL]);
  const json = utf8Encode(JSON.stringify(consensusMessageToJson(message)));
  const out = new Uint8Array(1 + json.length);
  out[0] = CHANNEL_CONSENSUS;
  out.set(json, 1);
  return out;
}


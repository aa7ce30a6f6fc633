// Deterministic simulation of a validator set running the consensus core. One seed fixes the
// scenario (scenario.ts), the network's every drop, delay and duplicate, each crash and how it
// tears the disk, and the faulty validators' choices; the run is a loop over a priority queue of
// events in virtual time, and the invariants are checked after every step. A failing seed replays
// exactly with the command printed beside it.
//
// The harness plays the worker: it carries out effects in order (persist before any later send),
// keeps a "disk" per instance (the safety record and committed blocks), answers sync requests from
// that disk and the peer's in-memory tree, and restarts crashed instances from the disk only.
import { bytesEqual, bytesToHex, utf8Encode } from '../../bytes';
import { verifyCommitCertificate } from '../certificates';
import {
  collectSyncBlocks,
  createConsensusState,
  findKnownBlock,
  leaderOf,
  safetyRecordOf,
  step,
  type ConsensusState,
} from '../core';
import { blockHash, blockHeader, hashBytes, validatorSetHash, voteMessage, timeoutMessage, ZERO_HASH } from '../encoding';
import { createMerklePayloadRules } from '../payload';
import type {
  Block,
  CommittedHead,
  ConsensusConfig,
  ConsensusEffect,
  ConsensusInput,
  ConsensusMessage,
  Hash,
  LogLeaf,
  PayloadContext,
  PayloadRules,
  QuorumCert,
  SafetyRecord,
  TimeoutCert,
  TimeoutVote,
  Vote,
} from '../types';
import { consensusMessageToJson, decodeConsensusMessage, decodeSyncResponse, syncResponseToJson } from '../wire';
import { createKeyRing, type SimCrypto, type SimKeyRing } from './keys';
import { createRandom, type Random } from './random';
import { generateScenario, type CrashMode, type Partition, type Role, type Scenario, type ScenarioKind } from './scenario';

/** A safety rule switched off in every instance, to show the harness catches its absence. */
export type Mutation = 'consecutive-view' | 'vote-persistence';

export const VIOLATION_KINDS = [
  'fork',
  'broken-chain',
  'double-vote',
  'vote-after-timeout',
  'signature-regressed',
  'last-voted-view-regressed',
  'commit-height-regressed',
  'bad-commit-certificate',
  'invalid-committed-payload',
  'wire-roundtrip',
  'internal-error',
  'no-liveness',
] as const;

export type ViolationKind = (typeof VIOLATION_KINDS)[number];

/** Violations that mean two honest validators could disagree on the chain. */
export const SAFETY_VIOLATIONS: readonly ViolationKind[] = ['fork', 'broken-chain', 'double-vote', 'vote-after-timeout', 'signature-regressed'];

export interface Violation {
  readonly kind: ViolationKind;
  readonly message: string;
  readonly step: number;
  readonly time: number;
}

export interface SimOptions {
  readonly seed: number;
  /** Defaults to the seed's own kind. */
  readonly kind?: ScenarioKind;
  /** A hand-written scenario instead of the generated one (the seed still drives the network). */
  readonly scenario?: Scenario;
  readonly crypto?: SimCrypto;
  readonly mutation?: Mutation | null;
  /** Hard cap on steps; reaching it before the healed network commits is a liveness violation. */
  readonly maxSteps?: number;
  /** After healing, every honest validator must commit before any honest view passes heal view + this. */
  readonly livenessViews?: number;
  /** End the run at the first violation of one of these kinds (default: any kind). */
  readonly stopOn?: readonly ViolationKind[];
  /** Keep the last this-many events as text for a failure report (0: none, faster). */
  readonly traceSize?: number;
}

export interface SimResult {
  readonly seed: number;
  readonly kind: ScenarioKind;
  readonly mutation: Mutation | null;
  readonly crypto: SimCrypto;
  readonly ok: boolean;
  readonly violation: Violation | null;
  /** Violations seen but not in stopOn. */
  readonly ignored: readonly Violation[];
  readonly steps: number;
  readonly virtualMs: number;
  readonly maxCommitHeight: number;
  readonly maxView: number;
  /** Views from healing until every honest validator had committed again (null if never). */
  readonly viewsToRecover: number | null;
  readonly trace: readonly string[];
  readonly replay: string;
}

export const DEFAULT_LIVENESS_VIEWS = 20;
export const DEFAULT_MAX_STEPS = 60_000;

/** The one-line command that replays a seed exactly. */
export function replayCommand(
  seed: number,
  options: { kind?: ScenarioKind; mutation?: Mutation | null; crypto?: SimCrypto; stopOn?: readonly ViolationKind[] } = {},
): string {
  let command = `npm run test:sim:soak -- --from ${seed} --seeds 1`;
  if (options.kind !== undefined) command += ` --kind ${options.kind}`;
  if (options.mutation) command += ` --mutation ${options.mutation}`;
  if (options.crypto !== undefined && options.crypto !== 'hash') command += ` --crypto ${options.crypto}`;
  if (options.stopOn !== undefined) command += ` --stop-on ${options.stopOn.join(',')}`;
  return `${command} --verbose`;
}

// ---------------------------------------------------------------------------------------------

interface Disk {
  record: SafetyRecord | null;
  damaged: boolean;
  /** Committed blocks by height (index 0 = genesis placeholder, never served). */
  readonly blocks: Block[];
  /** Blocks stored before voting, above the committed head. */
  readonly uncommitted: Map<string, Block>;
  head: CommittedHead | null;
}

interface Instance {
  readonly id: number;
  readonly index: number;
  readonly role: Role;
  readonly config: ConsensusConfig;
  state: ConsensusState | null;
  incarnation: number;
  timerToken: number;
  pendingCrash: CrashMode | null;
  readonly disk: Disk;
  // What the invariants remember about this instance.
  maxLastVotedView: number;
  commitHeight: number;
  readonly committedHashes: string[];
  seenVote: Vote | null;
  seenTimeout: TimeoutVote | null;
}

type Event =
  | { readonly kind: 'deliver'; readonly to: number; readonly from: number; readonly message: ConsensusMessage }
  | { readonly kind: 'sync-request'; readonly to: number; readonly requester: number; readonly incarnation: number; readonly fromHeight: number; readonly targetHash: Hash }
  | { readonly kind: 'sync-response'; readonly to: number; readonly incarnation: number; readonly from: number; readonly blocks: readonly Block[]; readonly commitQC: QuorumCert | null }
  | { readonly kind: 'timer'; readonly to: number; readonly incarnation: number; readonly token: number; readonly view: number }
  | { readonly kind: 'payload'; readonly to: number; readonly incarnation: number; readonly view: number }
  | { readonly kind: 'crash'; readonly to: number; readonly mode: CrashMode }
  | { readonly kind: 'restart'; readonly to: number };

interface Queued {
  readonly time: number;
  readonly seq: number;
  readonly event: Event;
}

/** Binary min-heap on (time, seq): equal times pop in scheduling order, so runs are deterministic. */
class EventQueue {
  private readonly heap: Queued[] = [];
  private seq = 0;

  get size(): number {
    return this.heap.length;
  }

  push(time: number, event: Event): void {
    const heap = this.heap;
    heap.push({ time, seq: this.seq++, event });
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i] as Queued, heap[parent] as Queued)) break;
      [heap[i], heap[parent]] = [heap[parent] as Queued, heap[i] as Queued];
      i = parent;
    }
  }

  pop(): Queued | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (top === undefined || last === undefined || heap.length === 0) return top;
    heap[0] = last;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let least = i;
      if (left < heap.length && before(heap[left] as Queued, heap[least] as Queued)) least = left;
      if (right < heap.length && before(heap[right] as Queued, heap[least] as Queued)) least = right;
      if (least === i) break;
      [heap[i], heap[least]] = [heap[least] as Queued, heap[i] as Queued];
      i = least;
    }
    return top;
  }
}

function before(a: Queued, b: Queued): boolean {
  return a.time < b.time || (a.time === b.time && a.seq < b.seq);
}

class StopRun extends Error {}

export function runSimulation(options: SimOptions): SimResult {
  return new Simulation(options).run();
}

class Simulation {
  private readonly scenario: Scenario;
  private readonly crypto: SimCrypto;
  private readonly mutation: Mutation | null;
  private readonly keys: SimKeyRing;
  private readonly rules: PayloadRules;
  /** Builds tree heads over leaves with bad signatures, for the bad-payload leader. */
  private readonly permissiveRules: PayloadRules;
  private readonly chainId: Uint8Array;
  private readonly setHash: Hash;
  private readonly validators: Uint8Array[];
  private readonly instances: Instance[] = [];
  private readonly byIndex: Instance[][] = [];
  private readonly queue = new EventQueue();
  private readonly network: Random;
  private readonly faults: Random;
  private readonly crashDraws: Random;
  private readonly maxSteps: number;
  private readonly livenessViews: number;
  private readonly stopOn: ReadonlySet<ViolationKind> | null;
  private readonly traceSize: number;
  private readonly trace: string[] = [];
  private readonly ignored: Violation[] = [];
  private violation: Violation | null = null;
  private now = 0;
  private steps = 0;
  private leafCounter = 0;
  // Global invariant state.
  private readonly committedByHeight: string[] = [];
  private committedContext: PayloadContext;
  private readonly signedVotes = new Map<number, Map<number, string>>();
  private readonly signedTimeouts = new Map<number, Map<number, string>>();
  private readonly maxVoteView = new Map<number, number>();
  private readonly maxTimeoutView = new Map<number, number>();
  private healed: { view: number; heights: Map<number, number> } | null = null;
  private viewsToRecover: number | null = null;
  private readonly replay: string;
  /** Invariant checks done once per distinct object or certificate (they are pure). */
  private readonly hashOfBlock = new WeakMap<Block, string>();
  private readonly certifiedCommits = new Set<string>();
  private done = false;

  constructor(options: SimOptions) {
    this.scenario = options.scenario ?? generateScenario(options.seed, options.kind);
    this.crypto = options.crypto ?? 'hash';
    this.mutation = options.mutation ?? null;
    this.maxSteps = options.maxSteps ?? DEFAULT_MAX_STEPS;
    this.livenessViews = options.livenessViews ?? DEFAULT_LIVENESS_VIEWS;
    this.stopOn = options.stopOn === undefined ? null : new Set(options.stopOn);
    this.traceSize = options.traceSize ?? 0;
    this.replay =
      options.scenario !== undefined
        ? `a hand-written scenario (${options.scenario.kind}); rerun its test`
        : replayCommand(options.seed, {
            ...(options.kind !== undefined ? { kind: options.kind } : {}),
            ...(options.stopOn !== undefined ? { stopOn: options.stopOn } : {}),
            mutation: this.mutation,
            crypto: this.crypto,
          });
    const root = createRandom(options.seed);
    this.network = root.fork(1);
    this.faults = root.fork(2);
    this.crashDraws = root.fork(3);
    this.keys = createKeyRing(this.crypto, options.seed);
    this.rules = createMerklePayloadRules({ verifier: this.keys.verifier, maxLeavesPerBlock: 64 });
    this.permissiveRules = createMerklePayloadRules({ verifier: { name: 'accept-all', verify: () => true }, maxLeavesPerBlock: 64 });
    this.chainId = hashBytes(utf8Encode(`proofhub/sim/chain/${options.seed}`));
    const n = this.scenario.n;
    this.validators = Array.from({ length: n }, (_, i) => this.keys.publicKey(i));
    this.setHash = validatorSetHash(this.validators);
    this.committedContext = this.rules.genesis().context;
    for (let index = 0; index < n; index++) this.byIndex.push([]);
    this.scenario.instances.forEach((spec, id) => {
      const config: ConsensusConfig = {
        chainId: this.chainId,
        validators: this.validators,
        self: spec.index,
        sign: (message) => this.keys.sign(spec.index, message),
        verifier: this.keys.verifier,
        payload: this.rules,
        pacemaker: { baseTimeoutMs: this.scenario.baseTimeoutMs, maxBackoffExponent: this.scenario.maxBackoffExponent },
        maxLeavesPerBlock: 64,
        maxSyncBlocks: 32,
        unsafe: {
          skipConsecutiveViewCheck: this.mutation === 'consecutive-view',
          skipVotePersistence: this.mutation === 'vote-persistence',
        },
      };
      const instance: Instance = {
        id,
        index: spec.index,
        role: spec.role,
        config,
        state: null,
        incarnation: 0,
        timerToken: 0,
        pendingCrash: null,
        disk: { record: null, damaged: false, blocks: [], uncommitted: new Map(), head: null },
        maxLastVotedView: 0,
        commitHeight: 0,
        committedHashes: [],
        seenVote: null,
        seenTimeout: null,
      };
      this.instances.push(instance);
      this.byIndex[spec.index]?.push(instance);
    });
    for (const crash of this.scenario.crashes) {
      this.queue.push(crash.at, { kind: 'crash', to: crash.instance, mode: crash.mode });
      this.queue.push(crash.restartAt, { kind: 'restart', to: crash.instance });
    }
  }

  run(): SimResult {
    try {
      for (const instance of this.instances) {
        const fresh = createConsensusState(instance.config);
        instance.committedHashes.push(bytesToHex(fresh.committed.hash));
        if (this.committedByHeight.length === 0) this.committedByHeight.push(bytesToHex(fresh.committed.hash));
        instance.disk.record = safetyRecordOf(fresh); // the worker writes the genesis record at first start
        instance.state = fresh;
        this.stepInstance(instance, { kind: 'start' });
      }
      while (!this.done) {
        const next = this.queue.pop();
        if (next === undefined) {
          this.flag('no-liveness', 'the event queue ran dry');
          break;
        }
        this.now = next.time;
        this.handle(next.event);
        this.checkLiveness();
        if (this.steps >= this.maxSteps && !this.done) {
          this.flag('no-liveness', `step budget of ${this.maxSteps} spent before every honest validator committed after healing`);
          break;
        }
      }
    } catch (error) {
      if (!(error instanceof StopRun)) throw error;
    }
    let maxCommitHeight = 0;
    let maxView = 0;
    for (const instance of this.instances) {
      maxCommitHeight = Math.max(maxCommitHeight, instance.commitHeight);
      maxView = Math.max(maxView, instance.state?.view ?? 0);
    }
    const kind = this.scenario.kind;
    return {
      seed: this.scenario.seed,
      kind,
      mutation: this.mutation,
      crypto: this.crypto,
      ok: this.violation === null,
      violation: this.violation,
      ignored: this.ignored,
      steps: this.steps,
      virtualMs: this.now,
      maxCommitHeight,
      maxView,
      viewsToRecover: this.viewsToRecover,
      trace: this.trace,
      replay: this.replay,
    };
  }

  // ---- events ----

  private handle(event: Event): void {
    const target = this.instances[event.to] as Instance;
    switch (event.kind) {
      case 'deliver': {
        if (target.state === null) return;
        let message = event.message;
        if (this.scenario.wire) message = this.roundTrip(message);
        this.note(() => `#${target.id} <- ${describeMessage(message)} from v${event.from}`);
        this.stepInstance(target, { kind: 'message', from: event.from, message });
        if (target.role === 'double-voter' && message.type === 'proposal') this.doubleVote(target, message.block);
        return;
      }
      case 'sync-request':
        this.answerSync(target, event);
        return;
      case 'sync-response': {
        if (target.state === null || target.incarnation !== event.incarnation) return;
        let { blocks, commitQC } = event;
        if (this.scenario.wire) {
          const decoded = decodeSyncResponse(JSON.parse(JSON.stringify(syncResponseToJson({ blocks, commitQC }))));
          if (!decoded.ok) this.flag('wire-roundtrip', decoded.error.message);
          else ({ blocks, commitQC } = decoded.value);
        }
        this.note(() => `#${target.id} <- sync ${blocks.length} blocks from v${event.from}`);
        this.stepInstance(target, { kind: 'sync', from: event.from, blocks, commitQC });
        return;
      }
      case 'timer':
        if (target.state === null || target.incarnation !== event.incarnation || target.timerToken !== event.token) return;
        this.note(() => `#${target.id} timer v${event.view}`);
        this.stepInstance(target, { kind: 'timer', view: event.view });
        return;
      case 'payload':
        if (target.state === null || target.incarnation !== event.incarnation) return;
        this.stepInstance(target, { kind: 'payload', view: event.view, leaves: this.freshLeaves(this.faults.int(4)) });
        return;
      case 'crash':
        if (target.state === null) return;
        if (event.mode === 'clean') this.crash(target);
        else target.pendingCrash = event.mode;
        return;
      case 'restart':
        if (target.state !== null) {
          if (target.pendingCrash === 'damage') target.disk.damaged = true;
          this.crash(target);
        }
        this.restart(target);
        return;
    }
  }

  private stepInstance(instance: Instance, input: ConsensusInput): void {
    const state = instance.state;
    if (state === null) return;
    this.steps++;
    const result = step(state, input);
    instance.state = result.state;
    this.carryOut(instance, result.effects);
    this.checkInstance(instance);
  }

  /** The worker's job: effects in order; a pending crash stops it part-way. */
  private carryOut(instance: Instance, effects: readonly ConsensusEffect[]): void {
    let crashAt = -1;
    const mode = instance.pendingCrash;
    if (mode !== null) {
      const writes = effects.flatMap((effect, i) => (effect.kind === 'persist' ? [i] : []));
      if (mode === 'damage' || mode === 'torn') {
        if (writes.length > 0) crashAt = this.crashDraws.pick(writes);
        else if (mode === 'torn') crashAt = this.crashDraws.int(effects.length + 1);
      } else {
        crashAt = this.crashDraws.int(effects.length + 1);
      }
    }
    for (let i = 0; i < effects.length; i++) {
      const effect = effects[i] as ConsensusEffect;
      if (i === crashAt) {
        // The write in progress is lost (torn: the previous record survives a write-then-rename)
        // or leaves garbage (damage); nothing after it happened.
        if (mode === 'damage' && effect.kind === 'persist') instance.disk.damaged = true;
        this.note(() => `#${instance.id} crashes mid-step (${mode}) before ${effect.kind}`);
        this.crash(instance);
        return;
      }
      this.apply(instance, effect);
    }
    if (crashAt === effects.length) {
      this.crash(instance);
    }
  }

  private apply(instance: Instance, effect: ConsensusEffect): void {
    switch (effect.kind) {
      case 'persist':
        instance.disk.record = effect.record;
        instance.disk.damaged = false;
        return;
      case 'storeBlock':
        instance.disk.uncommitted.set(bytesToHex(effect.hash), effect.block);
        return;
      case 'send':
        this.sendTo(instance, effect.to, effect.message);
        return;
      case 'broadcast':
        if (effect.message.type === 'proposal' && instance.role === 'equivocator') this.equivocate(instance, effect.message.block, effect.message.tc);
        else if (effect.message.type === 'proposal' && instance.role === 'bad-payload' && this.faults.chance(0.7)) this.corruptProposal(instance, effect.message.block, effect.message.tc);
        else for (let index = 0; index < this.scenario.n; index++) if (index !== instance.index) this.sendTo(instance, index, effect.message);
        return;
      case 'commit':
        this.onCommit(instance, effect);
        return;
      case 'setTimer': {
        instance.timerToken++;
        this.queue.push(this.now + effect.delayMs, { kind: 'timer', to: instance.id, incarnation: instance.incarnation, token: instance.timerToken, view: effect.view });
        return;
      }
      case 'requestPayload':
        this.queue.push(this.now + this.faults.int(11), { kind: 'payload', to: instance.id, incarnation: instance.incarnation, view: effect.view });
        return;
      case 'requestSync': {
        const peer = this.byIndex[effect.to]?.find((candidate) => candidate.state !== null) ?? this.byIndex[effect.to]?.[0];
        if (peer === undefined) return;
        this.transmit(instance, peer, {
          kind: 'sync-request',
          to: peer.id,
          requester: instance.id,
          incarnation: instance.incarnation,
          fromHeight: effect.fromHeight,
          targetHash: effect.targetHash,
        });
        return;
      }
      case 'report':
        if (effect.code === 'internal_error') this.flag('internal-error', `#${instance.id}: ${effect.message}`);
        return;
    }
  }

  private crash(instance: Instance): void {
    instance.state = null;
    instance.pendingCrash = null;
    instance.incarnation++;
    this.note(() => `#${instance.id} crashed`);
  }

  private restart(instance: Instance): void {
    const fresh = createConsensusState(instance.config);
    instance.state = fresh;
    const disk = instance.disk;
    const safety = disk.damaged ? null : disk.record;
    if (safety === null) instance.maxLastVotedView = 0; // it legitimately forgot; the signing invariants still hold it
    this.note(() => `#${instance.id} restarts at height ${disk.head?.block.height ?? 0}${safety === null ? ' WITHOUT its safety record' : ''}`);
    const blocks = [...disk.uncommitted.values()];
    this.stepInstance(instance, { kind: 'start', restore: disk.head === null ? { safety, blocks } : { safety, committed: disk.head, blocks } });
  }

  private answerSync(responder: Instance, request: Extract<Event, { kind: 'sync-request' }>): void {
    const state = responder.state;
    const requester = this.instances[request.requester] as Instance;
    if (state === null) return;
    const max = 32;
    const blocks: Block[] = [];
    const headHeight = responder.disk.head?.block.height ?? 0;
    for (let height = Math.max(1, request.fromHeight); height <= headHeight && blocks.length < max; height++) {
      const block = responder.disk.blocks[height];
      if (block !== undefined) blocks.push(block);
    }
    if (blocks.length < max) {
      blocks.push(...collectSyncBlocks(state, Math.max(request.fromHeight, state.committed.block.height + 1), request.targetHash, max - blocks.length));
    }
    this.transmit(responder, requester, {
      kind: 'sync-response',
      to: requester.id,
      incarnation: request.incarnation,
      from: responder.index,
      blocks,
      commitQC: state.highCommitQC.view > 0 ? state.highCommitQC : null,
    });
  }

  // ---- network ----

  private sendTo(from: Instance, index: number, message: ConsensusMessage): void {
    for (const target of this.byIndex[index] ?? []) {
      if (target.id !== from.id) this.transmit(from, target, { kind: 'deliver', to: target.id, from: from.index, message });
    }
  }

  private transmit(from: Instance, to: Instance, event: Event): void {
    const healed = this.now >= this.scenario.healAt;
    const net = this.scenario.network;
    if (!healed) {
      if (this.blocked(from, to)) return;
      if (this.network.chance(net.drop)) return;
    }
    this.queue.push(this.now + this.delay(healed), event);
    if (!healed && this.network.chance(net.duplicate)) this.queue.push(this.now + this.delay(healed), event);
  }

  private delay(healed: boolean): number {
    const net = this.scenario.network;
    const base = this.network.between(net.minDelay, net.maxDelay);
    return !healed && this.network.chance(net.straggle) ? base + this.network.int(10 * net.maxDelay) : base;
  }

  private blocked(from: Instance, to: Instance): boolean {
    for (const window of this.scenario.partitions) {
      if (this.now >= window.from && this.now < window.to && !together(window.groups, from.id, to.id)) return true;
    }
    const view = from.state?.view;
    if (view !== undefined) {
      const partition = this.scenario.viewPartitions.get(view);
      if (partition !== undefined && !together(partition, from.id, to.id)) return true;
    }
    return false;
  }

  private roundTrip(message: ConsensusMessage): ConsensusMessage {
    const decoded = decodeConsensusMessage(JSON.parse(JSON.stringify(consensusMessageToJson(message))));
    if (!decoded.ok) {
      this.flag('wire-roundtrip', decoded.error.message);
      return message;
    }
    return decoded.value;
  }

  // ---- faulty validators ----

  private freshLeaves(count: number): LogLeaf[] {
    const leaves: LogLeaf[] = [];
    for (let i = 0; i < count; i++) {
      const client = 1000 + (this.leafCounter % 16);
      const id = hashBytes(utf8Encode(`proofhub/sim/leaf/${this.scenario.seed}/${this.leafCounter++}`));
      leaves.push({ publicKey: this.keys.publicKey(client), id, sig: this.keys.sign(client, id) });
    }
    return leaves;
  }

  private signVoteAs(index: number, block: Block, committedHash: Hash): Vote {
    const hash = blockHash(block, this.chainId, this.setHash);
    return { view: block.view, blockHash: hash, committedHash, signer: index, signature: this.keys.sign(index, voteMessage(this.chainId, block.view, hash, committedHash)) };
  }

  /** Same view, same parent, other leaves: half the peers get one block, half the other, and it votes for both. */
  private equivocate(instance: Instance, block: Block, tc: TimeoutCert | null): void {
    const state = instance.state as ConsensusState;
    const parent = findKnownBlock(state, block.parent);
    const leaves = block.leaves.length > 0 ? block.leaves.slice(1) : this.freshLeaves(1);
    const built = parent === undefined ? null : this.rules.buildPayload(parent.context, leaves);
    if (built === null || !built.ok || parent === undefined) {
      for (let index = 0; index < this.scenario.n; index++) if (index !== instance.index) this.sendTo(instance, index, { type: 'proposal', block, tc });
      return;
    }
    const other: Block = { ...block, leaves, treeHead: built.value.head };
    const peers = this.faults.shuffle(Array.from({ length: this.scenario.n }, (_, i) => i).filter((i) => i !== instance.index));
    const half = Math.max(1, Math.floor(peers.length / 2));
    peers.forEach((index, position) => this.sendTo(instance, index, { type: 'proposal', block: position < half ? block : other, tc }));
    const committedHash = parent.block.view + 1 === block.view ? block.parent : ZERO_HASH;
    const next = leaderOf(block.view + 1, this.scenario.n);
    if (next !== instance.index) this.sendTo(instance, next, { type: 'vote', vote: this.signVoteAs(instance.index, other, committedHash) });
  }

  /** Votes for every proposal it sees, however old, and now and then signs a timeout with a stale QC. */
  private doubleVote(instance: Instance, block: Block): void {
    const next = leaderOf(block.view + 1, this.scenario.n);
    if (next !== instance.index) {
      const committedHash = this.faults.chance(0.5) ? block.parent : ZERO_HASH;
      this.sendTo(instance, next, { type: 'vote', vote: this.signVoteAs(instance.index, block, committedHash) });
    }
    const state = instance.state;
    if (state !== null && this.faults.chance(0.3)) {
      const stale = state.committed.certificate.view < state.view ? state.committed.certificate : null;
      if (stale !== null) {
        const timeout: TimeoutVote = {
          view: state.view,
          highQC: stale,
          signer: instance.index,
          signature: this.keys.sign(instance.index, timeoutMessage(this.chainId, state.view, stale.view)),
        };
        for (let index = 0; index < this.scenario.n; index++) if (index !== instance.index) this.sendTo(instance, index, { type: 'timeout', timeout, lastTC: null });
      }
    }
  }

  /** A proposal honest validators must refuse: a bad leaf signature, a wrong root or a wrong size. */
  private corruptProposal(instance: Instance, block: Block, tc: TimeoutCert | null): void {
    const state = instance.state as ConsensusState;
    const parent = findKnownBlock(state, block.parent);
    let bad: Block = block;
    const variant = this.faults.int(3);
    if (parent !== undefined && variant === 0) {
      const leaves = [...(block.leaves.length > 0 ? block.leaves : this.freshLeaves(1))];
      const first = leaves[0] as LogLeaf;
      const sig = first.sig.slice();
      sig[5] = (sig[5] ?? 0) ^ 0x20;
      leaves[0] = { ...first, sig };
      const built = this.permissiveRules.buildPayload(parent.context, leaves);
      if (built.ok) bad = { ...block, leaves, treeHead: built.value.head };
    } else if (variant === 1) {
      const root = block.treeHead.root.slice();
      root[0] = (root[0] ?? 0) ^ 1;
      bad = { ...block, treeHead: { size: block.treeHead.size, root } };
    } else {
      bad = { ...block, treeHead: { size: block.treeHead.size + 1, root: block.treeHead.root } };
    }
    for (let index = 0; index < this.scenario.n; index++) if (index !== instance.index) this.sendTo(instance, index, { type: 'proposal', block: bad, tc });
  }

  // ---- invariants ----

  private flag(kind: ViolationKind, message: string): void {
    const violation: Violation = { kind, message, step: this.steps, time: this.now };
    if (this.stopOn !== null && !this.stopOn.has(kind)) {
      if (this.ignored.length < 20) this.ignored.push(violation);
      return;
    }
    this.violation = violation;
    this.note(() => `VIOLATION ${kind}: ${message}`);
    throw new StopRun();
  }

  private isHonest(instance: Instance): boolean {
    return instance.role === 'honest';
  }

  /** After every step of an instance: signing history, monotonic views and heights. */
  private checkInstance(instance: Instance): void {
    const state = instance.state;
    if (state === null || !this.isHonest(instance)) return;
    if (state.lastVote !== null && state.lastVote !== instance.seenVote) {
      instance.seenVote = state.lastVote;
      this.observeVote(instance, state.lastVote);
    }
    if (state.lastTimeout !== null && state.lastTimeout !== instance.seenTimeout) {
      instance.seenTimeout = state.lastTimeout;
      this.observeTimeout(instance, state.lastTimeout);
    }
    if (state.lastVotedView < instance.maxLastVotedView) {
      this.flag('last-voted-view-regressed', `#${instance.id} lastVotedView went from ${instance.maxLastVotedView} to ${state.lastVotedView}`);
    }
    instance.maxLastVotedView = Math.max(instance.maxLastVotedView, state.lastVotedView);
    if (state.committed.block.height < instance.commitHeight) {
      this.flag('commit-height-regressed', `#${instance.id} committed height went from ${instance.commitHeight} to ${state.committed.block.height}`);
    }
  }

  private observeVote(instance: Instance, vote: Vote): void {
    const key = instance.index;
    const hex = bytesToHex(vote.blockHash) + bytesToHex(vote.committedHash);
    const votes = this.signedVotes.get(key) ?? new Map<number, string>();
    this.signedVotes.set(key, votes);
    const previous = votes.get(vote.view);
    if (previous !== undefined && previous !== hex) this.flag('double-vote', `validator ${key} signed two different votes in view ${vote.view}`);
    if (vote.view <= (this.maxTimeoutView.get(key) ?? 0)) {
      this.flag('vote-after-timeout', `validator ${key} voted in view ${vote.view} after signing a timeout for view ${this.maxTimeoutView.get(key)}`);
    }
    if (previous === undefined && vote.view < (this.maxVoteView.get(key) ?? 0)) {
      this.flag('signature-regressed', `validator ${key} voted in view ${vote.view} after voting in view ${this.maxVoteView.get(key)}`);
    }
    votes.set(vote.view, hex);
    this.maxVoteView.set(key, Math.max(this.maxVoteView.get(key) ?? 0, vote.view));
  }

  private observeTimeout(instance: Instance, timeout: TimeoutVote): void {
    const key = instance.index;
    const text = `${timeout.highQC.view}:${bytesToHex(timeout.signature)}`;
    const timeouts = this.signedTimeouts.get(key) ?? new Map<number, string>();
    this.signedTimeouts.set(key, timeouts);
    const previous = timeouts.get(timeout.view);
    if (previous !== undefined && previous !== text) this.flag('double-vote', `validator ${key} signed two different timeouts for view ${timeout.view}`);
    if (previous === undefined && timeout.view < (this.maxVoteView.get(key) ?? 0)) {
      this.flag('signature-regressed', `validator ${key} signed a timeout for view ${timeout.view} below its vote in view ${this.maxVoteView.get(key)}`);
    }
    if (previous === undefined && timeout.view < (this.maxTimeoutView.get(key) ?? 0)) {
      this.flag('signature-regressed', `validator ${key} signed a timeout for view ${timeout.view} after one for view ${this.maxTimeoutView.get(key)}`);
    }
    timeouts.set(timeout.view, text);
    this.maxTimeoutView.set(key, Math.max(this.maxTimeoutView.get(key) ?? 0, timeout.view));
  }

  private onCommit(instance: Instance, effect: Extract<ConsensusEffect, { kind: 'commit' }>): void {
    const disk = instance.disk;
    const last = effect.blocks[effect.blocks.length - 1];
    if (last === undefined) return;
    for (const block of effect.blocks) disk.blocks[block.height] = block;
    disk.head = { block: last, context: effect.headContext, certificate: effect.certificate };
    for (const [hex, block] of disk.uncommitted) if (block.height <= last.height) disk.uncommitted.delete(hex);
    if (!this.isHonest(instance)) {
      instance.commitHeight = last.height;
      return;
    }
    let parentHex = instance.committedHashes[instance.committedHashes.length - 1] ?? '';
    effect.blocks.forEach((block, i) => {
      let hex = this.hashOfBlock.get(block);
      if (hex === undefined) {
        hex = bytesToHex(blockHash(block, this.chainId, this.setHash));
        this.hashOfBlock.set(block, hex);
      }
      if (hex !== bytesToHex(effect.hashes[i] ?? ZERO_HASH)) this.flag('broken-chain', `#${instance.id} reported a wrong hash at height ${block.height}`);
      if (block.height !== instance.commitHeight + 1 || bytesToHex(block.parent) !== parentHex) {
        this.flag('broken-chain', `#${instance.id} committed height ${block.height} not linked to its height ${instance.commitHeight}`);
      }
      const agreed = this.committedByHeight[block.height];
      if (agreed === undefined) {
        const checked = this.rules.validatePayload(this.committedContext, block.leaves, block.treeHead);
        if (!checked.ok) this.flag('invalid-committed-payload', `height ${block.height}: ${checked.error.message}`);
        else this.committedContext = checked.value;
        this.committedByHeight[block.height] = hex;
      } else if (agreed !== hex) {
        this.flag('fork', `#${instance.id} committed ${hex.slice(0, 12)} at height ${block.height} where another honest validator committed ${agreed.slice(0, 12)}`);
      }
      instance.committedHashes.push(hex);
      instance.commitHeight = block.height;
      parentHex = hex;
    });
    const certificate = effect.certificate;
    const certKey = `${parentHex}:${certificate.view}:${bytesToHex(certificate.blockHash)}:${bytesToHex(certificate.committedHash)}:${certificate.signers.join(',')}:${certificate.signatures.map(bytesToHex).join('')}`;
    if (!this.certifiedCommits.has(certKey)) {
      const header = blockHeader(last, this.chainId, this.setHash);
      const certified = verifyCommitCertificate({ chainId: this.chainId, validators: this.validators }, header, certificate, this.keys.verifier);
      if (!certified.ok) this.flag('bad-commit-certificate', `#${instance.id} height ${last.height}: ${certified.error.code}: ${certified.error.message}`);
      this.certifiedCommits.add(certKey);
    }
    this.note(() => `#${instance.id} commits to height ${last.height}`);
  }

  private checkLiveness(): void {
    const honest = this.instances.filter((instance) => this.isHonest(instance));
    if (this.healed === null) {
      if (this.now < this.scenario.healAt || this.instances.some((instance) => instance.state === null)) return;
      const heights = new Map<number, number>();
      for (const instance of honest) heights.set(instance.id, instance.commitHeight);
      this.healed = { view: Math.max(...honest.map((instance) => instance.state?.view ?? 0)), heights };
      this.note(() => `network healed at view ${this.healed?.view}`);
      return;
    }
    const healed = this.healed;
    let allCommitted = true;
    let allTwice = true;
    let maxView = 0;
    for (const instance of honest) {
      const base = healed.heights.get(instance.id) ?? 0;
      if (instance.commitHeight <= base) allCommitted = false;
      if (instance.commitHeight < base + 2) allTwice = false;
      maxView = Math.max(maxView, instance.state?.view ?? 0);
    }
    if (allCommitted && this.viewsToRecover === null) this.viewsToRecover = maxView - healed.view;
    if (!allCommitted && maxView > healed.view + this.livenessViews) {
      this.flag('no-liveness', `no commit by every honest validator within ${this.livenessViews} views of healing at view ${healed.view}`);
    }
    if (allTwice) this.done = true;
  }

  private note(text: () => string): void {
    if (this.traceSize === 0) return;
    this.trace.push(`t=${this.now} step=${this.steps} ${text()}`);
    if (this.trace.length > this.traceSize) this.trace.shift();
  }
}

function together(partition: Partition, a: number, b: number): boolean {
  for (const group of partition) {
    const hasA = group.includes(a);
    const hasB = group.includes(b);
    if (hasA || hasB) return hasA && hasB;
  }
  return false;
}

function describeMessage(message: ConsensusMessage): string {
  switch (message.type) {
    case 'proposal':
      return `proposal v${message.block.view} h${message.block.height} justify v${message.block.justify.view}${message.tc ? ` tc v${message.tc.view}` : ''}`;
    case 'vote':
      return `vote v${message.vote.view} by ${message.vote.signer}${bytesEqual(message.vote.committedHash, ZERO_HASH) ? '' : ' (commits parent)'}`;
    case 'timeout':
      return `timeout v${message.timeout.view} hqc v${message.timeout.highQC.view} by ${message.timeout.signer}`;
  }
}


// HotStuff-2 for n = 3f+1 validators as a pure reducer: step(state, input) → {state, effects}.
// The worker (workers/) feeds it authenticated messages, timer firings, payloads and synced blocks,
// and carries out the effects in order; `persist` must be durable before any later effect of the
// same step leaves the process (CONSENSUS.md, safety rule 3). Nothing here reads a clock, draws a
// random number or touches a socket or disk, so the simulator (sim/) replays any run exactly.
//
// The rules, in the words of docs/consensus.md:
//  - lock = highest QC seen; vote for a proposal in view v only if v > lastVotedView and its justify
//    is at least the lock, or it carries the TC of view v-1 and extends that TC's highest QC;
//  - a QC on B' commits its parent B iff view(B') = view(B) + 1 (two-chain rule); voters say so
//    in the signed committedHash, so the QC alone is the commit certificate;
//  - a timeout is signed only for the view right after the highest QC or TC, never below
//    lastVotedView, and raises lastVotedView; 2f+1 timeouts form a TC;
//  - enter view v+1 on a QC or TC of view v, or jump on any verified higher one.
import { bytesEqual } from '../bytes';
import {
  type ChainContext,
  createChainContext,
  faultTolerance,
  maxHighQCView,
  type QuorumCertCheck,
  verifyQuorumCert,
  verifyTimeoutCert,
  verifyTimeoutVote,
  verifyVote,
} from './certificates';
import { fail, type Result } from '../errors';
import { leafIdKey } from './payload';
import { blockHash, genesisBlock, genesisQC, hexKey, isZeroHash, timeoutMessage, validatorSetHash, voteMessage, ZERO_HASH } from './encoding';
import type {
  Block,
  ConsensusConfig,
  ConsensusEffect,
  ConsensusInput,
  ConsensusMessage,
  Hash,
  LogLeaf,
  PayloadContext,
  QuorumCert,
  ReportCode,
  RestoreData,
  SafetyRecord,
  TimeoutCert,
  TimeoutVote,
  Vote,
} from './types';

/** How far ahead of its own view a node keeps votes and timeouts (a lagging node still counts them). */
const MAX_VIEWS_AHEAD = 64;
/** Bound on blocks held above the committed head (a long outage is a few blocks per view). */
const MAX_UNCOMMITTED_BLOCKS = 4096;
/** Verified certificates remembered so a QC carried by many messages is checked once. */
const MAX_VERIFIED_CACHE = 512;

interface BlockEntry {
  readonly block: Block;
  readonly hash: Hash;
  readonly hex: string;
  readonly context: PayloadContext;
}

interface CommittedEntry extends BlockEntry {
  readonly certificate: QuorumCert;
}

interface PendingProposal {
  readonly from: number;
  readonly block: Block;
  readonly tc: TimeoutCert | null;
}

/**
 * A node that lost its safety record signs nothing until it holds a certificate for view ≥ floor.
 * Without a floor from the worker it first listens: until a view timer has fired and verified
 * messages from a quorum of other validators arrived, then floor = highest view seen + 2.
 * Why + 2: our last signature was in some view c we entered by a certificate of c-1, made of
 * 2f+1 signatures by validators already past c-2; any quorum we hear from shares an honest one
 * with them, whose messages show a view ≥ c-2.
 */
export interface Recovery {
  readonly floor: number | null;
  /** Highest view proven by a verified certificate or signed message since the restart. */
  readonly observed: number;
  /** Validators heard from (verified) since the restart. */
  readonly heard: readonly number[];
  readonly timerFired: boolean;
}

export interface ConsensusState {
  readonly config: ConsensusConfig;
  readonly chain: ChainContext;
  readonly started: boolean;
  readonly view: number;
  /** The TC of view-1 when the current view was entered by timeouts (attached to proposals and timeouts). */
  readonly viewTC: TimeoutCert | null;
  /** The lock: highest QC seen. */
  readonly highQC: QuorumCert;
  readonly highTC: TimeoutCert | null;
  /** Highest-view QC that commits something (non-zero committedHash). */
  readonly highCommitQC: QuorumCert;
  readonly lastVotedView: number;
  readonly highestTimeoutView: number;
  readonly lastVote: Vote | null;
  readonly lastTimeout: TimeoutVote | null;
  readonly committed: CommittedEntry;
  /** Known blocks above the committed head, by hex hash. */
  readonly blocks: ReadonlyMap<string, BlockEntry>;
  /** First proposal seen per view (hex hash), to notice an equivocating leader. */
  readonly proposals: ReadonlyMap<number, string>;
  /** view → (blockHash‖committedHash hex) → signer → vote, for views this node leads next. */
  readonly votes: ReadonlyMap<number, ReadonlyMap<string, ReadonlyMap<number, Vote>>>;
  /** view → signer → timeout. */
  readonly timeouts: ReadonlyMap<number, ReadonlyMap<number, TimeoutVote>>;
  /** Proposals waiting for their parent block to arrive by sync. */
  readonly pending: ReadonlyMap<number, PendingProposal>;
  /** View for which a payload was requested and not yet used (0: none). */
  readonly awaitingPayload: number;
  readonly recovery: Recovery | null;
  /** A block this node needs from a peer, and whom it asked last. */
  readonly syncTarget: { readonly hash: Hash; readonly peer: number } | null;
  /**
   * Memo of certificates already verified, shared by reference between successive states. It only
   * caches a pure function of (chain, certificate), so sharing it cannot change any result.
   */
  readonly verified: VerifiedMemo;
}

/** Bounded memo of verified certificates, keyed by their full content (a forgery never matches). */
export class VerifiedMemo {
  readonly #keys = new Set<string>();

  constructor(private readonly capacity: number) {}

  has(key: string): boolean {
    return this.#keys.has(key);
  }

  add(key: string): void {
    if (this.#keys.has(key)) return;
    if (this.#keys.size >= this.capacity) {
      const oldest = this.#keys.values().next();
      if (oldest.done !== true) this.#keys.delete(oldest.value);
    }
    this.#keys.add(key);
  }
}

export interface StepResult {
  readonly state: ConsensusState;
  readonly effects: readonly ConsensusEffect[];
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
interface Working extends Mutable<Omit<ConsensusState, 'blocks' | 'proposals' | 'votes' | 'timeouts' | 'pending'>> {
  blocks: Map<string, BlockEntry>;
  proposals: Map<number, string>;
  votes: Map<number, ReadonlyMap<string, ReadonlyMap<number, Vote>>>;
  timeouts: Map<number, ReadonlyMap<number, TimeoutVote>>;
  pending: Map<number, PendingProposal>;
}

/** A fresh node at genesis, not yet started: feed it {kind:'start'} (with `restore` after a restart). */
export function createConsensusState(config: ConsensusConfig): ConsensusState {
  const n = config.validators.length;
  if (n < 1) throw new RangeError('at least one validator is required');
  if (!Number.isInteger(config.self) || config.self < 0 || config.self >= n) throw new RangeError(`self index ${config.self} is not in 0..${n - 1}`);
  if (config.chainId.length !== 32) throw new RangeError('chainId must be 32 bytes');
  const genesis = config.payload.genesis();
  const block = genesisBlock(genesis.head);
  const hash = blockHash(block, config.chainId, validatorSetHash(config.validators), config.hasher);
  const chain = createChainContext(config.chainId, config.validators, hash, config.verifier);
  const qc = genesisQC(hash);
  return {
    config,
    chain,
    started: false,
    view: 0,
    viewTC: null,
    highQC: qc,
    highTC: null,
    highCommitQC: qc,
    lastVotedView: 0,
    highestTimeoutView: 0,
    lastVote: null,
    lastTimeout: null,
    committed: { block, hash, hex: hexKey(hash), context: genesis.context, certificate: qc },
    blocks: new Map(),
    proposals: new Map(),
    votes: new Map(),
    timeouts: new Map(),
    pending: new Map(),
    awaitingPayload: 0,
    recovery: null,
    syncTarget: null,
    verified: new VerifiedMemo(MAX_VERIFIED_CACHE),
  };
}

/**
 * The pure transition function. Never mutates `state` and never throws: input that breaks an
 * encoding precondition (it should have been stopped by the wire schemas) leaves the state as it
 * was and yields one `internal_error` report.
 */
export function step(state: ConsensusState, input: ConsensusInput): StepResult {
  const s: Working = {
    ...state,
    blocks: new Map(state.blocks),
    proposals: new Map(state.proposals),
    votes: new Map(state.votes),
    timeouts: new Map(state.timeouts),
    pending: new Map(state.pending),
  };
  const out: ConsensusEffect[] = [];
  try {
    if (input.kind === 'start') {
      if (s.started) report(out, 'invalid_message', 'already started');
      else start(s, out, input.restore);
    } else if (s.started) {
      switch (input.kind) {
        case 'message':
          handleMessage(s, out, input.from, input.message);
          break;
        case 'timer':
          handleTimer(s, out, input.view);
          break;
        case 'payload':
          handlePayload(s, out, input.view, input.leaves);
          break;
        case 'sync':
          handleSync(s, out, input.from, input.blocks, input.commitQC);
          break;
      }
    }
  } catch (error) {
    // Only input that skipped the wire schemas (wrong byte lengths) or a bug gets here. Nothing
    // of the step is kept: no effect was carried out yet, so dropping them all is safe.
    const message = error instanceof Error ? error.message : String(error);
    return { state, effects: [{ kind: 'report', code: 'internal_error', message: `input refused: ${message}` }] };
  }
  return { state: s, effects: out };
}

// ---------------------------------------------------------------------------------------------
// Queries for the worker (and the simulator).

/** The record a worker writes at first start; afterwards every `persist` effect carries it. */
export function safetyRecordOf(state: ConsensusState): SafetyRecord {
  return {
    chainId: state.config.chainId,
    lastVotedView: state.lastVotedView,
    lockedQC: state.highQC,
    highestTimeoutView: state.highestTimeoutView,
    highTC: state.highTC,
    lastVote: state.lastVote,
    lastTimeout: state.lastTimeout,
  };
}

export function leaderOf(view: number, n: number): number {
  return view % n;
}

/** Hash of the genesis block of this configuration. */
export function genesisHashOf(state: ConsensusState): Hash {
  return state.chain.genesisHash;
}

/**
 * Uncommitted blocks from height `fromHeight` up to `targetHash`, ascending, at most `max`
 * (lowest first), for answering a peer's requestSync. Committed blocks come from the worker's store.
 */
export function collectSyncBlocks(state: ConsensusState, fromHeight: number, targetHash: Hash, max: number): Block[] {
  const chain: Block[] = [];
  let entry = state.blocks.get(hexKey(targetHash));
  while (entry !== undefined && entry.block.height >= fromHeight) {
    chain.push(entry.block);
    entry = state.blocks.get(hexKey(entry.block.parent));
  }
  chain.reverse();
  return chain.slice(0, Math.max(0, max));
}

/** Leaves already in the uncommitted chain ending at `parentHash`; a leader's mempool leaves them out. */
export function uncommittedLeaves(state: ConsensusState, parentHash: Hash): LogLeaf[] {
  const leaves: LogLeaf[] = [];
  let entry = state.blocks.get(hexKey(parentHash));
  while (entry !== undefined) {
    leaves.push(...entry.block.leaves);
    entry = state.blocks.get(hexKey(entry.block.parent));
  }
  return leaves;
}

/** A known block (the committed head or one above it) and its payload context. */
export function findKnownBlock(state: ConsensusState, hash: Hash): { readonly block: Block; readonly context: PayloadContext } | undefined {
  if (bytesEqual(hash, state.committed.hash)) return state.committed;
  return state.blocks.get(hexKey(hash));
}

/** Whether this node may sign now (false while it recovers from a lost safety record). */
export function canSign(state: Pick<ConsensusState, 'recovery'>): boolean {
  return state.recovery === null;
}

// ---------------------------------------------------------------------------------------------
// Start and restore.

function start(s: Working, out: ConsensusEffect[], restore: RestoreData | undefined): void {
  s.started = true;
  if (restore !== undefined) {
    if (restore.committed !== undefined) {
      const { block, context, certificate } = restore.committed;
      const hash = blockHash(block, s.chain.chainId, s.chain.setHash, s.config.hasher);
      s.committed = { block, hash, hex: hexKey(hash), context, certificate };
      if (certificate.view > s.highCommitQC.view) s.highCommitQC = certificate;
      if (certificate.view > s.highQC.view) s.highQC = certificate;
    }
    restoreBlocks(s, out, restore.blocks ?? []);
    const record = restore.safety;
    if (record !== null && bytesEqual(record.chainId, s.chain.chainId)) {
      s.lastVotedView = record.lastVotedView;
      s.highestTimeoutView = record.highestTimeoutView;
      s.lastVote = record.lastVote;
      s.lastTimeout = record.lastTimeout;
      s.highTC = record.highTC;
      if (record.lockedQC.view > s.highQC.view) s.highQC = record.lockedQC;
    } else {
      if (record !== null) report(out, 'refused_to_sign', 'the safety record belongs to another chain');
      // Safety rule 3: without the record we cannot know what we signed, so we sign nothing until
      // a certificate newer than our last signature proves the network has moved past it.
      s.recovery = { floor: restore.signFloorView ?? null, observed: s.highQC.view, heard: [], timerFired: false };
      report(out, 'refused_to_sign', 'safety record missing or damaged: not signing until a newer certificate is seen');
    }
  }
  const tcView = s.highTC?.view ?? 0;
  const view = Math.max(s.highQC.view, tcView) + 1;
  enterView(s, out, view, s.highTC !== null && tcView === view - 1 ? s.highTC : null);
}

/** Re-insert stored blocks above the committed head, parents first; skip any that do not chain or validate. */
function restoreBlocks(s: Working, out: ConsensusEffect[], blocks: readonly Block[]): void {
  const ordered = [...blocks].sort((a, b) => a.height - b.height);
  for (const block of ordered) {
    if (block.height <= s.committed.block.height) continue;
    const parent = findBlock(s, block.parent);
    if (parent === undefined || block.height !== parent.block.height + 1 || block.view <= parent.block.view) continue;
    const hash = blockHash(block, s.chain.chainId, s.chain.setHash, s.config.hasher);
    const hex = hexKey(hash);
    if (s.blocks.has(hex)) continue;
    const checked = validateLeaves(s, parent, block);
    if (!checked.ok) {
      report(out, 'invalid_block', `stored block at height ${block.height} no longer validates: ${checked.error.message}`);
      continue;
    }
    s.blocks.set(hex, { block, hash, hex, context: checked.value });
  }
}

// ---------------------------------------------------------------------------------------------
// Messages.

function handleMessage(s: Working, out: ConsensusEffect[], from: number, message: ConsensusMessage): void {
  const n = s.chain.validators.length;
  if (!Number.isInteger(from) || from < 0 || from >= n || from === s.config.self) {
    report(out, 'invalid_message', `sender ${from} is not a peer`);
    return;
  }
  switch (message.type) {
    case 'proposal':
      handleProposal(s, out, from, message.block, message.tc);
      break;
    case 'vote':
      handleVote(s, out, from, message.vote);
      break;
    case 'timeout':
      handleTimeout(s, out, from, message.timeout, message.lastTC);
      break;
  }
}

function handleProposal(s: Working, out: ConsensusEffect[], from: number, block: Block, tc: TimeoutCert | null): void {
  const n = s.chain.validators.length;
  if (from !== leaderOf(block.view, n)) {
    report(out, 'not_leader', `validator ${from} does not lead view ${block.view}`, from);
    return;
  }
  if (block.height < 1 || block.view < 1 || block.justify.view >= block.view || !bytesEqual(block.justify.blockHash, block.parent)) {
    report(out, 'invalid_block', 'the justify QC must certify the parent in an earlier view', from);
    return;
  }
  if (block.leaves.length > s.config.maxLeavesPerBlock) {
    report(out, 'invalid_payload', `${block.leaves.length} leaves exceed the limit of ${s.config.maxLeavesPerBlock}`, from);
    return;
  }
  if (tc !== null && tc.view !== block.view - 1) {
    report(out, 'invalid_block', 'a proposal may only carry the TC of the previous view', from);
    return;
  }
  if (!checkQC(s, out, block.justify, from)) return;
  if (tc !== null) {
    if (!checkTC(s, out, tc, from)) return;
    processTC(s, out, tc, from);
  }
  processQC(s, out, block.justify, from);
  observePeer(s, from, Math.max(block.justify.view, tc?.view ?? 0));
  if (block.view !== s.view) {
    // Older views are over; a newer one means neither a QC nor a TC of view-1 came with it.
    if (block.view > s.view) report(out, 'invalid_block', `proposal for view ${block.view} is not justified`, from);
    return;
  }
  considerProposal(s, out, { from, block, tc });
}

/** Proof-id sets of blocks, memoized per (immutable) block object. */
const blockIdsMemo = new WeakMap<Block, ReadonlySet<string>>();

function idsOfBlock(block: Block): ReadonlySet<string> {
  let ids = blockIdsMemo.get(block);
  if (ids === undefined) {
    ids = new Set(block.leaves.map((leaf) => leafIdKey(leaf.id)));
    blockIdsMemo.set(block, ids);
  }
  return ids;
}

/**
 * Whether a proof id is already in the chain ending at `parent`: in an uncommitted ancestor, in
 * the committed head (committed in this very step, perhaps not yet in the worker's index) or, by
 * the worker's `isCommittedId`, anywhere in the committed log. Every block validated here extends
 * the committed head, so each of these is an ancestor and a hit is a real repeat.
 */
function repeatCheck(s: Working, parent: BlockEntry): (id: Uint8Array) => boolean {
  const sets: ReadonlySet<string>[] = [];
  for (let entry: BlockEntry | undefined = parent; entry !== undefined && entry.block.height > s.committed.block.height; entry = s.blocks.get(hexKey(entry.block.parent))) {
    if (entry.block.leaves.length > 0) sets.push(idsOfBlock(entry.block));
  }
  if (s.committed.block.leaves.length > 0) sets.push(idsOfBlock(s.committed.block));
  const isCommittedId = s.config.isCommittedId;
  return (id) => {
    if (sets.length > 0) {
      const key = leafIdKey(id);
      if (sets.some((set) => set.has(key))) return true;
    }
    return isCommittedId !== undefined && isCommittedId(id);
  };
}

/** The payload rules, after refusing a leaf whose proof id the chain below already holds. */
function validateLeaves(s: Working, parent: BlockEntry, block: Block): Result<PayloadContext> {
  if (block.leaves.length > 0) {
    const isRepeat = repeatCheck(s, parent);
    const index = block.leaves.findIndex((leaf) => isRepeat(leaf.id));
    if (index >= 0) return fail('duplicate_leaf', `leaf ${index} repeats a proof id already in the chain`);
  }
  return s.config.payload.validatePayload(parent.context, block.leaves, block.treeHead);
}

/** Validate, store and maybe vote on a proposal for the current view whose certificates checked. */
function considerProposal(s: Working, out: ConsensusEffect[], proposal: PendingProposal): void {
  const { from, block, tc } = proposal;
  const parent = findBlock(s, block.parent);
  if (parent === undefined) {
    if (block.justify.view <= s.committed.block.view) return; // forks below the committed head are dead
    s.pending.set(block.view, proposal);
    requestSyncFor(s, out, block.parent, from);
    return;
  }
  if (block.height !== parent.block.height + 1 || block.justify.view !== parent.block.view) {
    report(out, 'invalid_block', 'height or justify view does not match the parent', from);
    return;
  }
  const hash = blockHash(block, s.chain.chainId, s.chain.setHash, s.config.hasher);
  const hex = hexKey(hash);
  const first = s.proposals.get(block.view);
  if (first !== undefined && first !== hex) {
    // Rule 1 means we will not vote for it anyway; not storing it keeps a faulty leader from
    // filling memory with variants. Should it be certified, sync fetches it like any other block.
    report(out, 'equivocation', `leader ${from} proposed two blocks in view ${block.view}`, from);
    return;
  }
  let entry = s.blocks.get(hex);
  if (entry === undefined) {
    const checked = validateLeaves(s, parent, block);
    if (!checked.ok) {
      report(out, 'invalid_payload', `${checked.error.code}: ${checked.error.message}`, from);
      return;
    }
    entry = { block, hash, hex, context: checked.value };
    s.blocks.set(hex, entry);
  }
  s.proposals.set(block.view, hex);

  if (safeToVote(s, entry, tc)) {
    const vote = signVote(s, out, entry, parent);
    deliverVote(s, out, vote);
  } else if (s.lastVote !== null && s.lastVote.view === block.view && bytesEqual(s.lastVote.blockHash, hash)) {
    deliverVote(s, out, s.lastVote); // rule 1: asked again, resend the stored vote
  }
  tryCommit(s, out, from);
}

/** The voting rule (HotStuff-2 §4, with the Jolteon TC escape for view changes). */
function safeToVote(s: Working, entry: BlockEntry, tc: TimeoutCert | null): boolean {
  const block = entry.block;
  if (block.view !== s.view || block.view <= s.lastVotedView || !canSign(s)) return false;
  if (block.justify.view >= s.highQC.view) return true;
  return tc !== null && tc.view === block.view - 1 && block.justify.view >= maxHighQCView(tc);
}

function signVote(s: Working, out: ConsensusEffect[], entry: BlockEntry, parent: BlockEntry): Vote {
  const block = entry.block;
  const consecutive = parent.block.view + 1 === block.view || s.config.unsafe?.skipConsecutiveViewCheck === true;
  const committedHash = consecutive ? block.parent : ZERO_HASH;
  out.push({ kind: 'storeBlock', block, hash: entry.hash });
  const signature = s.config.sign(voteMessage(s.chain.chainId, block.view, entry.hash, committedHash));
  const vote: Vote = { view: block.view, blockHash: entry.hash, committedHash, signer: s.config.self, signature };
  s.lastVotedView = block.view;
  s.lastVote = vote;
  persist(s, out);
  return vote;
}

function deliverVote(s: Working, out: ConsensusEffect[], vote: Vote): void {
  const next = leaderOf(vote.view + 1, s.chain.validators.length);
  if (next === s.config.self) addVote(s, out, vote);
  else out.push({ kind: 'send', to: next, message: { type: 'vote', vote } });
}

function handleVote(s: Working, out: ConsensusEffect[], from: number, vote: Vote): void {
  if (vote.signer !== from) {
    report(out, 'invalid_message', 'votes are sent by their signer', from);
    return;
  }
  if (leaderOf(vote.view + 1, s.chain.validators.length) !== s.config.self) return;
  if (vote.view < s.view - 1 || vote.view > s.view + MAX_VIEWS_AHEAD || vote.view <= s.highQC.view) return;
  const checked = verifyVote(s.chain, vote);
  if (!checked.ok) {
    report(out, 'invalid_signature', checked.error.message, from);
    return;
  }
  observePeer(s, from, vote.view - 1);
  addVote(s, out, vote);
}

function addVote(s: Working, out: ConsensusEffect[], vote: Vote): void {
  if (vote.view <= s.highQC.view) return; // a QC for this view is already known
  const key = hexKey(vote.blockHash) + hexKey(vote.committedHash);
  const byView = new Map(s.votes.get(vote.view) ?? []);
  for (const [otherKey, signers] of byView) {
    if (otherKey !== key && signers.has(vote.signer)) {
      // First vote per signer and view wins: a faulty signer cannot grow this map without bound.
      report(out, 'equivocation', `validator ${vote.signer} voted twice in view ${vote.view}`, vote.signer);
      return;
    }
  }
  const bySigner = new Map(byView.get(key) ?? []);
  if (bySigner.has(vote.signer)) return;
  bySigner.set(vote.signer, vote);
  byView.set(key, bySigner);
  s.votes.set(vote.view, byView);
  if (bySigner.size < s.chain.quorum) return;
  const signers = [...bySigner.keys()].sort((a, b) => a - b);
  const qc: QuorumCert = {
    view: vote.view,
    blockHash: vote.blockHash,
    committedHash: vote.committedHash,
    signers,
    signatures: signers.map((signer) => (bySigner.get(signer) as Vote).signature),
  };
  rememberVerified(s, qcKey(qc));
  processQC(s, out, qc, leaderOf(vote.view, s.chain.validators.length));
}

function handleTimeout(s: Working, out: ConsensusEffect[], from: number, timeout: TimeoutVote, lastTC: TimeoutCert | null): void {
  if (timeout.signer !== from) {
    report(out, 'invalid_message', 'timeouts are sent by their signer', from);
    return;
  }
  const useful = timeout.view >= s.view || timeout.highQC.view > s.highQC.view;
  if (useful) {
    if (timeout.view > s.view + MAX_VIEWS_AHEAD) return;
    const checked = verifyTimeoutVote(s.chain, timeout, cachedQCCheck(s));
    if (!checked.ok) {
      report(out, 'invalid_signature', checked.error.message, from);
      return;
    }
    processQC(s, out, timeout.highQC, from);
    observePeer(s, from, timeout.view - 1);
  }
  if (lastTC !== null && lastTC.view >= s.view) {
    if (lastTC.view !== timeout.view - 1) {
      report(out, 'invalid_message', 'a timeout may only carry the TC of the previous view', from);
      return;
    }
    if (!checkTC(s, out, lastTC, from)) return;
    processTC(s, out, lastTC, from);
  }
  if (useful && timeout.view >= s.view) addTimeout(s, out, timeout);
}

function addTimeout(s: Working, out: ConsensusEffect[], timeout: TimeoutVote): void {
  const bySigner = new Map(s.timeouts.get(timeout.view) ?? []);
  const previous = bySigner.get(timeout.signer);
  if (previous !== undefined) {
    if (!bytesEqual(previous.signature, timeout.signature) || previous.highQC.view !== timeout.highQC.view) {
      report(out, 'equivocation', `validator ${timeout.signer} signed two timeouts for view ${timeout.view}`, timeout.signer);
    }
    return;
  }
  bySigner.set(timeout.signer, timeout);
  s.timeouts.set(timeout.view, bySigner);
  const f = faultTolerance(s.chain.validators.length);
  // Bracha-style amplification: f+1 timeouts mean at least one honest node gave up on this view.
  if (timeout.view === s.view && bySigner.size >= f + 1 && !(s.lastTimeout !== null && s.lastTimeout.view === s.view)) {
    localTimeout(s, out);
    if (s.view !== timeout.view) return;
  }
  const current = s.timeouts.get(timeout.view) ?? bySigner;
  if (current.size < s.chain.quorum || (s.highTC !== null && s.highTC.view >= timeout.view)) return;
  const signers = [...current.keys()].sort((a, b) => a - b);
  const votes = signers.map((signer) => current.get(signer) as TimeoutVote);
  let highQC = votes[0]?.highQC ?? s.highQC;
  for (const vote of votes) if (vote.highQC.view > highQC.view) highQC = vote.highQC;
  const tc: TimeoutCert = {
    view: timeout.view,
    highQC,
    signers,
    highQCViews: votes.map((vote) => vote.highQC.view),
    signatures: votes.map((vote) => vote.signature),
  };
  rememberVerified(s, tcKey(tc));
  processTC(s, out, tc, null);
}

// ---------------------------------------------------------------------------------------------
// Timers and the pacemaker.

function handleTimer(s: Working, out: ConsensusEffect[], view: number): void {
  if (view !== s.view) return;
  if (s.recovery !== null && !s.recovery.timerFired) {
    s.recovery = { ...s.recovery, timerFired: true };
    settleRecoveryFloor(s);
  }
  localTimeout(s, out);
  if (s.syncTarget !== null && findBlock(s, s.syncTarget.hash) === undefined) {
    // Ask the next peer: the last one may be down or partitioned away.
    requestSyncFor(s, out, s.syncTarget.hash, nextPeer(s, s.syncTarget.peer), true);
  }
  if (s.view === view) out.push({ kind: 'setTimer', view, delayMs: viewTimeout(s, view) });
}

/** Exponential back-off with the views since the last commit; base when commits flow (commit at v-2 on entering v). */
export function viewTimeout(s: Pick<ConsensusState, 'config' | 'highCommitQC'>, view: number): number {
  const behind = Math.max(0, view - s.highCommitQC.view - 1);
  const exponent = Math.min(behind, s.config.pacemaker.maxBackoffExponent);
  return s.config.pacemaker.baseTimeoutMs * 2 ** exponent;
}

/** Give up on the current view: sign (or resend) a timeout carrying our highest QC. */
function localTimeout(s: Working, out: ConsensusEffect[]): void {
  const view = s.view;
  if (s.lastTimeout !== null && s.lastTimeout.view === view) {
    out.push({ kind: 'broadcast', message: { type: 'timeout', timeout: s.lastTimeout, lastTC: s.viewTC } });
    return;
  }
  if (!canSign(s)) return;
  // Rule 2: only for the view right after the highest certificate, and never below lastVotedView.
  const certView = Math.max(s.highQC.view, s.highTC?.view ?? 0);
  if (view !== certView + 1 || view < s.lastVotedView) return;
  const signature = s.config.sign(timeoutMessage(s.chain.chainId, view, s.highQC.view));
  const timeout: TimeoutVote = { view, highQC: s.highQC, signer: s.config.self, signature };
  s.lastVotedView = view;
  s.highestTimeoutView = view;
  s.lastTimeout = timeout;
  persist(s, out);
  out.push({ kind: 'broadcast', message: { type: 'timeout', timeout, lastTC: s.viewTC } });
  addTimeout(s, out, timeout);
}

function enterView(s: Working, out: ConsensusEffect[], view: number, tc: TimeoutCert | null): void {
  s.view = view;
  s.viewTC = tc;
  s.awaitingPayload = 0;
  for (const old of s.votes.keys()) if (old < view - 1) s.votes.delete(old);
  for (const old of s.timeouts.keys()) if (old < view) s.timeouts.delete(old);
  for (const old of s.pending.keys()) if (old < view) s.pending.delete(old);
  for (const old of s.proposals.keys()) if (old < view - 1) s.proposals.delete(old);
  out.push({ kind: 'setTimer', view, delayMs: viewTimeout(s, view) });
  tryPropose(s, out);
}

/** As leader of the current view, ask the worker for leaves once the block to extend is known. */
function tryPropose(s: Working, out: ConsensusEffect[]): void {
  const view = s.view;
  if (leaderOf(view, s.chain.validators.length) !== s.config.self) return;
  if (s.awaitingPayload === view || view <= s.lastVotedView || !canSign(s)) return;
  if (s.highQC.view !== view - 1 && !(s.viewTC !== null && s.viewTC.view === view - 1)) return;
  const parent = findBlock(s, s.highQC.blockHash);
  if (parent === undefined) {
    requestSyncFor(s, out, s.highQC.blockHash, leaderOf(s.highQC.view, s.chain.validators.length));
    return;
  }
  s.awaitingPayload = view;
  out.push({ kind: 'requestPayload', view, parentHash: parent.hash, parentHeight: parent.block.height });
}

function handlePayload(s: Working, out: ConsensusEffect[], view: number, offered: readonly LogLeaf[]): void {
  if (view !== s.view || s.awaitingPayload !== view || view <= s.lastVotedView || !canSign(s)) return;
  const parent = findBlock(s, s.highQC.blockHash);
  if (parent === undefined) return;
  const tc = s.highQC.view === view - 1 ? null : s.viewTC;
  if (tc === null && s.highQC.view !== view - 1) return;
  // A proof id enters the log once: drop offered leaves already in the chain being extended.
  const isRepeat = repeatCheck(s, parent);
  let leaves = offered.filter((leaf) => !isRepeat(leaf.id)).slice(0, s.config.maxLeavesPerBlock);
  let built = s.config.payload.buildPayload(parent.context, leaves);
  if (!built.ok) {
    report(out, 'invalid_payload', `dropping the offered leaves: ${built.error.message}`);
    leaves = [];
    built = s.config.payload.buildPayload(parent.context, leaves);
    if (!built.ok) return;
  }
  const block: Block = { height: parent.block.height + 1, view, parent: parent.hash, leaves, treeHead: built.value.head, justify: s.highQC };
  const hash = blockHash(block, s.chain.chainId, s.chain.setHash, s.config.hasher);
  const entry: BlockEntry = { block, hash, hex: hexKey(hash), context: built.value.context };
  s.blocks.set(entry.hex, entry);
  s.proposals.set(view, entry.hex);
  s.awaitingPayload = 0;
  // The proposal leaves before the leader's own vote is made durable: it carries no signature of
  // the leader's, so it binds nothing (docs/consensus.md, Proposing). The vote is an ordinary one:
  // signVote stores the block and persists lastVotedView = view before the vote is delivered.
  out.push({ kind: 'broadcast', message: { type: 'proposal', block, tc } });
  const vote = signVote(s, out, entry, parent);
  deliverVote(s, out, vote);
}

// ---------------------------------------------------------------------------------------------
// Certificates, view changes and commits.

function checkQC(s: Working, out: ConsensusEffect[], qc: QuorumCert, from: number): boolean {
  const checked = cachedQCCheck(s)(qc);
  if (!checked.ok) report(out, 'invalid_certificate', `QC for view ${qc.view}: ${checked.error.message}`, from);
  return checked.ok;
}

function checkTC(s: Working, out: ConsensusEffect[], tc: TimeoutCert, from: number): boolean {
  const key = tcKey(tc);
  if (s.verified.has(key)) return true;
  const checked = verifyTimeoutCert(s.chain, tc, cachedQCCheck(s));
  if (!checked.ok) {
    report(out, 'invalid_certificate', `TC for view ${tc.view}: ${checked.error.message}`, from);
    return false;
  }
  rememberVerified(s, key);
  return true;
}

/** verifyQuorumCert through the cache of certificates this node already checked. */
function cachedQCCheck(s: Working): QuorumCertCheck {
  return (qc) => {
    const key = qcKey(qc);
    if (s.verified.has(key)) return { ok: true, value: undefined };
    const checked = verifyQuorumCert(s.chain, qc);
    if (checked.ok) rememberVerified(s, key);
    return checked;
  };
}

function observeCertificate(s: Working, view: number): void {
  if (s.recovery === null) return;
  if (s.recovery.floor !== null && view >= s.recovery.floor) s.recovery = null;
  else if (view > s.recovery.observed) s.recovery = { ...s.recovery, observed: view };
}

/** A verified signed message from `from` shows it had reached a certificate of view `provenView`. */
function observePeer(s: Working, from: number, provenView: number): void {
  const recovery = s.recovery;
  if (recovery === null || recovery.floor !== null) return;
  const heard = recovery.heard.includes(from) ? recovery.heard : [...recovery.heard, from];
  s.recovery = { ...recovery, heard, observed: Math.max(recovery.observed, provenView) };
  settleRecoveryFloor(s);
}

function settleRecoveryFloor(s: Working): void {
  const recovery = s.recovery;
  if (recovery === null || recovery.floor !== null || !recovery.timerFired) return;
  const peers = s.chain.validators.length - 1;
  if (recovery.heard.length < Math.min(s.chain.quorum, peers)) return;
  s.recovery = { ...recovery, floor: recovery.observed + 2 };
}

/** Take in a verified QC: raise the lock, commit what it certifies, and enter the view after it. */
function processQC(s: Working, out: ConsensusEffect[], qc: QuorumCert, source: number | null): void {
  if (qc.view > s.highQC.view) s.highQC = qc;
  if (!isZeroHash(qc.committedHash) && qc.view > s.highCommitQC.view) s.highCommitQC = qc;
  observeCertificate(s, qc.view);
  tryCommit(s, out, source);
  if (qc.view >= s.view) enterView(s, out, qc.view + 1, null);
}

function processTC(s: Working, out: ConsensusEffect[], tc: TimeoutCert, source: number | null): void {
  processQC(s, out, tc.highQC, source);
  if (s.highTC === null || tc.view > s.highTC.view) s.highTC = tc;
  observeCertificate(s, tc.view);
  if (tc.view >= s.view) enterView(s, out, tc.view + 1, tc);
}

/** Commit the block named by the highest commit QC, with every uncommitted ancestor. */
function tryCommit(s: Working, out: ConsensusEffect[], source: number | null): void {
  const qc = s.highCommitQC;
  if (isZeroHash(qc.committedHash) || bytesEqual(qc.committedHash, s.committed.hash)) return;
  const target = s.blocks.get(hexKey(qc.committedHash));
  if (target === undefined) {
    if (qc.view > s.committed.block.view + 1) {
      requestSyncFor(s, out, qc.committedHash, source ?? leaderOf(qc.view, s.chain.validators.length));
    }
    return;
  }
  // Defense in depth: when we hold the certified block, recheck the two-chain rule ourselves.
  const certified = s.blocks.get(hexKey(qc.blockHash));
  if (certified !== undefined && s.config.unsafe?.skipConsecutiveViewCheck !== true) {
    if (!bytesEqual(certified.block.parent, target.hash) || certified.block.view !== target.block.view + 1) {
      report(out, 'conflicting_commit', `QC of view ${qc.view} commits a block that is not its consecutive parent`);
      return;
    }
  }
  const chain: BlockEntry[] = [];
  let entry: BlockEntry | undefined = target;
  while (entry !== undefined && entry.block.height > s.committed.block.height) {
    chain.push(entry);
    entry = s.blocks.get(hexKey(entry.block.parent));
  }
  const base = chain[chain.length - 1];
  if (base === undefined || !bytesEqual(base.block.parent, s.committed.hash)) {
    report(out, 'conflicting_commit', `QC of view ${qc.view} commits a block that does not extend the committed chain`);
    return;
  }
  chain.reverse();
  out.push({ kind: 'commit', blocks: chain.map((e) => e.block), hashes: chain.map((e) => e.hash), certificate: qc, headContext: target.context });
  s.committed = { ...target, certificate: qc };
  pruneBelowCommitted(s);
}

function pruneBelowCommitted(s: Working): void {
  const head = s.committed;
  const kept = new Map<string, BlockEntry>();
  const ordered = [...s.blocks.values()].filter((e) => e.block.height > head.block.height).sort((a, b) => a.block.height - b.block.height);
  for (const entry of ordered) {
    const parentHex = hexKey(entry.block.parent);
    if (parentHex === head.hex || kept.has(parentHex)) kept.set(entry.hex, entry);
  }
  s.blocks = kept;
  if (s.syncTarget !== null && findBlock(s, s.syncTarget.hash) !== undefined) s.syncTarget = null;
}

// ---------------------------------------------------------------------------------------------
// Catch-up.

function findBlock(s: Working, hash: Hash): BlockEntry | undefined {
  if (bytesEqual(hash, s.committed.hash)) return s.committed;
  return s.blocks.get(hexKey(hash));
}

function nextPeer(s: Working, after: number): number {
  const n = s.chain.validators.length;
  let peer = (after + 1) % n;
  if (peer === s.config.self) peer = (peer + 1) % n;
  return peer;
}

/** Ask `peer` for the blocks up to `hash`; `retry` re-asks even if that hash was already requested. */
function requestSyncFor(s: Working, out: ConsensusEffect[], hash: Hash, peer: number, retry = false, fromHeight = s.committed.block.height + 1): void {
  if (s.chain.validators.length < 2) return;
  if (!retry && s.syncTarget !== null && bytesEqual(s.syncTarget.hash, hash)) return;
  const to = peer === s.config.self ? nextPeer(s, peer) : peer;
  s.syncTarget = { hash, peer: to };
  out.push({ kind: 'requestSync', to, fromHeight, targetHash: hash });
}

function handleSync(s: Working, out: ConsensusEffect[], from: number, blocks: readonly Block[], commitQC: QuorumCert | null): void {
  if (blocks.length > s.config.maxSyncBlocks) {
    report(out, 'invalid_sync', `${blocks.length} blocks exceed the sync limit of ${s.config.maxSyncBlocks}`, from);
    return;
  }
  let highestInserted = 0;
  for (const block of blocks) {
    if (block.height <= s.committed.block.height) continue;
    if (s.blocks.size >= MAX_UNCOMMITTED_BLOCKS) {
      report(out, 'invalid_sync', `holding ${s.blocks.size} uncommitted blocks already`, from);
      break;
    }
    const hash = blockHash(block, s.chain.chainId, s.chain.setHash, s.config.hasher);
    const hex = hexKey(hash);
    if (s.blocks.has(hex)) continue;
    const parent = findBlock(s, block.parent);
    if (parent === undefined) {
      report(out, 'invalid_sync', `block at height ${block.height} does not extend a known block`, from);
      break;
    }
    if (
      block.height !== parent.block.height + 1 ||
      block.view <= parent.block.view ||
      block.justify.view !== parent.block.view ||
      !bytesEqual(block.justify.blockHash, block.parent) ||
      block.leaves.length > s.config.maxLeavesPerBlock
    ) {
      report(out, 'invalid_sync', `block at height ${block.height} is malformed`, from);
      break;
    }
    if (!checkQC(s, out, block.justify, from)) break;
    const checked = validateLeaves(s, parent, block);
    if (!checked.ok) {
      report(out, 'invalid_sync', `block at height ${block.height}: ${checked.error.message}`, from);
      break;
    }
    s.blocks.set(hex, { block, hash, hex, context: checked.value });
    highestInserted = block.height;
    processQC(s, out, block.justify, from);
  }
  if (commitQC !== null && commitQC.view > s.highCommitQC.view && checkQC(s, out, commitQC, from)) processQC(s, out, commitQC, from);
  tryCommit(s, out, from);
  if (s.syncTarget !== null) {
    if (findBlock(s, s.syncTarget.hash) !== undefined) s.syncTarget = null;
    // A long gap arrives in bounded pieces: ask the same peer for the next piece right away.
    else if (highestInserted > 0) requestSyncFor(s, out, s.syncTarget.hash, from, true, Math.max(highestInserted, s.committed.block.height) + 1);
  }
  const waiting = s.pending.get(s.view);
  if (waiting !== undefined && findBlock(s, waiting.block.parent) !== undefined) {
    s.pending.delete(s.view);
    considerProposal(s, out, waiting);
  }
  tryPropose(s, out);
}

// ---------------------------------------------------------------------------------------------
// Helpers.

function persist(s: Working, out: ConsensusEffect[]): void {
  if (s.config.unsafe?.skipVotePersistence === true) return;
  out.push({ kind: 'persist', record: safetyRecordOf(s) });
}

function report(out: ConsensusEffect[], code: ReportCode, message: string, from?: number): void {
  out.push(from === undefined ? { kind: 'report', code, message } : { kind: 'report', code, message, from });
}

function signaturesHex(signatures: readonly Uint8Array[]): string {
  let text = '';
  for (const signature of signatures) text += hexKey(signature);
  return text;
}

// Cache keys hold the full content, so a forged certificate can never match a verified one.
function qcKey(qc: QuorumCert): string {
  return `q:${qc.view}:${hexKey(qc.blockHash)}:${hexKey(qc.committedHash)}:${qc.signers.join(',')}:${signaturesHex(qc.signatures)}`;
}

function tcKey(tc: TimeoutCert): string {
  return `t:${tc.view}:${tc.signers.join(',')}:${tc.highQCViews.join(',')}:${signaturesHex(tc.signatures)}:${qcKey(tc.highQC)}`;
}

function rememberVerified(s: Working, key: string): void {
  s.verified.add(key);
}

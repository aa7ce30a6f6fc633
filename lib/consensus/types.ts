// The objects HotStuff-2 works with (Malkhi & Nayak 2023, §3–4), as proofhub fixes them. Every
// byte array here is immutable by convention: the reducer never mutates a value it was given, so
// blocks and certificates are shared freely between states.
import type { SignatureVerifier } from '../crypto/types';
import type { Hasher } from '../crypto/sha256';
import type { Result } from '../errors';

/** 32-byte SHA-256 digest. */
export type Hash = Uint8Array;

/** One entry of the RFC 9162 log: the proof's signing key, its id and its signature. */
export interface LogLeaf {
  /** 32-byte Ed25519 public key that signed the proof. */
  readonly publicKey: Uint8Array;
  /** 32-byte proof id (SHA-256 of the JCS body). */
  readonly id: Uint8Array;
  /** 64-byte Ed25519 signature over the id bytes. */
  readonly sig: Uint8Array;
}

/** Size and root of the log after a block's leaves are appended (RFC 9162 §2.1.1). */
export interface TreeHead {
  readonly size: number;
  readonly root: Hash;
}

/**
 * 2f+1 votes for one block in one view. `signers` are validator indexes, strictly ascending, and
 * `signatures[i]` is signer `signers[i]`'s signature over voteMessage(chainId, view, blockHash,
 * committedHash). The genesis QC is the only one with no signers (view 0, the genesis block).
 */
export interface QuorumCert {
  readonly view: number;
  readonly blockHash: Hash;
  /** Hash of the block this QC commits (the certified block's parent when their views are consecutive), else 32 zero bytes. */
  readonly committedHash: Hash;
  readonly signers: readonly number[];
  readonly signatures: readonly Uint8Array[];
}

/**
 * A block of the chain. The hash is SHA-256 of the header encoding (encoding.ts), which binds
 * height, view, parent, tree head, validator set and the leaves; `justify` is the QC for `parent`
 * and is not hashed (any valid QC for the parent will do, and the parent hash pins which block).
 */
export interface Block {
  readonly height: number;
  readonly view: number;
  readonly parent: Hash;
  readonly leaves: readonly LogLeaf[];
  readonly treeHead: TreeHead;
  readonly justify: QuorumCert;
}

/** The fields a light client hashes: the block without its leaves and justify. */
export interface BlockHeader {
  readonly chainId: Uint8Array;
  readonly height: number;
  readonly view: number;
  readonly parent: Hash;
  readonly logSize: number;
  readonly logRoot: Hash;
  readonly validatorSetHash: Hash;
  readonly payloadHash: Hash;
}

export interface Vote {
  readonly view: number;
  readonly blockHash: Hash;
  readonly committedHash: Hash;
  readonly signer: number;
  readonly signature: Uint8Array;
}

/** A signed wish to leave `view`, carrying the sender's highest QC (Jolteon-style). */
export interface TimeoutVote {
  readonly view: number;
  readonly highQC: QuorumCert;
  readonly signer: number;
  /** Signature over timeoutMessage(chainId, view, highQC.view). */
  readonly signature: Uint8Array;
}

/**
 * 2f+1 timeouts for one view. Each signer signed (view, highQCViews[i]); `highQC` is the QC with
 * the largest of those views, carried whole so the next leader can extend it.
 */
export interface TimeoutCert {
  readonly view: number;
  readonly highQC: QuorumCert;
  readonly signers: readonly number[];
  readonly highQCViews: readonly number[];
  readonly signatures: readonly Uint8Array[];
}

export type ConsensusMessage =
  /** From the leader of block.view; `tc` is the TC of view-1 when justify is not the QC of view-1. */
  | { readonly type: 'proposal'; readonly block: Block; readonly tc: TimeoutCert | null }
  /** To the leader of vote.view + 1. */
  | { readonly type: 'vote'; readonly vote: Vote }
  /** Broadcast; `lastTC` lets a lagging receiver enter timeout.view when the sender got there by a TC. */
  | { readonly type: 'timeout'; readonly timeout: TimeoutVote; readonly lastTC: TimeoutCert | null };

/** What a validator must keep across crashes (CONSENSUS.md, safety rule 3). */
export interface SafetyRecord {
  readonly chainId: Uint8Array;
  /** Highest view this key signed a vote or a timeout for. */
  readonly lastVotedView: number;
  /** The lock: highest QC seen when the record was written. */
  readonly lockedQC: QuorumCert;
  readonly highestTimeoutView: number;
  /** Highest TC seen, so a restart can re-enter the view it had reached by timeouts. */
  readonly highTC: TimeoutCert | null;
  /** The last vote signed, resent if the same proposal comes again (rule 1). */
  readonly lastVote: Vote | null;
  /** The last timeout signed, resent instead of signing a second one for its view. */
  readonly lastTimeout: TimeoutVote | null;
}

/** Opaque per-block state of the payload rules (for the Merkle log: the tree's right edge). */
export type PayloadContext = unknown;

/**
 * Pure payload checks injected into the core so it stays independent of proof semantics. Both
 * functions must be deterministic and must not throw.
 */
export interface PayloadRules {
  /** Tree head and context of the empty log the genesis block carries. */
  genesis(): { readonly head: TreeHead; readonly context: PayloadContext };
  /** Check leaves appended to the parent's context yield exactly `claimed`; returns the child's context. */
  validatePayload(parent: PayloadContext, leaves: readonly LogLeaf[], claimed: TreeHead): Result<PayloadContext>;
  /** Append leaves (a leader building its proposal); fails if they would not validate. */
  buildPayload(parent: PayloadContext, leaves: readonly LogLeaf[]): Result<{ readonly head: TreeHead; readonly context: PayloadContext }>;
}

export interface PacemakerConfig {
  /** View timeout with no backlog of failed views, in ms. */
  readonly baseTimeoutMs: number;
  /** The timeout doubles per view since the last commit, up to 2^maxBackoffExponent × base. */
  readonly maxBackoffExponent: number;
}

/** Test-only switches that remove a safety rule, so the simulator can prove it notices. Never set in production. */
export interface UnsafeKnobs {
  /** Commit the parent of any certified block, dropping the consecutive-view check. */
  readonly skipConsecutiveViewCheck?: boolean;
  /** Send votes and timeouts without persisting the safety record first (rules 1 and 3). */
  readonly skipVotePersistence?: boolean;
}

export interface ConsensusConfig {
  /** 32 bytes naming the chain (the genesis file's hash); part of every signed message. */
  readonly chainId: Uint8Array;
  /** Ordered validator public keys; the leader of view v is validators[v mod n]. n = 3f+1. */
  readonly validators: readonly Uint8Array[];
  /** This node's index in `validators`. */
  readonly self: number;
  /** Signs with this node's key (Ed25519 in production). Synchronous: the reducer cannot await. */
  readonly sign: (message: Uint8Array) => Uint8Array;
  /** Checks every peer signature (One Ed25519 rule). */
  readonly verifier: SignatureVerifier;
  readonly payload: PayloadRules;
  readonly pacemaker: PacemakerConfig;
  /** Largest number of leaves a proposal may carry. */
  readonly maxLeavesPerBlock: number;
  /** Largest number of blocks accepted from one sync answer. */
  readonly maxSyncBlocks: number;
  /**
   * True when a leaf with this proof id is already in the worker's committed log. A block that
   * repeats such an id, or one in its uncommitted ancestors or the committed head, gets no vote (a
   * leader drops such leaves from its payload). Without it only repeats within the block and its
   * uncommitted ancestors are refused.
   */
  readonly isCommittedId?: (id: Uint8Array) => boolean;
  /**
   * SHA-256 for block hashes (payload and header). Default: @noble/hashes. A worker passes
   * node:crypto: the payload hash covers 128 bytes a leaf and runs once per block and validator.
   */
  readonly hasher?: Hasher;
  readonly unsafe?: UnsafeKnobs;
}

/** A committed block as the worker stores it, enough to restart from. */
export interface CommittedHead {
  readonly block: Block;
  /** Payload context after this block (the Merkle frontier). */
  readonly context: PayloadContext;
  /** The QC whose committedHash is this block's hash, or the genesis QC for the genesis block. */
  readonly certificate: QuorumCert;
}

export interface RestoreData {
  /** The record last persisted; null if it is missing or failed its checksum. */
  readonly safety: SafetyRecord | null;
  /** The highest committed block in the node's store; omit for a fresh node at genesis. */
  readonly committed?: CommittedHead;
  /** Blocks stored by `storeBlock` effects above the committed head (any order; unusable ones are skipped). */
  readonly blocks?: readonly Block[];
  /**
   * Only read when `safety` is null: the highest view this key may have signed in, if the worker
   * knows a bound (e.g. from peers' reports). The node signs nothing until it holds a certificate
   * for a view at least this high. Without it, the node watches one view timeout and takes the
   * highest certificate view it saw, plus one.
   */
  readonly signFloorView?: number;
}

export type ConsensusInput =
  | { readonly kind: 'start'; readonly restore?: RestoreData }
  /** A message whose sender the transport has authenticated as validator `from`. */
  | { readonly kind: 'message'; readonly from: number; readonly message: ConsensusMessage }
  /** The timer set by a `setTimer` effect for `view` fired. */
  | { readonly kind: 'timer'; readonly view: number }
  /** Leaves the worker picked (from its mempool) for the proposal asked for by `requestPayload`. */
  | { readonly kind: 'payload'; readonly view: number; readonly leaves: readonly LogLeaf[] }
  /** Blocks fetched from a peer after a `requestSync`, ascending by height, plus its highest commit QC. */
  | { readonly kind: 'sync'; readonly from: number; readonly blocks: readonly Block[]; readonly commitQC: QuorumCert | null };

export type ReportCode =
  | 'invalid_message'
  | 'invalid_signature'
  | 'invalid_certificate'
  | 'not_leader'
  | 'invalid_block'
  | 'invalid_payload'
  | 'equivocation'
  | 'conflicting_commit'
  | 'refused_to_sign'
  | 'invalid_sync'
  | 'internal_error';

export type ConsensusEffect =
  /** Write durably (fsync) before carrying out any later effect of the same step. */
  | { readonly kind: 'persist'; readonly record: SafetyRecord }
  /**
   * Store a block this node is about to vote for (or propose), durably before any later effect
   * of the same step: a certified block is then on the disk of every honest voter, so a chain whose
   * validators all restart can still extend its lock. Give such blocks back in RestoreData.blocks.
   */
  | { readonly kind: 'storeBlock'; readonly block: Block; readonly hash: Hash }
  | { readonly kind: 'send'; readonly to: number; readonly message: ConsensusMessage }
  /** To every other validator. */
  | { readonly kind: 'broadcast'; readonly message: ConsensusMessage }
  /**
   * Blocks newly final, ascending by height and hash-linked to the previous commit. The last one
   * is certified by `certificate` (its committedHash is that block's hash); `headContext` is the
   * payload context after it, to store for restarts.
   */
  | { readonly kind: 'commit'; readonly blocks: readonly Block[]; readonly hashes: readonly Hash[]; readonly certificate: QuorumCert; readonly headContext: PayloadContext }
  /** Deliver {kind:'timer', view} after delayMs; supersedes earlier timers. */
  | { readonly kind: 'setTimer'; readonly view: number; readonly delayMs: number }
  /** This node leads `view`: answer with {kind:'payload', view, leaves} (leaves not already in the chain ending at parentHash). */
  | { readonly kind: 'requestPayload'; readonly view: number; readonly parentHash: Hash; readonly parentHeight: number }
  /** Fetch blocks from height `fromHeight` up to `targetHash` from validator `to`; answer with {kind:'sync'}. */
  | { readonly kind: 'requestSync'; readonly to: number; readonly fromHeight: number; readonly targetHash: Hash }
  /** Something a peer sent was wrong, or the node refused to act; for logs and metrics. */
  | { readonly kind: 'report'; readonly code: ReportCode; readonly message: string; readonly from?: number };

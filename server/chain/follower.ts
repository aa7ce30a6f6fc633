// The commit follower: reads WS /commits?from=H from one validator (failing over to the others)
// and trusts none of them. For every block record it checks the header hash (recomputed from the
// block), the hash link to the previous block, and the tree head (recomputed from the hub's own
// log plus the block's leaves); a run of blocks is adopted only when it ends at a block whose
// commit certificate verifies against the genesis validator set (verifyCommitCertificate, 2f+1
// signatures). Then, in one transaction: the blocks, the leaves, the certified head, and every
// pending proof whose leaf is now in the log becomes `verified` with its anchor (leaf index,
// block, the certified head and an RFC 9162 inclusion proof to it). A record that fails a check
// drops the uncertified run, raises an alert and moves to the next validator.
import WebSocket from 'ws';
import type { Logger } from 'pino';
import { bytesEqual, bytesToHex } from '@/lib/bytes';
import { blockHeaderToJson, quorumCertToJson, verifyCommitCertificate } from '@/lib/consensus';
import { inclusionProofToJson, leafHash } from '@/lib/merkle';
import type { MerkleFrontier } from '@/lib/merkle';
import type { SignatureVerifier } from '@/lib/crypto/types';
import { parseCommittedRecord } from '@/workers/records';
import type { CommittedBlockRecord } from '@/workers/records';
import { nodeHasher } from '../crypto/sha256-node';
import type { Db } from '../db/types';
import { metrics } from '../observability/metrics';
import { raiseAlert } from './alerts';
import { threadOf } from './broadcast';
import type { ChainBroadcaster, StatusChange } from './broadcast';
import type { ChainPins } from './config';
import type { LogMirror } from './log-mirror';
import type { ChainTracer } from './trace';

/** Blocks waiting for a certificate beyond this are refused (a validator withholding it). */
const MAX_UNCERTIFIED = 512;
const RECONNECT_MIN_MS = 200;
const RECONNECT_MAX_MS = 5000;
/** A whole match of pending anchors at least every this many adoptions (see #sinceWholeMatch). */
const WHOLE_MATCH_EVERY = 16;
/**
 * The followed validator is left for another when nothing was adopted for STALL_MS while another
 * validator reports a height at least LAG_BLOCKS above the hub's tip (see #stalledOn).
 */
const STALL_MS = 4000;
const LAG_BLOCKS = 2;
const STALL_CHECK_MS = 1000;

export interface FollowerOptions {
  db: Db;
  urls: readonly string[];
  pins: ChainPins;
  mirror: LogMirror;
  verifier: SignatureVerifier;
  broadcaster: ChainBroadcaster;
  logger: Logger;
  now?: () => Date;
  /** Stage timings (`received`, `certified`, `adopted`). */
  tracer?: ChainTracer;
  /**
   * The committed height each validator (by index in `urls`) last reported on GET /status, null
   * when it did not answer (HeadWatcher.heights). Unverified: it only says where to look; what
   * is adopted is checked as always.
   */
  heights?: () => readonly (number | null)[];
  /** Stall detection timings (tests). */
  stallMs?: number;
}

export interface Tip {
  height: number;
  hash: Uint8Array;
}

class Refusal extends Error {
  constructor(
    readonly kind: string,
    message: string,
    readonly detail: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export class CommitFollower {
  readonly #options: FollowerOptions;
  #stopped = false;
  #socket: WebSocket | null = null;
  #validator = 0;
  #loop: Promise<void> | null = null;
  #wake: (() => void) | null = null;
  /** Last certified block adopted (stored). */
  #tip: Tip | null = null;
  #pending: CommittedBlockRecord[] = [];
  /** Frontier after the stored log plus the pending blocks' leaves. */
  #frontier: MerkleFrontier | null = null;
  #needsReset = false;
  /**
   * The next adoption also matches pending anchors against leaves the log held before its run
   * (see #adopt) while asked ≠ done: on the first adoption after start, and after matchAllPending().
   */
  #matchAllAsked = 1;
  #matchAllDone = 0;
  /**
   * Adoptions since the last whole match. Every WHOLE_MATCH_EVERY-th adoption matches every
   * pending anchor anyway: a safety net, so that a leaf that reached a block by a path the per-run
   * match does not see (one CI run saw a badge stay `anchored`, cause not found) is anchored within
   * a few blocks instead of at the next restart. Its cost is one join every few seconds.
   */
  #sinceWholeMatch = 0;
  /** When the current stream opened or last adopted a run (ms). */
  #progressAt = 0;
  /** The validator to follow next, chosen by the stall check. */
  #next: number | null = null;

  constructor(options: FollowerOptions) {
    this.#options = options;
  }

  /**
   * A validator answered `committed` for a leaf the hub submitted: it may sit in a block adopted
   * before the proof's anchor row existed (another hub, or an import, submitted it first), which
   * the per-run match cannot see. The next adoption matches every pending anchor.
   */
  matchAllPending(): void {
    this.#matchAllAsked++;
  }

  start(): void {
    this.#loop ??= this.#run();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#socket?.terminate();
    this.#wake?.();
    await this.#loop;
  }

  async #run(): Promise<void> {
    const { urls, logger } = this.#options;
    let backoff = RECONNECT_MIN_MS;
    while (!this.#stopped) {
      const url = urls[this.#validator % urls.length] as string;
      let progressed = false;
      try {
        if (this.#needsReset) {
          await this.#options.mirror.reset();
          this.#needsReset = false;
        }
        await this.#loadTip();
        progressed = await this.#follow(url);
      } catch (error) {
        logger.warn({ err: error, url }, 'chain: commit stream ended');
      }
      if (this.#stopped) break;
      const next = this.#next;
      this.#next = null;
      this.#validator = next ?? this.#validator + 1;
      backoff = progressed || next !== null ? RECONNECT_MIN_MS : Math.min(RECONNECT_MAX_MS, backoff * 2);
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
        setTimeout(resolve, this.#validator % urls.length === 0 && next === null ? backoff : RECONNECT_MIN_MS);
      });
      this.#wake = null;
    }
  }

  async #loadTip(): Promise<void> {
    const last = await this.#options.db.chainBlock.findFirst({ orderBy: { height: 'desc' }, select: { height: true, hash: true } });
    this.#tip = last === null ? { height: 0, hash: this.#options.pins.genesisBlockHash } : { height: Number(last.height), hash: Buffer.from(last.hash, 'hex') };
    this.#pending = [];
    this.#frontier = await this.#options.mirror.sync((log) => {
      const frontier = log.frontier();
      if (!frontier.ok) throw new Error(frontier.error.message);
      return frontier.value;
    });
  }

  /** Follows one validator until the stream ends or a record is refused; true if it adopted blocks. */
  #follow(url: string): Promise<boolean> {
    const from = (this.#tip?.height ?? 0) + 1;
    const wsUrl = `${url.replace(/^http/, 'ws')}/commits?from=${from}`;
    return new Promise<boolean>((resolve) => {
      let progressed = false;
      let chain = Promise.resolve();
      /** Messages received and not yet handled: a busy hub working through them is not a silent stream. */
      let unhandled = 0;
      const socket = new WebSocket(wsUrl, { maxPayload: 32 * 1024 * 1024, handshakeTimeout: 3000 });
      this.#socket = socket;
      this.#progressAt = this.#nowMs();
      // A validator can hang, or lose its peers, with its stream open and silent while the others
      // commit: the hub would wait on it for ever (its badges stuck at `anchored`).
      const stallCheck = setInterval(() => {
        if (unhandled > 0) return;
        const ahead = this.#stalledOn(url);
        if (ahead === null) return;
        this.#options.logger.warn({ url, tip: this.#tip?.height ?? 0, ahead: this.#options.urls[ahead], height: this.#options.heights?.()[ahead] }, 'chain: the followed validator is behind the others; following another');
        metrics.chainFollowerSwitches.inc();
        this.#next = ahead;
        socket.terminate();
      }, Math.min(STALL_CHECK_MS, this.#options.stallMs ?? STALL_MS));
      const finish = () => {
        clearInterval(stallCheck);
        chain.then(() => resolve(progressed), () => resolve(progressed));
      };
      socket.on('message', (data: Buffer) => {
        unhandled++;
        chain = chain.then(async () => {
          if (this.#stopped || socket.readyState !== WebSocket.OPEN) return;
          try {
            if (await this.#handle(data.toString('utf8'), url)) {
              progressed = true;
              this.#progressAt = this.#nowMs();
            }
          } catch (error) {
            if (error instanceof Refusal) {
              await raiseAlert(this.#options.db, this.#options.logger, { kind: error.kind, message: error.message, source: url, detail: error.detail });
            } else {
              this.#options.logger.error({ err: error, url }, 'chain: processing a commit failed');
            }
            socket.terminate();
          }
        }).finally(() => {
          unhandled--;
        });
      });
      socket.on('error', (error) => this.#options.logger.debug({ err: error, url }, 'chain: commit stream error'));
      socket.on('close', finish);
    });
  }

  #nowMs(): number {
    return (this.#options.now?.() ?? new Date()).getTime();
  }

  /**
   * The validator to follow instead of `url`, when the stream has adopted nothing for the stall
   * time while another validator reports a height LAG_BLOCKS or more above the hub's tip: the
   * highest such one (never `url` itself, so a validator that claims heights it does not serve
   * is left at the next stall). Null while the stream keeps up.
   */
  #stalledOn(url: string): number | null {
    if (this.#nowMs() - this.#progressAt < (this.#options.stallMs ?? STALL_MS)) return null;
    const heights = this.#options.heights?.() ?? [];
    const tip = this.#tip?.height ?? 0;
    let best: number | null = null;
    let bestHeight = tip + LAG_BLOCKS - 1;
    heights.forEach((height, index) => {
      if (height !== null && height > bestHeight && this.#options.urls[index] !== url) {
        best = index;
        bestHeight = height;
      }
    });
    return best;
  }

  /** One stream message; true when it completed a certified run. Throws Refusal on a bad record. */
  async #handle(text: string, source: string): Promise<boolean> {
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      throw new Refusal('malformed_record', 'a commit-stream message is not JSON');
    }
    if (typeof message !== 'object' || message === null || (message as { type?: unknown }).type !== 'commit') return false;
    const record = parseCommittedRecord(this.#options.pins.identity, (message as { block?: unknown }).block);
    if (typeof record === 'string') throw new Refusal('malformed_record', record);
    const tracer = this.#options.tracer;
    tracer?.emit('received', () => record.block.leaves.map((leaf) => bytesToHex(leaf.id)));
    const tip = this.#pending.at(-1) ?? this.#tip;
    if (tip === null || this.#frontier === null) throw new Error('follower not started');
    if (record.height <= (this.#tip?.height ?? 0) && this.#pending.length === 0) {
      await this.#checkKnown(record);
      return false;
    }
    const parentHash = tip.hash;
    if (record.height !== tip.height + 1) throw new Refusal('gap', `expected block ${tip.height + 1}, got ${record.height}`, { height: record.height });
    if (!bytesEqual(record.block.parent, parentHash)) {
      throw new Refusal('fork', `block ${record.height} does not link to block ${tip.height} the hub holds`, { height: record.height, parent: bytesToHex(record.block.parent), expected: bytesToHex(parentHash) });
    }
    const frontier = this.#frontier.clone();
    for (const leaf of record.block.leaves) frontier.append(leafHash(leaf.id, leaf.sig, nodeHasher));
    if (frontier.size !== record.block.treeHead.size || !bytesEqual(frontier.root(), record.block.treeHead.root)) {
      throw new Refusal('tree_head_mismatch', `block ${record.height} names tree head ${record.block.treeHead.size} that the hub's log does not give`, { height: record.height });
    }
    this.#pending.push(record);
    this.#frontier = frontier;
    if (record.certificate === null) {
      if (this.#pending.length > MAX_UNCERTIFIED) throw new Refusal('uncertified', `${this.#pending.length} blocks without a commit certificate`);
      return false;
    }
    const certified = verifyCommitCertificate(this.#options.pins.pinned, record.header, record.certificate, this.#options.verifier);
    if (!certified.ok) {
      throw new Refusal('bad_certificate', `the commit certificate of block ${record.height} is refused: ${certified.error.code}`, { height: record.height, code: certified.error.code });
    }
    const run = this.#pending;
    tracer?.emit('certified', () => run.flatMap((block) => block.block.leaves.map((leaf) => bytesToHex(leaf.id))));
    await this.#adopt(run, record, source);
    this.#pending = [];
    this.#tip = { height: record.height, hash: record.hash };
    return true;
  }

  /** A block the hub already holds (an overlapping backfill): it must be the same block. */
  async #checkKnown(record: CommittedBlockRecord): Promise<void> {
    const stored = await this.#options.db.chainBlock.findUnique({ where: { height: BigInt(record.height) }, select: { hash: true } });
    if (stored !== null && stored.hash !== bytesToHex(record.hash)) {
      throw new Refusal('fork', `block ${record.height} differs from the certified block the hub holds`, { height: record.height, stored: stored.hash, seen: bytesToHex(record.hash) });
    }
  }

  /** Stores a certified run and verifies the proofs it anchors, in one transaction. */
  async #adopt(run: readonly CommittedBlockRecord[], head: CommittedBlockRecord, source: string): Promise<void> {
    const { db, mirror } = this.#options;
    const headSize = head.block.treeHead.size;
    const root = bytesToHex(head.block.treeHead.root);
    let changes: (StatusChange & { receivedAt: Date })[] = [];
    const asked = this.#matchAllAsked;
    const matchAll = asked !== this.#matchAllDone || this.#sinceWholeMatch + 1 >= WHOLE_MATCH_EVERY;
    await mirror.run(async (log) => {
      const leaves: { leafIndex: bigint; leafHash: string; blockHeight: bigint }[] = [];
      for (const record of run) {
        for (const leaf of record.block.leaves) {
          const hash = leafHash(leaf.id, leaf.sig, nodeHasher);
          const index = log.append(hash);
          leaves.push({ leafIndex: BigInt(index), leafHash: bytesToHex(hash), blockHeight: BigInt(record.height) });
        }
      }
      if (log.size !== headSize || bytesToHex(log.root()) !== root) {
        this.#needsReset = true;
        throw new Error(`log root after block ${head.height} differs from the certified root`);
      }
      try {
        changes = await db.$transaction(async (tx) => {
          await tx.chainBlock.createMany({
            data: run.map((record) => ({
              height: BigInt(record.height),
              hash: bytesToHex(record.hash),
              parent: bytesToHex(record.block.parent),
              view: BigInt(record.block.view),
              treeSize: BigInt(record.block.treeHead.size),
              root: bytesToHex(record.block.treeHead.root),
              leafCount: record.block.leaves.length,
              certifiedBy: BigInt(head.height),
            })),
          });
          if (leaves.length > 0) await tx.chainLeaf.createMany({ data: leaves });
          await tx.chainHead.create({
            data: {
              height: BigInt(head.height),
              blockHash: bytesToHex(head.hash),
              treeSize: BigInt(headSize),
              root,
              header: blockHeaderToJson(head.header),
              qc: quorumCertToJson(head.certificate as NonNullable<CommittedBlockRecord['certificate']>),
              source,
            },
          });
          // Every pending proof whose leaf is in the log now is anchored to this head. Normally
          // those are the proofs of this run's leaves, found by leaf hash (two index lookups per
          // leaf: the cost of a run, not of the history). A leaf committed before its proof's
          // anchor row existed (a proof another hub submitted first) is in no later run: after
          // start and after matchAllPending() every pending anchor is joined to the whole log.
          // An empty run with nothing to match writes its blocks and head only: most runs at a
          // low rate are empty blocks (the 3-chain commit), and the pending-anchor join was the
          // hub's largest PGlite cost, growing with the log (docs/performance.md "Badges").
          // `mark` is the status log's last index before this transaction's status change: the
          // log rows our UPDATE's trigger writes come after it (see the stamping below).
          if (leaves.length === 0 && !matchAll) return [];
          const select = `SELECT a.proof_id, l.leaf_index, l.block_height, p.hub, p.type, p.ref_root, p.received_at,
                    (SELECT coalesce(max(status_index), 0) FROM proof_status_log) AS mark
               FROM proof_anchors a JOIN chain_leaves l ON l.leaf_hash = a.leaf_hash JOIN proofs p ON p.id = a.proof_id`;
          type Matched = { proof_id: string; leaf_index: bigint; block_height: bigint; hub: string; type: string; ref_root: string | null; received_at: Date; mark: bigint };
          const matched = matchAll
            ? await tx.$queryRawUnsafe<Matched[]>(`${select} WHERE a.head_height IS NULL`)
            : await tx.$queryRawUnsafe<Matched[]>(`${select} WHERE a.leaf_hash = ANY($1::text[]) AND l.leaf_hash = ANY($1::text[]) AND a.head_height IS NULL`, leaves.map((leaf) => leaf.leafHash));
          if (matched.length === 0) return [];
          const updates = matched.map((row) => {
            const proof = log.inclusionProof(Number(row.leaf_index), headSize);
            if (!proof.ok) throw new Error(proof.error.message);
            return { proof_id: row.proof_id, leaf_index: Number(row.leaf_index), block_height: Number(row.block_height), inclusion: inclusionProofToJson(proof.value, head.block.treeHead.root) };
          });
          await tx.$executeRawUnsafe(
            `UPDATE proof_anchors a SET leaf_index = v.leaf_index, block_height = v.block_height, head_height = $2, inclusion = v.inclusion, verified_at = now()
               FROM jsonb_to_recordset($1::jsonb) AS v(proof_id text, leaf_index bigint, block_height bigint, inclusion jsonb)
              WHERE a.proof_id = v.proof_id`,
            JSON.stringify(updates),
            BigInt(head.height),
          );
          const ids = matched.map((row) => row.proof_id);
          await tx.$executeRawUnsafe("UPDATE proofs SET status = 'verified' WHERE id = ANY($1::text[]) AND status IN ('signed', 'anchored')", ids);
          // Each event's status_index (a client's next status_since, docs/operations.md), read in
          // this transaction, so the broadcast needs no lookup of its own after the commit: the
          // log rows the UPDATE's trigger just wrote, found by primary key past `mark`.
          const stamped = new Map(
            (
              await tx.$queryRawUnsafe<{ proof_id: string; status_index: bigint }[]>(
                "SELECT proof_id, status_index FROM proof_status_log WHERE status_index > $1 AND status = 'verified' AND proof_id = ANY($2::text[])",
                (matched[0] as (typeof matched)[number]).mark,
                ids,
              )
            ).map((row) => [row.proof_id, Number(row.status_index)]),
          );
          const certificate = { header: blockHeaderToJson(head.header), qc: quorumCertToJson(head.certificate as NonNullable<CommittedBlockRecord['certificate']>) };
          return matched.map((row, i) => {
            const statusIndex = stamped.get(row.proof_id);
            return {
              event: {
                id: row.proof_id,
                hub: row.hub,
                status: 'verified' as const,
                anchor: { block_height: Number(row.block_height), leaf_index: Number(row.leaf_index), tree_size: headSize, root, inclusion: (updates[i] as (typeof updates)[number]).inclusion, certificate },
                ...(statusIndex === undefined ? {} : { status_index: statusIndex }),
              },
              thread: threadOf({ id: row.proof_id, type: row.type, refRoot: row.ref_root }),
              receivedAt: row.received_at,
            };
          });
        });
      } catch (error) {
        this.#needsReset = true;
        throw error;
      }
    });
    // Cleared only once the adoption committed (a failed one is retried with the same scope); a
    // matchAllPending() during it is kept for the next.
    this.#matchAllDone = asked;
    this.#sinceWholeMatch = matchAll ? 0 : this.#sinceWholeMatch + 1;
    this.#options.logger.debug({ from: run[0]?.height, to: head.height, leaves: run.reduce((n, record) => n + record.block.leaves.length, 0), verified: changes.length, matchAll }, 'chain: adopted a certified run');
    this.#options.tracer?.emit('adopted', () => changes.map((change) => change.event.id));
    const now = (this.#options.now?.() ?? new Date()).getTime();
    for (const change of changes) metrics.anchorLatency.observe(Math.max(0, now - new Date(change.receivedAt).getTime()) / 1000);
    if (changes.length > 0) this.#options.broadcaster.proofStatus(changes.map(({ event, thread }) => ({ event, thread })));
    this.#options.broadcaster.chainHead({ size: headSize, root, height: head.height });
  }
}

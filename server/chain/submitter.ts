// Hands every accepted proof's leaf {pub, id, sig} to the validators (POST /leaves), durably:
// the proof_anchors row is written before the first attempt, a proof stored while no validator
// answers stays pending, and a periodic scan (on the follower instance) picks up proofs without a
// row (a crash between store and row) and leaves admitted but still not committed after
// RESUBMIT_AFTER_MS (validators keep their mempools in memory only). Submission is idempotent:
// validators answer `duplicate` or `committed` for a leaf they already hold.
//
// Badge: a validator admitting the leaf (accepted, duplicate or committed) moves the proof from
// `signed` to `anchored` (docs/chain-anchoring.md, "Badge states").
import type { Logger } from 'pino';
import { base64urlToBytes, bytesToHex, hexToBytes } from '@/lib/bytes';
import { didKeyToPublicKey } from '@/lib/crypto/did-key';
import { leafHash } from '@/lib/merkle';
import { keyForSeq } from '@/lib/proof/identity';
import type { IdentityState } from '@/lib/proof/identity';
import { nodeHasher } from '../crypto/sha256-node';
import type { Db } from '../db/types';
import { loadIdentityState } from '../services/identities';
import { threadOf } from './broadcast';
import type { ChainBroadcaster, StatusChange } from './broadcast';
import { leavesAnswerSchema, rpcPost } from './rpc';
import type { ChainTracer } from './trace';

/** POST /leaves takes at most 1,000 leaves per request. */
export const MAX_BATCH = 1000;
export const RESUBMIT_AFTER_MS = 20_000;
const BATCH_DELAY_MS = 5;
const BACKOFF_MIN_MS = 100;
const BACKOFF_MAX_MS = 5000;

export interface SubmitterOptions {
  db: Db;
  urls: readonly string[];
  logger: Logger;
  broadcaster: ChainBroadcaster;
  now?: () => Date;
  /** Stage timings (`submitted`, `admitted`). */
  tracer?: ChainTracer;
  /**
   * A validator answered `committed`: the leaf may be in a block the follower adopted before this
   * proof's anchor row existed (CommitFollower.matchAllPending).
   */
  onCommitted?: () => void;
}

/** One entry of identity_views.keys: this did:key signs from from_seq on (server/services/views.ts). */
interface ViewKey {
  key: string;
  from_seq: number;
}

/** The key that signs seq by an identity view's key table (hex), as keyForSeq would answer; undefined if it cannot tell. */
export function keyFromView(keys: unknown, seq: number): string | undefined {
  if (!Array.isArray(keys)) return undefined;
  let chosen: ViewKey | undefined;
  for (const entry of keys as readonly unknown[]) {
    const { key, from_seq: fromSeq } = (entry ?? {}) as Partial<ViewKey>;
    if (typeof key !== 'string' || typeof fromSeq !== 'number' || fromSeq > seq) continue;
    if (chosen === undefined || fromSeq >= chosen.from_seq) chosen = { key, from_seq: fromSeq };
  }
  if (chosen === undefined) return undefined;
  const key = didKeyToPublicKey(chosen.key);
  return key.ok ? bytesToHex(key.value) : undefined;
}

interface LeafRow {
  proofId: string;
  hub: string;
  thread: string | null;
  status: string;
  leaf: { pub: string; id: string; sig: string };
  leafHash: string;
}

export class LeafSubmitter {
  readonly #options: SubmitterOptions;
  readonly #queue = new Set<string>();
  #timer: NodeJS.Timeout | null = null;
  #running = false;
  #closed = false;
  #validator = 0;
  #backoffMs = 0;
  #idle: Promise<void> = Promise.resolve();
  /** Admissions being recorded (#record), off the submission loop. */
  readonly #recording = new Set<Promise<void>>();
  /** scan(): every proof with log_index ≤ this had an anchor row at an earlier scan. */
  #scannedTo = 0n;

  constructor(options: SubmitterOptions) {
    this.#options = options;
  }

  /** Queues proofs for submission (ids of stored proofs). */
  enqueue(ids: Iterable<string>): void {
    if (this.#closed) return;
    for (const id of ids) this.#queue.add(id);
    this.#schedule(this.#backoffMs > 0 ? this.#backoffMs : BATCH_DELAY_MS);
  }

  get pending(): number {
    return this.#queue.size;
  }

  /**
   * Finds proofs to (re)submit: stored proofs without an anchor row, and rows admitted more than
   * RESUBMIT_AFTER_MS ago (or never) that are still not verified. Returns how many it queued.
   *
   * Incremental: it runs every few seconds on the database the ingest writes to (on PGlite one
   * session for the whole process), so it must not cost more as the log grows. Proofs commit in
   * log_index order (ingest holds the log-order lock from drawing the index to commit), so once
   * every proof up to the highest log_index read in a scan's snapshot has its anchor row, later
   * scans start above it; a proof still without one holds the mark below itself until it has.
   */
  async scan(limit = 5 * MAX_BATCH): Promise<number> {
    const { db } = this.#options;
    const rows = await db.$queryRawUnsafe<{ top: bigint | null; id: string | null; log_index: bigint | null }[]>(
      `SELECT t.top, m.id, m.log_index
         FROM (SELECT max(log_index) AS top FROM proofs) t
         LEFT JOIN LATERAL (
           SELECT p.id, p.log_index FROM proofs p
            WHERE p.log_index > $1 AND NOT EXISTS (SELECT 1 FROM proof_anchors a WHERE a.proof_id = p.id)
            ORDER BY p.log_index LIMIT $2
         ) m ON true`,
      this.#scannedTo,
      limit,
    );
    const missing = rows.filter((row): row is { top: bigint | null; id: string; log_index: bigint } => row.id !== null && row.log_index !== null);
    const first = missing[0];
    if (first !== undefined) this.#scannedTo = first.log_index - 1n;
    else if (rows[0]?.top !== null && rows[0]?.top !== undefined) this.#scannedTo = rows[0].top;
    const cutoff = new Date((this.#options.now?.() ?? new Date()).getTime() - RESUBMIT_AFTER_MS);
    const stale = await db.proofAnchor.findMany({
      where: { headHeight: null, OR: [{ submittedAt: null }, { submittedAt: { lt: cutoff } }] },
      orderBy: { createdAt: 'asc' },
      take: limit,
      select: { proofId: true },
    });
    // A leaf admitted long ago and still not committed: the validator that admitted it may be
    // out of consensus (catching up, cut off from its peers) with the leaf in its mempool only.
    // The retry goes to the next validator; a validator that holds it already answers `duplicate`.
    if (stale.length > 0) this.#validator++;
    const ids = [...missing.map((row) => row.id), ...stale.map((row) => row.proofId)];
    this.enqueue(ids);
    return ids.length;
  }

  /** Resolves once the queue is empty and no batch is in flight (tests, shutdown). */
  async drain(): Promise<void> {
    while ((this.#queue.size > 0 || this.#running || this.#recording.size > 0) && !this.#closed) await new Promise((resolve) => setTimeout(resolve, 20));
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer !== null) clearTimeout(this.#timer);
    await this.#idle;
    await Promise.all(this.#recording);
  }

  #schedule(delayMs: number): void {
    if (this.#timer !== null || this.#running || this.#closed) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#idle = this.#flush();
    }, delayMs);
  }

  async #flush(): Promise<void> {
    if (this.#running || this.#closed) return;
    this.#running = true;
    let failed = false;
    try {
      while (this.#queue.size > 0 && !this.#closed) {
        const ids = [...this.#queue].slice(0, MAX_BATCH);
        for (const id of ids) this.#queue.delete(id);
        const sent = await this.#submitBatch(ids).catch((error: unknown) => {
          this.#options.logger.warn({ err: error }, 'chain: leaf submission failed');
          return false;
        });
        if (!sent) {
          // Every validator refused or was unreachable: keep the ids, back off, try again.
          for (const id of ids) this.#queue.add(id);
          failed = true;
          break;
        }
        this.#backoffMs = 0;
      }
    } finally {
      this.#running = false;
    }
    if (failed) {
      this.#backoffMs = Math.min(BACKOFF_MAX_MS, Math.max(BACKOFF_MIN_MS, this.#backoffMs * 2));
      this.#schedule(this.#backoffMs);
    } else if (this.#queue.size > 0) {
      this.#schedule(BATCH_DELAY_MS);
    }
  }

  /** One batch: rows, leaves, POST with fail-over; false when no validator took it. */
  async #submitBatch(ids: readonly string[]): Promise<boolean> {
    const rows = await this.#prepare(ids);
    if (rows.length === 0) return true;
    const { urls, logger } = this.#options;
    for (let tried = 0; tried < urls.length; tried++) {
      const url = urls[this.#validator % urls.length] as string;
      try {
        this.#options.tracer?.emit('submitted', () => rows.map((row) => row.proofId));
        const answer = await rpcPost(`${url}/leaves`, { leaves: rows.map((row) => row.leaf) }, leavesAnswerSchema);
        // Recording the admission (a database write and the `anchored` event) does not hold the
        // next batch back: proofs stored meanwhile go to the validators while it runs.
        const recording = this.#record(rows, answer.results).catch((error: unknown) => logger.warn({ err: error }, 'chain: recording admitted leaves failed'));
        this.#recording.add(recording);
        void recording.finally(() => this.#recording.delete(recording));
        return true;
      } catch (error) {
        logger.warn({ err: error, url }, 'chain: a validator did not take leaves; trying the next');
        this.#validator++;
      }
    }
    return false;
  }

  /** Loads the proofs, writes missing anchor rows, returns the leaves still to submit. */
  async #prepare(ids: readonly string[]): Promise<LeafRow[]> {
    const { db } = this.#options;
    const proofs = await db.proof.findMany({ where: { id: { in: [...ids] } }, select: { id: true, raw: true, issuer: true, seq: true, hub: true, type: true, refRoot: true, status: true } });
    const anchors = new Map(
      (await db.proofAnchor.findMany({ where: { proofId: { in: [...ids] } }, select: { proofId: true, pub: true, leafHash: true, headHeight: true } })).map((row) => [row.proofId, row]),
    );
    // Signing keys: one read of the issuers' identity views (their key table, kept by ingest in
    // the transaction that stores each identity proof); a full replay only for an issuer the
    // view cannot answer.
    const issuers = [...new Set(proofs.filter((proof) => anchors.get(proof.id)?.pub === undefined).map((proof) => proof.issuer))];
    const keyTables = new Map(
      issuers.length === 0
        ? []
        : (await db.identityView.findMany({ where: { did: { in: issuers } }, select: { did: true, keys: true } })).map((view) => [view.did, view.keys as unknown]),
    );
    const identities = new Map<string, IdentityState | null>();
    const rows: LeafRow[] = [];
    const created: { proofId: string; leafHash: string; pub: string }[] = [];
    for (const proof of proofs) {
      const anchor = anchors.get(proof.id);
      if (anchor?.headHeight !== null && anchor !== undefined) continue; // verified already
      const { sig } = JSON.parse(proof.raw) as { sig: string };
      let pub = anchor?.pub ?? keyFromView(keyTables.get(proof.issuer), proof.seq);
      if (pub === undefined) {
        if (!identities.has(proof.issuer)) identities.set(proof.issuer, await loadIdentityState(db, proof.issuer));
        const state = identities.get(proof.issuer);
        const key = state === null || state === undefined ? undefined : keyForSeq(state, proof.seq);
        if (key === undefined) {
          this.#options.logger.error({ proof: proof.id }, 'chain: no signing key for a stored proof; not submitted');
          continue;
        }
        pub = bytesToHex(key);
      }
      const hash = anchor?.leafHash ?? bytesToHex(leafHash(hexToBytes(proof.id), base64urlToBytes(sig), nodeHasher));
      if (anchor === undefined) created.push({ proofId: proof.id, leafHash: hash, pub });
      rows.push({ proofId: proof.id, hub: proof.hub, thread: threadOf(proof), status: proof.status, leaf: { pub, id: proof.id, sig }, leafHash: hash });
    }
    if (created.length > 0) await db.proofAnchor.createMany({ data: created, skipDuplicates: true });
    return rows;
  }

  /** Admitted leaves: submitted_at, attempts, and signed → anchored with a proof:status event. */
  async #record(rows: readonly LeafRow[], results: { leaf_hash: string; status?: string; error?: { code: string } }[]): Promise<void> {
    const { db, logger } = this.#options;
    const byHash = new Map(rows.map((row) => [row.leafHash, row]));
    const admitted: LeafRow[] = [];
    let committed = false;
    for (const result of results) {
      const row = byHash.get(result.leaf_hash);
      if (row === undefined) continue;
      if (result.status !== undefined) {
        admitted.push(row);
        if (result.status === 'committed') committed = true;
      }
      else if (result.error?.code === 'mempool_full') {
        this.#queue.add(row.proofId);
        this.#schedule(BATCH_DELAY_MS);
      }
      else logger.error({ proof: row.proofId, code: result.error?.code }, 'chain: a validator refused a leaf the hub accepted');
    }
    logger.debug({ leaves: rows.length, admitted: admitted.length, committed }, 'chain: validator answered a leaf submission');
    if (committed) this.#options.onCommitted?.();
    if (admitted.length === 0) return;
    const ids = admitted.map((row) => row.proofId);
    this.#options.tracer?.emit('admitted', () => ids);
    const now = this.#options.now?.() ?? new Date();
    // One statement (one round trip on a busy database): the anchor rows, then signed → anchored.
    const moved = await db.$queryRawUnsafe<{ id: string }[]>(
      `WITH noted AS (UPDATE proof_anchors SET submitted_at = $2, attempts = attempts + 1 WHERE proof_id = ANY($1::text[]))
       UPDATE proofs SET status = 'anchored' WHERE id = ANY($1::text[]) AND status = 'signed' RETURNING id`,
      ids,
      now,
    );
    const changed = new Set(moved.map((row) => row.id));
    const changes: StatusChange[] = admitted
      .filter((row) => changed.has(row.proofId))
      .map((row) => ({ event: { id: row.proofId, hub: row.hub, status: 'anchored' }, thread: row.thread }));
    if (changes.length > 0) this.#options.broadcaster.proofStatus(changes);
  }
}

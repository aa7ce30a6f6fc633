// Per-issuer hash chains (DESIGN.md, PROOF): seq starts at 1 and rises by one, prev is the id of
// the issuer's proof at seq - 1. Two different proofs with the same (issuer, seq) are a fork: the
// key holder signed two histories. checkChainLink is the hub's admission check against its stored
// head; ChainTracker checks any number of proofs of many issuers given in any order.
import { fail, ok } from '../errors';
import type { Failure, Result } from '../errors';

export interface ChainHead {
  readonly seq: number;
  readonly id: string;
}

/** What the chain rules read from a proof. SignedProof has these fields. */
export interface ChainLink {
  readonly issuer: string;
  readonly seq: number;
  readonly prev: string | null;
  readonly id: string;
}

export type ChainErrorCode = 'seq_gap' | 'prev_mismatch' | 'fork' | 'duplicate';

/**
 * Admission check of the next proof of one issuer against that issuer's current head (null: the
 * hub has no proof of this issuer yet). Results:
 * - ok(new head) when proof.seq = head.seq + 1 and proof.prev = head.id (seq 1 and prev null when
 *   there is no head);
 * - duplicate: the head itself again (an idempotent resubmission; the caller answers as before);
 * - fork: same seq as the head, different id (details: seq, first = head id, second = proof id);
 * - seq_gap: any other seq (details: expected, got). When got < expected, the caller compares
 *   with its stored proof at that seq: the same id is a duplicate, another id a fork
 *   (classifyChainConflict);
 * - prev_mismatch: the right seq but prev is not the head's id.
 */
export function checkChainLink(prevHead: ChainHead | null, proof: Omit<ChainLink, 'issuer'>): Result<ChainHead, ChainErrorCode> {
  const expected = prevHead === null ? 1 : prevHead.seq + 1;
  if (prevHead !== null && proof.seq === prevHead.seq) {
    if (proof.id === prevHead.id) return fail('duplicate', `proof ${proof.id} is already the chain head`, { seq: proof.seq, id: proof.id });
    return fail('fork', `a different proof already holds seq ${proof.seq}`, { seq: proof.seq, first: prevHead.id, second: proof.id });
  }
  if (proof.seq !== expected) {
    return fail('seq_gap', `seq ${proof.seq} does not follow the chain head: expected seq ${expected}`, { expected, got: proof.seq });
  }
  const expectedPrev = prevHead === null ? null : prevHead.id;
  if (proof.prev !== expectedPrev) {
    return fail('prev_mismatch', expectedPrev === null ? 'seq 1 must have prev null' : `prev must be ${expectedPrev}, the id of seq ${expected - 1}`, {
      expected: expectedPrev,
      got: proof.prev,
    });
  }
  return ok({ seq: proof.seq, id: proof.id });
}

/** A proof that reuses a stored proof's (issuer, seq): the same proof again, or a fork. */
export function classifyChainConflict(stored: ChainLink, incoming: ChainLink): 'duplicate' | 'fork' {
  return stored.id === incoming.id ? 'duplicate' : 'fork';
}

export interface SeqRange {
  readonly from: number;
  readonly to: number;
}

/** A chain failure, attached to the proofs it concerns (`ids`). */
export interface ChainFailure extends Failure<'seq_gap' | 'prev_mismatch' | 'fork'> {
  readonly issuer: string;
  readonly seq: number;
  readonly ids: readonly string[];
}

export interface IssuerChainReport<P extends ChainLink> {
  readonly issuer: string;
  /** Distinct proofs seen. */
  readonly count: number;
  readonly firstSeq: number;
  readonly lastSeq: number;
  /** The proof at lastSeq when it is the only one there, else null. */
  readonly head: ChainHead | null;
  /** Seqs absent between 1 and lastSeq: failures only with `complete`, always listed. */
  readonly missing: readonly SeqRange[];
  /** Lowest seq with two or more proofs, or null. */
  readonly forkSeq: number | null;
  /** Every pair of proofs at a forked seq: [first seen, other]. */
  readonly forks: readonly { readonly seq: number; readonly first: P; readonly second: P }[];
  readonly failures: readonly ChainFailure[];
}

export interface ChainReport<P extends ChainLink> {
  readonly ok: boolean;
  /** Sorted by issuer, so the report does not depend on the order proofs were added. */
  readonly issuers: readonly IssuerChainReport<P>[];
  readonly failures: readonly ChainFailure[];
}

export interface ChainReportOptions {
  /**
   * The proofs are meant to be whole chains (an issuer's export, a hub's log): a missing seq is
   * a seq_gap failure. Default false: a thread or a sample legitimately holds a few proofs of each
   * issuer, so missing seqs are only listed.
   */
  readonly complete?: boolean;
}

/**
 * Collects proofs of many issuers in any order (O(1) per add) and reports per issuer: forks with
 * both proofs as evidence, prev links that do not match the proof at seq - 1, and missing seqs.
 * The caller adds only proofs whose signatures it trusts: a forged proof must not be able to
 * fabricate a fork against an honest issuer (verifyProofSet checks signatures first).
 */
export class ChainTracker<P extends ChainLink = ChainLink> {
  readonly #issuers = new Map<string, Map<number, P[]>>();
  #count = 0;

  /** Adds a proof; the same id again is ignored. */
  add(proof: P): void {
    let bySeq = this.#issuers.get(proof.issuer);
    if (bySeq === undefined) {
      bySeq = new Map();
      this.#issuers.set(proof.issuer, bySeq);
    }
    const atSeq = bySeq.get(proof.seq);
    if (atSeq === undefined) bySeq.set(proof.seq, [proof]);
    else if (atSeq.some((other) => other.id === proof.id)) return;
    else atSeq.push(proof);
    this.#count++;
  }

  /** Distinct proofs added. */
  get size(): number {
    return this.#count;
  }

  /** Proofs of an issuer at a seq (first seen first). */
  proofsAt(issuer: string, seq: number): readonly P[] {
    return this.#issuers.get(issuer)?.get(seq) ?? [];
  }

  report(options: ChainReportOptions = {}): ChainReport<P> {
    const issuers = [...this.#issuers.keys()].sort();
    const reports = issuers.map((issuer) => reportIssuer(issuer, this.#issuers.get(issuer) ?? new Map<number, P[]>(), options.complete === true));
    const failures = reports.flatMap((report) => report.failures);
    return { ok: failures.length === 0, issuers: reports, failures };
  }
}

function reportIssuer<P extends ChainLink>(issuer: string, bySeq: ReadonlyMap<number, readonly P[]>, complete: boolean): IssuerChainReport<P> {
  const seqs = [...bySeq.keys()].sort((a, b) => a - b);
  const failures: ChainFailure[] = [];
  const forks: { seq: number; first: P; second: P }[] = [];
  const missing: SeqRange[] = [];
  let forkSeq: number | null = null;
  let count = 0;
  let expected = 1;
  for (const seq of seqs) {
    const atSeq = bySeq.get(seq) ?? [];
    count += atSeq.length;
    if (seq > expected) {
      const range = { from: expected, to: seq - 1 };
      missing.push(range);
      if (complete) {
        failures.push({
          code: 'seq_gap',
          message: range.from === range.to ? `seq ${range.from} is missing` : `seqs ${range.from}-${range.to} are missing`,
          details: { issuer, missing: range },
          issuer,
          seq,
          ids: atSeq.map((proof) => proof.id),
        });
      }
    }
    expected = seq + 1;

    const [first, ...others] = atSeq;
    if (first !== undefined && others.length > 0) {
      forkSeq ??= seq;
      for (const second of others) {
        forks.push({ seq, first, second });
        failures.push({
          code: 'fork',
          message: `issuer signed two proofs at seq ${seq}`,
          details: { issuer, seq, first, second },
          issuer,
          seq,
          ids: [first.id, second.id],
        });
      }
    }

    // prev must name a proof at seq - 1: checkable when seq - 1 is present (or seq is 1).
    const before = seq === 1 ? undefined : bySeq.get(seq - 1);
    if (seq === 1 || before !== undefined) {
      for (const proof of atSeq) {
        const linked = seq === 1 ? proof.prev === null : before?.some((candidate) => candidate.id === proof.prev) === true;
        if (!linked) {
          const expectedPrev = seq === 1 ? [null] : (before ?? []).map((candidate) => candidate.id);
          failures.push({
            code: 'prev_mismatch',
            message: seq === 1 ? 'seq 1 must have prev null' : `prev ${String(proof.prev)} is not the id of the issuer's proof at seq ${seq - 1}`,
            details: { issuer, seq, prev: proof.prev, expected: expectedPrev },
            issuer,
            seq,
            ids: [proof.id],
          });
        }
      }
    }
  }
  const lastSeq = seqs.length === 0 ? 0 : (seqs[seqs.length - 1] ?? 0);
  const atLast = bySeq.get(lastSeq) ?? [];
  const headProof = atLast.length === 1 ? atLast[0] : undefined;
  return {
    issuer,
    count,
    firstSeq: seqs[0] ?? 0,
    lastSeq,
    head: headProof === undefined ? null : { seq: headProof.seq, id: headProof.id },
    missing,
    forkSeq,
    forks,
    failures,
  };
}

// Proof admission: the one path by which a proof enters the hub (REST, Socket.IO, sign-up and
// identity binding all come here). Every check runs before anything is written, so a refused
// proof changes nothing, except a fork: a second validly signed proof at a stored (issuer, seq) is
// refused *and* recorded with both proofs (DESIGN.md, PROOF). The order of the checks is the
// order docs/api.md lists.
import { canonicalizeJson } from '@/lib/canonical-json';
import type { Hasher } from '@/lib/crypto/sha256';
import type { SignatureVerifier } from '@/lib/crypto/types';
import { checkChainLink } from '@/lib/proof/chain';
import type { ChainHead } from '@/lib/proof/chain';
import { checkContent, parseContent } from '@/lib/proof/content';
import { PROOF_LIMITS } from '@/lib/proof/limits';
import { measureJsonBytes, parseSignedProof, verifyProof } from '@/lib/proof/proof';
import type { VerifiedProof } from '@/lib/proof/proof';
import type { SignedProof, SignedProofOf } from '@/lib/proof/schema';
import { checkReplyLinks, checkTargetLink } from '@/lib/proof/thread';
import type { ProofNewEvent, ReactionCountEvent, SubmitResult } from '@/lib/protocol/events';
import type { ProofStatus } from '@/lib/protocol/views';
import { Prisma } from '../generated/prisma/client';
import type { Db, DbOrTx, Tx } from '../db/types';
import { refuse, refuseWith } from '../errors';
import type { ServiceFailure, ServiceResult } from '../errors';
import { KeyedMutex } from '../keyed-mutex';
import type { RateLimiter } from '../rate-limit';
import type { AgentIngestHooks, AgentPrincipal } from './agents';
import type { HubEvents } from './events';
import { hubAccess } from './hubs';
import { loadIssuerState } from './identities';
import { checkModerationTarget, checkModerator, moderationUpdate } from './moderation';
import { contentOf, loadSigner, toProofView } from './read-model';
import type { ProofRow } from './read-model';
import { applyProofToViews, threadAndHeadChange, threadAndHeadViews } from './views';
import type { PostOrReply, ThreadAndHeadRow, ViewChange } from './views';

/** JSON bytes of the content beside a proof: a 20 000-character body of 4-byte characters fits. */
export const MAX_CONTENT_BYTES = 96 * 1024;

/** pg_advisory_xact_lock key that orders proof inserts: "prooflog" as ASCII. */
export const LOG_ORDER_LOCK_KEY = '8102661203843379047';

/** Types a person submits over REST or Socket.IO; identity seq 1 goes through sign-up or bind. */
const SUBMITTABLE_TYPES: ReadonlySet<string> = new Set(['identity', 'key_rotation', 'post', 'reply', 'reaction', 'moderation', 'delegation', 'revocation']);
/** Types that must be in hub "public": an issuer's identity is not a hub's. */
const GLOBAL_TYPES: ReadonlySet<string> = new Set(['identity', 'key_rotation', 'delegation', 'revocation']);

export interface IngestDeps {
  db: Db;
  verifier: SignatureVerifier;
  hasher: Hasher;
  events: HubEvents;
  rateLimiter: RateLimiter;
  /** Admission time for the created_at skew check. */
  now: () => Date;
  onBroadcastError?: (error: unknown) => void;
  /** Agent rules (server/services/agents.ts); without them on_behalf_of is refused. */
  agents?: AgentIngestHooks;
}

export interface SubmitInput {
  proof: unknown;
  content?: unknown;
}

/** How an identity proof at seq 1 attaches to an account, in the same transaction as the proof. */
export type IdentityBinding =
  | { kind: 'create'; username: string; passwordHash: string; role: 'user' | 'admin'; userId: string }
  | { kind: 'bind'; userId: string };

export interface ProofIngest {
  /** POST /api/v1/proofs and proof:submit. null: not signed in; an AgentPrincipal: an agent's token. */
  submit(input: SubmitInput, actor: string | null | AgentPrincipal): Promise<ServiceResult<SubmitResult>>;
  /** Sign-up and identity binding: a seq-1 identity proof in hub "public", stored with the account change. */
  admitIdentity(input: unknown, binding: IdentityBinding): Promise<ServiceResult<{ did: string; id: string }>>;
}

/** Bundle import (server/services/import.ts): submit's checks without "the submitter is the issuer". */
export interface ImportAdmission {
  admitImported(input: SubmitInput, importerId: string): Promise<ServiceResult<SubmitResult>>;
}

interface StoredRow {
  id: string;
  raw: string;
  status: string;
  logIndex: bigint;
}

export function createProofIngest(deps: IngestDeps): ProofIngest & ImportAdmission {
  const { db } = deps;
  const issuerLocks = new KeyedMutex();

  async function submit(input: SubmitInput, actor: string | null | AgentPrincipal): Promise<ServiceResult<SubmitResult>> {
    const agent = typeof actor === 'object' && actor !== null ? actor : undefined;
    const userId = typeof actor === 'object' && actor !== null ? actor.userId : actor;
    if (userId === null) return refuse('not_signed_in', 'sign in to submit proofs');
    // Agents have their own per-agent and per-hub budgets (agents.ts admitActor), not their owner's.
    const rate = agent === undefined ? await deps.rateLimiter.consume(userId) : ({ allowed: true } as const);
    if (!rate.allowed) return refuse('rate_limited', `too many proofs: try again in ${rate.retryAfterSeconds} s`, { retryAfter: rate.retryAfterSeconds });

    const size = checkContentSize(input.content);
    if (!size.ok) return size;
    const parsed = parseSignedProof(input.proof);
    if (!parsed.ok) return refuseWith(parsed);
    const proof = parsed.value;
    if (!SUBMITTABLE_TYPES.has(proof.type) || (proof.type === 'identity' && proof.seq === 1 && agent === undefined)) {
      const hint = proof.type === 'identity' ? ': an account\'s first identity proof goes to POST /api/v1/auth/signup or /api/v1/identities/bind' : ' on this hub yet';
      return refuse('unsupported_type', `${proof.type} proofs are not accepted${hint}`);
    }
    if (deps.agents === undefined && 'on_behalf_of' in proof.claim && proof.claim.on_behalf_of !== undefined) {
      return refuse('unsupported_type', 'proofs on behalf of another issuer need agent support');
    }

    if (agent !== undefined) {
      const admitted = deps.agents === undefined ? refuse('unsupported_type', 'agents are not enabled') : await deps.agents.admitActor(proof, agent);
      if (!admitted.ok) return admitted;
    } else {
      const user = await db.user.findUnique({ where: { id: userId }, select: { did: true } });
      if (user === null) return refuse('not_signed_in', 'the session\'s account no longer exists');
      if (user.did === null) return refuse('no_identity', 'your account has no signing identity yet: bind one with POST /api/v1/identities/bind');
      if (user.did !== proof.issuer) return refuse('not_your_identity', 'the proof\'s issuer is not the identity bound to your account');
    }

    const hub = await checkHub(db, proof, userId);
    if (!hub.ok) return hub;
    if (proof.type === 'moderation') {
      const moderator = await checkModerator(db, userId);
      if (!moderator.ok) return moderator;
    }

    return issuerLocks.run(proof.issuer, async () => {
      // The key for this seq comes from the issuer's replayed identity (rotations included); the
      // chain head comes in the same statement.
      const { identity, head } = await loadIssuerState(db, proof.issuer);
      // An agent's inception (identity at seq 1) is signed by its did:key itself (verifyProof's default).
      if (identity === null && !(agent !== undefined && proof.seq === 1)) return refuse('unknown_key', `no identity proof of ${proof.issuer} is stored`);
      const verified = verifyProof(input.proof, deps.verifier, { now: deps.now(), hasher: deps.hasher, ...(identity === null ? {} : { identity }) });
      if (!verified.ok) return refuseWith(verified);

      const chain = await checkChain(db, verified.value, head);
      if (chain.kind === 'duplicate') return { ok: true, value: submitResult(chain.row, true) };
      if (chain.kind === 'refused') return chain.result;

      const delegated = (await deps.agents?.checkDelegation(db, verified.value, agent, deps.now())) ?? { ok: true };
      if (!delegated.ok) return delegated;
      const references = await checkReferences(db, verified.value);
      if (!references.ok) return references;
      const content = checkProofContent(verified.value, input.content, deps.hasher);
      if (!content.ok) return content;

      const stored = await store(verified.value, content.value, references.value, userId, null);
      if (!stored.ok) return stored;
      await deps.agents?.afterStore(verified.value);
      return { ok: true, value: submitResult(stored.value, false) };
    });
  }

  // An imported proof was admitted by another hub, maybe long ago: every check of submit applies
  // except that the importing admin is not its issuer, its created_at is not compared with now,
  // the per-user rate limit (import batches instead) and an inception needs no account.
  async function admitImported(input: SubmitInput, importerId: string): Promise<ServiceResult<SubmitResult>> {
    const size = checkContentSize(input.content);
    if (!size.ok) return size;
    const parsed = parseSignedProof(input.proof);
    if (!parsed.ok) return refuseWith(parsed);
    const proof = parsed.value;
    if (!SUBMITTABLE_TYPES.has(proof.type)) return refuse('unsupported_type', `${proof.type} proofs are not accepted`);
    if (deps.agents === undefined && 'on_behalf_of' in proof.claim && proof.claim.on_behalf_of !== undefined) {
      return refuse('unsupported_type', 'proofs on behalf of another issuer need agent support');
    }
    const hub = await checkHub(db, proof, importerId);
    if (!hub.ok) return hub;
    return issuerLocks.run(proof.issuer, async () => {
      const { identity, head } = await loadIssuerState(db, proof.issuer);
      if (identity === null && proof.seq !== 1) return refuse('unknown_key', `no identity proof of ${proof.issuer} is stored`);
      const verified = verifyProof(input.proof, deps.verifier, { hasher: deps.hasher, ...(identity === null ? {} : { identity }) });
      if (!verified.ok) return refuseWith(verified);
      const chain = await checkChain(db, verified.value, head);
      if (chain.kind === 'duplicate') return { ok: true, value: submitResult(chain.row, true) };
      if (chain.kind === 'refused') return chain.result;
      const delegated = (await deps.agents?.checkDelegation(db, verified.value, undefined, new Date(verified.value.created_at))) ?? { ok: true };
      if (!delegated.ok) return delegated;
      const references = await checkReferences(db, verified.value);
      if (!references.ok) return references;
      const content = checkProofContent(verified.value, input.content, deps.hasher);
      if (!content.ok) return content;
      const stored = await store(verified.value, content.value, references.value, importerId, null);
      if (!stored.ok) return stored;
      await deps.agents?.afterStore(verified.value);
      return { ok: true, value: submitResult(stored.value, false) };
    });
  }

  async function admitIdentity(input: unknown, binding: IdentityBinding): Promise<ServiceResult<{ did: string; id: string }>> {
    const parsed = parseSignedProof(input);
    if (!parsed.ok) return refuseWith(parsed);
    const proof = parsed.value;
    if (proof.type !== 'identity') return refuse('invalid_request', `expected an identity proof, got a ${proof.type} proof`);
    if (proof.hub !== 'public') return refuse('wrong_hub', 'an identity proof belongs to hub "public"');
    if (proof.seq !== 1) return refuse('seq_gap', 'an account binds a new identity: its identity proof has seq 1', { details: { expected: 1, got: proof.seq } });
    // seq 1 is signed by the inception key, the did:key itself (verifyProof's default).
    const verified = verifyProof(input, deps.verifier, { now: deps.now(), hasher: deps.hasher });
    if (!verified.ok) return refuseWith(verified);
    return issuerLocks.run(proof.issuer, async () => {
      const existing = await db.proof.findFirst({ where: { issuer: proof.issuer }, select: { id: true } });
      if (existing !== null) return refuse('did_taken', 'this identity already has proofs on the hub: make a new key');
      const stored = await store(verified.value, null, { thread: null }, binding.kind === 'bind' ? binding.userId : null, binding);
      if (!stored.ok) return stored;
      return { ok: true, value: { did: proof.issuer, id: proof.id } };
    });
  }

  /** Writes proof, content, views (and the account change) in one transaction, then broadcasts. */
  async function store(
    proof: VerifiedProof,
    content: Record<string, unknown> | null,
    references: { thread: string | null },
    submittedBy: string | null,
    binding: IdentityBinding | null,
  ): Promise<ServiceResult<StoredRow>> {
    const raw = canonicalizeJson(proof);
    const contentRaw = content === null ? null : canonicalizeJson(content);
    const refParent = referencedParent(proof);
    const refRoot = proof.type === 'reply' || proof.type === 'reaction' || proof.type === 'moderation' ? references.thread : null;
    const submitter = submittedBy ?? (binding?.kind === 'create' ? binding.userId : null);
    let outcome: { row: StoredRow & { receivedAt: Date }; change: ViewChange };
    try {
      outcome =
        binding === null && (proof.type === 'post' || proof.type === 'reply')
          ? await insertPostOrReply(db, { proof, raw, contentRaw, refParent, refRoot, submitter }, proof)
          : await db.$transaction(async (tx) => {
        // The account change comes before the log lock: it only waits on other account writes,
        // and a transaction that holds the lock never writes accounts, so no wait cycle forms.
        if (binding?.kind === 'create') {
          await tx.user.create({ data: { id: binding.userId, username: binding.username, passwordHash: binding.passwordHash, role: binding.role, did: proof.issuer } });
        }
        if (binding?.kind === 'bind') {
          const bound = await tx.user.updateMany({ where: { id: binding.userId, did: null }, data: { did: proof.issuer } });
          if (bound.count !== 1) throw new BindingConflict();
        }
        const row = await insertProof(tx, { proof, raw, contentRaw, refParent, refRoot, submitter });
        const change = await applyProofToViews(tx, { proof, logIndex: row.logIndex, receivedAt: row.receivedAt });
        return { row, change };
            });
    } catch (error) {
      if (error instanceof BindingConflict) return refuse('already_bound', 'your account already has an identity');
      if (error instanceof ProofConflict) return classifyProofConflict(proof, error.cause);
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') return classifyConflict(proof, error);
      throw error;
    }
    const { row, change } = outcome;
    // Stored is stored: a failed broadcast must not turn the answer into an error (clients catch
    // up with subscribe {since} or a reload).
    const stored: ProofRow = {
      id: proof.id,
      raw,
      type: proof.type,
      hub: proof.hub,
      issuer: proof.issuer,
      seq: proof.seq,
      logIndex: row.logIndex,
      receivedAt: row.receivedAt,
      status: row.status,
      refParent,
      refRoot,
      content: contentRaw === null ? null : { raw: contentRaw, purgedAt: null },
    };
    await broadcast(stored, change).catch((error: unknown) => deps.onBroadcastError?.(error));
    return { ok: true, value: { id: row.id, raw, status: row.status, logIndex: row.logIndex } };
  }

  /** A unique-constraint race (another instance stored first): duplicate, fork or taken name. */
  async function classifyConflict(proof: VerifiedProof, error: Prisma.PrismaClientKnownRequestError): Promise<ServiceResult<StoredRow>> {
    const target = JSON.stringify(error.meta ?? {});
    if (target.includes('username')) return refuse('username_taken', 'that username is taken');
    if (target.includes('did')) return refuse('did_taken', 'that identity is bound to another account');
    return classifyProofConflict(proof, error);
  }

  /** The proof row's insert met a stored proof with its id or (issuer, seq): duplicate or fork. */
  async function classifyProofConflict(proof: VerifiedProof, error: unknown): Promise<ServiceResult<StoredRow>> {
    const chain = await checkChain(db, proof);
    if (chain.kind === 'duplicate') return { ok: true, value: chain.row };
    if (chain.kind === 'refused') return chain.result;
    throw error;
  }

  /**
   * proof:new from what the transaction wrote and returned: no re-read of the row. One query for
   * the signer (username, display name, agent), and the moderation summary for a moderation.
   */
  async function broadcast(row: ProofRow, change: ViewChange): Promise<void> {
    const [signer, update] = await Promise.all([
      change.signer ?? loadSigner(db, row.issuer),
      change.moderation === undefined ? null : moderationUpdate(db, change.moderation),
    ]);
    const event: ProofNewEvent & { reaction: ReactionCountEvent | null } = {
      ...(update === null ? {} : { moderation: update }),
      proof: JSON.parse(row.raw) as ProofNewEvent['proof'],
      content: contentOf(row),
      view: toProofView(row, change.depth ?? null, signer),
      reaction: change.reaction === null ? null : { hub: row.hub, ...change.reaction },
    };
    deps.events.emit('proof:stored', event);
  }

  return { submit, admitIdentity, admitImported };
}

class BindingConflict extends Error {}

/** The proof insert hit a unique key (id or issuer+seq): another writer stored it first. */
class ProofConflict extends Error {}

interface ProofInsert {
  proof: VerifiedProof;
  raw: string;
  contentRaw: string | null;
  refParent: string | null;
  refRoot: string | null;
  submitter: string | null;
}

/**
 * The CTEs that store a proof in log order: the log-order lock, the proof row (only if `gate`, a
 * WHERE clause or empty, holds) and its content. `stored` returns id, status, log_index, received_at.
 */
function storeCtes(insert: ProofInsert, gate: Prisma.Sql): Prisma.Sql {
  const { proof } = insert;
  return Prisma.sql`log_lock AS MATERIALIZED (SELECT pg_advisory_xact_lock(${BigInt(LOG_ORDER_LOCK_KEY)}::bigint)),
      stored AS (
        INSERT INTO proofs (id, raw, type, hub, issuer, seq, prev, created_at, ref_parent, ref_root, submitted_by)
        SELECT ${proof.id}, ${insert.raw}, ${proof.type}, ${proof.hub}, ${proof.issuer}, ${proof.seq}::int, ${proof.prev}::text,
          ${proof.created_at}::timestamptz, ${insert.refParent}::text, ${insert.refRoot}::text, ${insert.submitter}::text
        FROM log_lock
        ${gate}
        RETURNING id, status, log_index, received_at
      ),
      content AS (
        INSERT INTO proof_contents (proof_id, raw) SELECT id, ${insert.contentRaw}::text FROM stored WHERE ${insert.contentRaw}::text IS NOT NULL
      )`;
}

/**
 * Takes the log-order lock, draws log_index and inserts the proof and its content, in one
 * statement. log_index is a sequence value drawn at the insert but visible only at commit:
 * without the lock two writers could commit 7 after 8, and a client that saw 8 and then caught
 * up with `since: 8` would never get 7. Held from the draw until commit, the lock makes commit
 * order equal log order on every instance (docs/operations.md, "Reconnect catch-up"). The insert
 * selects FROM the lock's CTE, so the lock is taken before the row (and its nextval) exists.
 * Nothing after it in the transaction waits on a row another transaction can hold while waiting
 * for the lock (proof rows are only written under it; view rows only by lock holders), so it
 * cannot join a deadlock. PGlite is one session: there it never waits.
 */
async function insertProof(tx: Tx, insert: ProofInsert): Promise<StoredRow & { receivedAt: Date }> {
  const { proof } = insert;
  let rows: { status: string; log_index: bigint; received_at: Date }[];
  try {
    rows = await tx.$queryRaw`WITH ${storeCtes(insert, Prisma.empty)} SELECT status, log_index, received_at FROM stored`;
  } catch (error) {
    if (isUniqueViolation(error)) throw new ProofConflict('proof already stored', { cause: error });
    throw error;
  }
  const row = rows[0];
  if (row === undefined) throw new Error(`proof ${proof.id} was not inserted`);
  return { id: proof.id, raw: insert.raw, status: row.status, logIndex: row.log_index, receivedAt: row.received_at };
}

/**
 * A post or a reply (the bulk of the log) in ONE autocommit statement: log-order lock, proof and
 * content insert, and its views (views.ts threadAndHeadViews, the SQL a rebuild runs), committed
 * when the statement ends. The lock is then held only inside PostgreSQL, from the log_index draw
 * to the commit, never across a round trip to this process: with BEGIN, insert, views, COMMIT
 * each answer waited its turn on the instance's event loop, which at 10,000 sockets is a
 * broadcast pass of thousands of writes, and every other writer on every instance waited on the
 * lock meanwhile (issue 7, docs/performance.md "Load"). Commit order = log order holds as before.
 * Nothing is written unless the rows the views need exist (the issuer's identity view, a reply's
 * thread): the insert is gated on them and every view CTE on the insert, so a refused or failed
 * statement changes nothing, as the transaction's rollback did.
 */
async function insertPostOrReply(db: Db, insert: ProofInsert, proof: PostOrReply): Promise<{ row: StoredRow & { receivedAt: Date }; change: ViewChange }> {
  const views = threadAndHeadViews(proof, 'stored');
  const threadExists = proof.type === 'reply' ? Prisma.sql`AND EXISTS (SELECT 1 FROM thread_views WHERE root_id = ${proof.claim.root})` : Prisma.empty;
  let rows: (ThreadAndHeadRow & { status: string; log_index: bigint; received_at: Date })[];
  try {
    rows = await db.$queryRaw`
      WITH ${storeCtes(insert, Prisma.sql`WHERE EXISTS (SELECT 1 FROM identity_views WHERE did = ${proof.issuer}) ${threadExists}`)},
      ${views.ctes}
      SELECT stored.status, stored.log_index, stored.received_at, ${views.columns} FROM stored ${views.joins}`;
  } catch (error) {
    if (isUniqueViolation(error)) throw new ProofConflict('proof already stored', { cause: error });
    throw error;
  }
  const row = rows[0];
  if (row === undefined) {
    throw new Error(proof.type === 'reply' ? `identity view of ${proof.issuer} or thread view of ${proof.claim.root} missing: reply ${proof.id} not stored` : `identity view of ${proof.issuer} missing: post ${proof.id} not stored`);
  }
  const change = threadAndHeadChange(proof, row);
  return { row: { id: proof.id, raw: insert.raw, status: row.status, logIndex: row.log_index, receivedAt: row.received_at }, change };
}

/** SQLSTATE 23505 through Prisma's driver adapters (raw queries do not map it to P2002). */
function isUniqueViolation(error: unknown): boolean {
  if (!(error instanceof Prisma.PrismaClientKnownRequestError)) return false;
  if (error.code === 'P2002') return true;
  const text = `${error.message} ${JSON.stringify(error.meta ?? {})}`;
  return text.includes('23505') || text.includes('UniqueConstraintViolation');
}
function submitResult(row: StoredRow, duplicate: boolean): SubmitResult {
  return { id: row.id, status: row.status as ProofStatus, log_index: Number(row.logIndex), duplicate };
}

function referencedParent(proof: SignedProof): string | null {
  switch (proof.type) {
    case 'reply':
      return proof.claim.parent;
    case 'reaction':
    case 'moderation':
      return proof.claim.target;
    default:
      return null;
  }
}

function checkContentSize(content: unknown): ServiceResult<true> {
  if (content === undefined) return { ok: true, value: true };
  const bytes = measureJsonBytes(content);
  if (bytes === undefined) return refuse('invalid_content', 'content is not JSON');
  if (bytes > MAX_CONTENT_BYTES) return refuse('too_large', `content is ${bytes} bytes; the limit is ${MAX_CONTENT_BYTES}`);
  const body = typeof content === 'object' && content !== null ? (content as { body?: unknown }).body : undefined;
  if (typeof body === 'string' && body.length > PROOF_LIMITS.maxBodyChars) {
    return refuse('too_large', `the body has ${body.length} characters; the limit is ${PROOF_LIMITS.maxBodyChars}`);
  }
  return { ok: true, value: true };
}

async function checkHub(db: DbOrTx, proof: SignedProof, userId: string): Promise<ServiceResult<true>> {
  if (GLOBAL_TYPES.has(proof.type) && proof.hub !== 'public') return refuse('wrong_hub', `a ${proof.type} proof belongs to hub "public"`);
  const access = await hubAccess(db, proof.hub, userId);
  if (access === null) return refuse('unknown_hub', `there is no hub "${proof.hub}"`);
  if (!access.readable) return refuse('private_hub', `hub "${proof.hub}" is private and you are not a member`);
  return { ok: true, value: true };
}

type ChainOutcome = { kind: 'next' } | { kind: 'duplicate'; row: StoredRow } | { kind: 'refused'; result: { ok: false; error: ServiceFailure } };

/**
 * The chain link against the stored head (lib/proof checkChainLink). A lower seq than the head
 * is either this very proof again (duplicate: answer as before) or a fork; a fork is recorded
 * with both proofs before it is refused.
 */
async function checkChain(db: DbOrTx, proof: VerifiedProof, knownHead?: ChainHead | null): Promise<ChainOutcome> {
  const head = knownHead !== undefined ? knownHead : await loadHead(db, proof.issuer);
  const link = checkChainLink(head, proof);
  if (link.ok) return { kind: 'next' };
  const code = link.error.code;
  if (code === 'prev_mismatch' || (code === 'seq_gap' && head !== null && proof.seq > head.seq)) return { kind: 'refused', result: refuseWith(link) };
  if (code === 'seq_gap' && head === null) return { kind: 'refused', result: refuseWith(link) };
  const stored = await db.proof.findUnique({ where: { issuer_seq: { issuer: proof.issuer, seq: proof.seq } }, select: { id: true, raw: true, status: true, logIndex: true } });
  if (stored === null) return { kind: 'refused', result: refuseWith(link) };
  if (stored.id === proof.id) return { kind: 'duplicate', row: stored };
  await db.fork.upsert({
    where: { storedId_conflictingId: { storedId: stored.id, conflictingId: proof.id } },
    create: { issuer: proof.issuer, seq: proof.seq, storedId: stored.id, conflictingId: proof.id, conflictingRaw: canonicalizeJson(proof) },
    update: {},
  });
  return {
    kind: 'refused',
    result: refuse('fork', `a different proof already holds seq ${proof.seq} of this issuer (${stored.id}); both are recorded`, {
      details: { seq: proof.seq, first: stored.id, second: proof.id },
    }),
  };
}

async function loadHead(db: DbOrTx, issuer: string): Promise<ChainHead | null> {
  const identity = await db.identityView.findUnique({ where: { did: issuer }, select: { headSeq: true, headId: true } });
  return identity === null ? null : { seq: identity.headSeq, id: identity.headId };
}

/** Parent, root and target exist, are posts or replies of the same hub, and agree on the thread. */
async function checkReferences(db: DbOrTx, proof: VerifiedProof): Promise<ServiceResult<{ thread: string | null }>> {
  const load = async (id: string): Promise<SignedProof | undefined> => {
    const row = await db.proof.findUnique({ where: { id }, select: { raw: true } });
    return row === null ? undefined : (JSON.parse(row.raw) as SignedProof);
  };
  if (proof.type === 'reply') {
    const reply = proof as SignedProofOf<'reply'>;
    // Parent and root in one statement (the same id when replying to the post itself).
    const rows = await db.proof.findMany({ where: { id: { in: [reply.claim.parent, reply.claim.root] } }, select: { id: true, raw: true } });
    const byId = new Map(rows.map((row) => [row.id, JSON.parse(row.raw) as SignedProof]));
    const [parent, root] = [byId.get(reply.claim.parent), byId.get(reply.claim.root)];
    if (parent !== undefined && root === undefined) return refuse('unknown_parent', `root ${reply.claim.root} is not known`);
    const links = checkReplyLinks(reply, parent, root);
    if (!links.ok) return refuseWith(links);
    return { ok: true, value: { thread: reply.claim.root } };
  }
  if (proof.type === 'reaction') {
    const reaction = proof as SignedProofOf<'reaction'>;
    const target = await load(reaction.claim.target);
    const link = checkTargetLink(reaction, target);
    if (!link.ok) return refuseWith(link);
    return { ok: true, value: { thread: target?.type === 'reply' ? target.claim.root : reaction.claim.target } };
  }
  if (proof.type === 'moderation') return checkModerationTarget(db, proof);
  return { ok: true, value: { thread: null } };
}

function checkProofContent(proof: SignedProof, content: unknown, hasher: Hasher): ServiceResult<Record<string, unknown> | null> {
  if (proof.type !== 'post' && proof.type !== 'reply') {
    if (content !== undefined) return refuse('invalid_content', `a ${proof.type} proof carries no content`);
    return { ok: true, value: null };
  }
  if (content === undefined) return refuse('content_required', `a ${proof.type} needs its content ({salt, body${proof.type === 'post' ? ', title?' : ''}}) beside the proof`);
  const checked = checkContent(proof, content, hasher);
  if (!checked.ok) return refuseWith(checked);
  const parsed = parseContent(content);
  if (!parsed.ok) return refuseWith(parsed);
  return { ok: true, value: parsed.value };
}


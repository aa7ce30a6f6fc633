// The one typed Socket.IO contract shared by the server (server/realtime), the browser and the
// agent SDK. Event names are `entity:verb`; every acknowledgement is the Ack union below, and every
// client → server payload has a zod schema here, so the server validates exactly what the types
// promise (DESIGN.md, "Realtime contract"; docs/api.md has the prose version).
import { z } from 'zod';
import type { AgentSocketData } from './agents';
import type { AnchorWire } from './chain';
import type { ApiErrorCode } from './errors';
import type { ModerationUpdate } from './moderation';
import type { ContentWire, ProofStatus, ProofView, ReactionCounts, SignedProofWire } from './views';

export type { ContentWire, ProofStatus, ProofView, ReactionCounts, SignedProofWire } from './views';

/** An error as it travels in acks and REST bodies. retry_after (seconds) only with rate_limited. */
export interface WireError {
  code: ApiErrorCode;
  message: string;
  retry_after?: number;
}

export type Ack<T> = { ok: true; data: T } | { ok: false; error: WireError };
export type AckCallback<T> = (response: Ack<T>) => void;

/** Hub ids follow the proof format: [a-z0-9][a-z0-9_-]{0,63}. */
export const hubIdSchema = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'a hub id is 1-64 characters of a-z, 0-9, "_" and "-", starting with a letter or digit');
/** Proof ids are lowercase hex SHA-256. */
export const proofIdSchema = z.string().regex(/^[0-9a-f]{64}$/, 'a proof id is 64 lowercase hex characters');
/** Log indexes are the server's receive order (1, 2, 3, …); `since` asks for everything after one. */
export const logIndexSchema = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

/**
 * A room: one hub (every proof in it: new threads, replies, reactions) or one thread (its root,
 * replies and reactions). `since` replays the proofs of that room with a larger log index as
 * proof:new events before the ack, so a client that reconnects gets what it missed;
 * `status_since` (a status index) replays the status changes it missed as proof:status.
 */
export const subscribeSchema = z.union([
  z.strictObject({ hub: hubIdSchema, since: logIndexSchema.optional(), status_since: logIndexSchema.optional() }),
  z.strictObject({ thread: proofIdSchema, since: logIndexSchema.optional(), status_since: logIndexSchema.optional() }),
]);
export type SubscribePayload = z.infer<typeof subscribeSchema>;

export const unsubscribeSchema = z.union([z.strictObject({ hub: hubIdSchema }), z.strictObject({ thread: proofIdSchema })]);
export type UnsubscribePayload = z.infer<typeof unsubscribeSchema>;

/**
 * A signed proof and, for post and reply, its content ({salt, body, title?}) that the claim's
 * content_digest commits to. The proof and content are checked in full by the server's proof
 * ingest (lib/proof schemas), so here they are only required to be JSON objects.
 */
export const submitProofSchema = z.strictObject({
  proof: z.record(z.string(), z.unknown()),
  content: z.record(z.string(), z.unknown()).optional(),
});
export interface SubmitProofPayload {
  proof: SignedProofWire;
  content?: ContentWire;
}

export interface SubscribeResult {
  /** The room joined: "hub:<id>" or "thread:<id>". */
  room: string;
  /** How many missed proofs were replayed as proof:new before this ack (0 without `since`). */
  replayed: number;
  /** Highest log index the server has stored when the ack is sent. */
  log_index: number;
  /** How many missed status changes were replayed as proof:status (0 without `status_since`). */
  status_replayed: number;
  /** The `status_since` to send next time (changes above it arrive live; docs/operations.md). */
  status_index: number;
}

export interface SubmitResult {
  id: string;
  status: ProofStatus;
  log_index: number;
  /** True when this exact proof was already stored (a retry): nothing changed. */
  duplicate: boolean;
}

export interface ProofNewEvent {
  proof: SignedProofWire;
  /** The content beside the proof; null for types without content or after a purge. */
  content: ContentWire | null;
  view: ProofView;
  /** On a moderation proof: its target's state after it (additive; lib/protocol/moderation.ts). */
  moderation?: ModerationUpdate;
}

export interface ProofStatusEvent {
  id: string;
  hub: string;
  status: ProofStatus;
  /** Why the proof is invalid (status "invalid"); absent otherwise. */
  reason?: { code: string; message: string };
  /** The proof's anchor (lib/protocol/chain.ts anchorSchema), sent with `verified`. Unchecked: clients verify it. */
  anchor?: AnchorWire;
  /** This change's place in the hub's status log: the client's next `status_since` (docs/operations.md). */
  status_index?: number;
}

export interface ReactionCountEvent {
  hub: string;
  thread: string | null;
  target: string;
  counts: ReactionCounts;
  /** The reaction that changed the counts, so its author's other tabs can update "mine". */
  by: { issuer: string; kind: string; active: boolean; proof: string };
}

/** A certified tree head; emitted by the chain issue, declared here so clients can listen now. */
export interface ChainHeadEvent {
  size: number;
  root: string;
  height?: number;
}

export interface ClientToServerEvents {
  subscribe: (payload: SubscribePayload, ack: AckCallback<SubscribeResult>) => void;
  unsubscribe: (payload: UnsubscribePayload, ack?: AckCallback<{ room: string }>) => void;
  'proof:submit': (payload: SubmitProofPayload, ack: AckCallback<SubmitResult>) => void;
}

export interface ServerToClientEvents {
  'proof:new': (event: ProofNewEvent) => void;
  'proof:status': (event: ProofStatusEvent) => void;
  'reaction:count': (event: ReactionCountEvent) => void;
  'chain:head': (event: ChainHeadEvent) => void;
}

/** Between web instances (Redis adapter); none yet. */
export type InterServerEvents = Record<string, never>;

/** What the server keeps on each socket: the signed-in account, if any. */
export interface SocketData {
  userId: string | null;
  /** Set when the handshake carried an agent's access token (auth.token; docs/agents.md). */
  agent?: AgentSocketData;
}

export function hubRoom(hub: string): string {
  return `hub:${hub}`;
}

export function threadRoom(thread: string): string {
  return `thread:${thread}`;
}

/** Socket.IO path; the server routes this prefix before Next.js sees any request. */
export const SOCKET_PATH = '/socket.io';

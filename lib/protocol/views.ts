// Shapes the hub sends to clients: REST bodies and Socket.IO payloads share them. Everything here
// is plain JSON. A client never trusts a view for a badge: it re-checks the proof itself (the view
// only says where the proof sits: thread, parent, depth, log index).
import type { AnchorWire } from './chain';
import type { ItemModeration, Role } from './moderation';

/** A signed proof exactly as stored (lib/proof's signed proof: v, type, hub, issuer, seq, prev, created_at, claim, evidence, id, sig). */
export interface SignedProofWire {
  v: number;
  type: string;
  hub: string;
  issuer: string;
  seq: number;
  prev: string | null;
  created_at: string;
  claim: Record<string, unknown>;
  evidence: unknown[];
  id: string;
  sig: string;
  [field: string]: unknown;
}

/** The content beside a post or reply: its claim's content_digest commits to JCS({salt, body, title?}). */
export interface ContentWire {
  salt: string;
  body: string;
  title?: string;
  [field: string]: unknown;
}

/** Badge states (DESIGN.md, "One Ed25519 rule"): the server stores signed; the chain adds the rest. */
export type ProofStatus = 'signed' | 'anchored' | 'verified' | 'invalid';

export const REACTION_KINDS = ['like', 'verified', 'disputed'] as const;
export type ReactionKind = (typeof REACTION_KINDS)[number];
export type ReactionCounts = Record<ReactionKind, number>;
/** The signed-in reader's own reactions on an item (null when signed out or without a DID). */
export type ReactionState = Record<ReactionKind, boolean>;

export interface SignerView {
  did: string;
  /** Account bound to the DID on this hub, if any. */
  username: string | null;
  /** Display name from the signer's identity proof. */
  display_name: string | null;
  /** Set when the signer is a registered AI agent (docs/agents.md): its page id and owner. */
  agent?: { id: string; owner: string };
}

/** Where a stored proof sits, as derived by the server. */
export interface ProofView {
  id: string;
  type: string;
  hub: string;
  issuer: string;
  seq: number;
  /** The server's receive order over all hubs, 1, 2, 3 … (catch-up cursor for `subscribe {since}`). */
  log_index: number;
  received_at: string;
  status: ProofStatus;
  /** Thread root id: the post itself, a reply's root, the thread of a reaction's target; null otherwise. */
  thread: string | null;
  /** A reply's parent or a reaction's target; null otherwise. */
  parent: string | null;
  /** 0 for a post, parent depth + 1 for a reply; null for other types. */
  depth: number | null;
  signer: SignerView;
  /** True when the content was purged (the proof stays valid; content is null). */
  purged: boolean;
  /**
   * The proof's anchor once verified (as GET /api/v1/proofs/:id `anchor`), in thread views only;
   * absent otherwise. Unchecked: the client verifies it against its pinned validator set.
   */
  anchor?: AnchorWire;
}

/** One proof with everything a client needs to check and show it. */
export interface ItemView {
  proof: SignedProofWire;
  content: ContentWire | null;
  view: ProofView;
  counts: ReactionCounts;
  mine: ReactionState | null;
  /** Hidden and flag state from moderation proofs (lib/protocol/moderation.ts); absent if none. */
  moderation?: ItemModeration;
}

export interface ThreadSummary {
  id: string;
  hub: string;
  title: string | null;
  created_at: string;
  last_activity_at: string;
  /** Log index of the latest post or reply in the thread: threads are ordered by it, newest first. */
  last_log_index: number;
  reply_count: number;
  root: ItemView;
}

export interface ThreadPage {
  threads: ThreadSummary[];
  /** Pass as ?cursor= for the next page; null on the last page. */
  next_cursor: string | null;
  /**
   * The hub's status index when this page was read (taken before its rows): subscribe to the room
   * with `status_since` = it, and every status change the rows do not show yet is replayed.
   */
  status_index: number;
}

export interface ThreadDetail {
  thread: Omit<ThreadSummary, 'root'>;
  root: ItemView;
  /** Every reply in receive order; nest them by view.parent (view.depth is precomputed). */
  replies: ItemView[];
  /** As ThreadPage.status_index: the `status_since` of the thread room's first subscribe. */
  status_index: number;
}

export type HubVisibility = 'public' | 'private';

export interface HubView {
  id: string;
  name: string;
  visibility: HubVisibility;
  owner: string | null;
  created_at: string;
  /** The reader's membership: owner, member, or null. */
  role: 'owner' | 'member' | null;
}

export interface IdentityKeyView {
  /** did:key form of the key. */
  key: string;
  /** First seq this key signs; it signs until the next key's from_seq - 1. */
  from_seq: number;
  /** The identity or key_rotation proof that introduced it. */
  proof: string;
}

export interface IdentityView {
  did: string;
  username: string | null;
  display_name: string | null;
  /** Latest proof of this issuer: sign the next one with seq = head.seq + 1, prev = head.id. */
  head: { seq: number; id: string };
  keys: IdentityKeyView[];
  /** The identity and key_rotation proofs themselves, in seq order, so a client can replay them. */
  proofs: SignedProofWire[];
}

export interface MeView {
  id: string;
  username: string;
  did: string | null;
  /** 'user', 'moderator' or 'admin'; canModerate(role) in lib/protocol/moderation.ts. */
  role: Role;
}

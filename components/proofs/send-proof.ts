// Signing and sending a person's next proof from the browser. The chain rule (seq = head + 1,
// prev = head id) means two proofs signed from the same head would fork the person's chain, and
// the hub records forks as evidence against the key. So sends of one key are serialized: across
// tabs with the Web Locks API where the browser has it (all current browsers), within the tab
// with a promise chain otherwise; and the head is read from the hub inside the lock, every time.
import { createContent, digestContent } from '@/lib/proof/content';
import type { Content } from '@/lib/proof/content';
import { buildUnsignedProof, signProof } from '@/lib/proof/proof';
import type { DelegationScope, IdentityClaim, ModerationAction, ReactionKind, SignedProof, UnsignedProof, Visibility } from '@/lib/proof/schema';
import { ProofError } from '@/lib/proof/errors';
import type { IdentityView, SignedProofWire } from '@/lib/protocol/views';
import type { ApiResult, SubmitResponse } from '../api/client';
import type { BrowserKey } from '../keys/key-store';

export interface SendSource {
  identity(did: string): Promise<ApiResult<Pick<IdentityView, 'head'>>>;
  submitProof(proof: SignedProofWire, content?: Content): Promise<ApiResult<SubmitResponse>>;
}

export interface SendEnvironment {
  now(): Date;
  randomBytes(length: number): Uint8Array;
  /** Runs fn while holding an exclusive lock of that name (navigator.locks in browsers). */
  withLock<T>(name: string, fn: () => Promise<T>): Promise<T>;
}

/** What a person sends. Posts and replies get their content_digest from the content made here. */
export type SendRequest =
  | { readonly type: 'post'; readonly hub: string; readonly title?: string; readonly body: string; readonly visibility: Visibility }
  | { readonly type: 'reply'; readonly hub: string; readonly body: string; readonly parent: string; readonly root: string }
  | { readonly type: 'reaction'; readonly hub: string; readonly target: string; readonly kind: ReactionKind; readonly undo: boolean }
  | { readonly type: 'moderation'; readonly hub: string; readonly target: string; readonly action: ModerationAction; readonly reason: string }
  // The owner's side of agents (docs/agents.md): identity state, so always in hub "public".
  | { readonly type: 'delegation'; readonly hub: 'public'; readonly agent: string; readonly scopes: readonly DelegationScope[]; readonly expiresAt: string }
  | { readonly type: 'revocation'; readonly hub: 'public'; readonly agent: string; readonly reason?: string };

export interface SendFailure {
  readonly code: string;
  readonly message: string;
}

export type SendResult =
  | { ok: true; proof: SignedProof; content: Content | null; response: SubmitResponse }
  | { ok: false; error: SendFailure };

const inTabLocks = new Map<string, Promise<unknown>>();

/** Serializes within this tab only: the fallback where navigator.locks is missing. */
export function withInTabLock<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const before = inTabLocks.get(name) ?? Promise.resolve();
  const run = before.then(fn, fn);
  const settled = run.then(
    () => undefined,
    () => undefined,
  );
  inTabLocks.set(name, settled);
  void settled.then(() => {
    if (inTabLocks.get(name) === settled) inTabLocks.delete(name);
  });
  return run;
}

export function browserSendEnvironment(): SendEnvironment {
  return {
    now: () => new Date(),
    randomBytes: (length) => crypto.getRandomValues(new Uint8Array(length)),
    withLock: (name, fn) =>
      typeof navigator !== 'undefined' && 'locks' in navigator
        ? (navigator.locks.request(name, { mode: 'exclusive' }, fn) as Promise<Awaited<ReturnType<typeof fn>>>)
        : withInTabLock(name, fn),
  };
}

const CONTENT_SALT_BYTES = 16;

/**
 * Makes the content (for posts and replies), signs the proof at the issuer's next seq, and submits
 * both. Never throws for a refusal: the result names the code and message to show.
 */
export async function sendProof(
  key: BrowserKey,
  request: SendRequest,
  source: SendSource,
  environment: SendEnvironment = browserSendEnvironment(),
): Promise<SendResult> {
  let content: Content | null = null;
  let claim: UnsignedProof['claim'];
  if (request.type === 'post' || request.type === 'reply') {
    const text = request.type === 'post' && request.title !== undefined && request.title.trim() !== '' ? { body: request.body, title: request.title.trim() } : { body: request.body };
    const made = createContent(text, environment.randomBytes(CONTENT_SALT_BYTES));
    if (!made.ok) return { ok: false, error: made.error };
    content = made.value;
    const contentDigest = digestContent(made.value);
    claim = request.type === 'post'
      ? { content_digest: contentDigest, visibility: request.visibility }
      : { parent: request.parent, root: request.root, content_digest: contentDigest };
  } else if (request.type === 'reaction') {
    claim = request.undo ? { target: request.target, kind: request.kind, undo: true } : { target: request.target, kind: request.kind };
  } else if (request.type === 'delegation') {
    claim = { agent: request.agent, scopes: [...request.scopes], expires_at: request.expiresAt };
  } else if (request.type === 'revocation') {
    claim = request.reason === undefined ? { agent: request.agent } : { agent: request.agent, reason: request.reason };
  } else {
    claim = { target: request.target, action: request.action, reason: request.reason };
  }

  // One attempt only: re-signing after a refusal would put a second proof at the same seq if the
  // first was stored after all, and that is a fork. The person sends again; the text is kept.
  return environment.withLock(`proofhub-sign:${key.did}`, async () => {
    const identity = await source.identity(key.did);
    if (!identity.ok) return { ok: false, error: identity.error };
    const built = buildUnsignedProof({
      type: request.type,
      hub: request.hub,
      issuer: key.did,
      seq: identity.value.head.seq + 1,
      prev: identity.value.head.id,
      created_at: environment.now(),
      claim,
    });
    if (!built.ok) return { ok: false, error: built.error };
    const signed = await signWithKey(built.value, key);
    if (!signed.ok) return signed;
    const submitted = await source.submitProof(signed.proof, content ?? undefined);
    if (submitted.ok) return { ok: true, proof: signed.proof, content, response: submitted.value };
    return { ok: false, error: submitted.error };
  });
}

async function signWithKey(unsigned: UnsignedProof, key: BrowserKey): Promise<{ ok: true; proof: SignedProof } | { ok: false; error: SendFailure }> {
  try {
    const proof: SignedProof = await signProof(unsigned, key.signer);
    return { ok: true, proof };
  } catch (error) {
    if (error instanceof ProofError) return { ok: false, error: { code: error.code, message: error.message } };
    return { ok: false, error: { code: 'signing_failed', message: `your browser could not sign: ${error instanceof Error ? error.message : String(error)}` } };
  }
}

/** The inception proof of a new key: hub "public", seq 1, prev null, claim {name}. */
export async function signIdentityProof(key: BrowserKey, claim: IdentityClaim, now: Date): Promise<{ ok: true; proof: SignedProof } | { ok: false; error: SendFailure }> {
  const built = buildUnsignedProof({ type: 'identity', hub: 'public', issuer: key.did, seq: 1, prev: null, created_at: now, claim });
  if (!built.ok) return { ok: false, error: built.error };
  return signWithKey(built.value, key);
}

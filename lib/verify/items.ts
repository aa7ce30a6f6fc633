// Verification of a set of items (a thread, a hub, a bundle) with nothing trusted but the genesis
// validator set: what the browser's "Verify thread", `proofhub verify` on a bundle and bundle
// import run. For each item: schema, id, signature with the key the issuer's own identity history
// names for its seq, per-author chain links and forks, delegation, thread references (lib/proof
// verifyProofSet), the content digest, and the anchor (certificate + inclusion). Across items: each
// issuer's inception proof is present, and every tree head seen is consistent with every other.
//
// Signatures dominate the cost (one Ed25519 per proof), so they are checked first in chunks through
// an async back-end (WebCrypto when the browser has it), yielding between chunks so a page can show
// progress; the synchronous set check then reads those answers.
import { base64urlToBytes, bytesToHex, hexToBytes } from '../bytes';
import { nobleVerifier } from '../crypto/ed25519';
import type { SignatureVerifier } from '../crypto/types';
import { checkContent } from '../proof/content';
import { applyIdentityProof, createIdentityState, keyForSeq, type IdentityState } from '../proof/identity';
import { parseSignedProof } from '../proof/proof';
import type { SignedProof } from '../proof/schema';
import { verifyProofSet, type IssuerSummary } from '../proof/verify-set';
import { certifiedHeadSchema } from '../protocol/chain';
import { verifyAnchor } from './anchor';
import { createAnsweringVerifier, toAsyncVerifier, verificationKey, type AsyncSignatureVerifier } from './async-verifier';
import { CertificateVerifier } from './certificates';
import { checkTreeHeads, type TreeHeadClaim } from './heads';
import { verifyValidatorSet, type PinnedChain } from './validator-set';

export interface VerifyItem {
  /** A signed proof (unknown: it is checked). */
  readonly proof: unknown;
  /**
   * A post's or reply's content. null, or purged: true, means the hub purged it (a warning);
   * undefined for a post or reply is a failure (content_missing).
   */
  readonly content?: unknown;
  readonly purged?: boolean;
  /** The proof's anchor (lib/protocol/chain.ts AnchorWire); null or absent: not anchored. */
  readonly anchor?: unknown;
}

export interface VerifyItemsInput {
  readonly items: readonly VerifyItem[];
  /** The identity chains (identity, key_rotation, delegation, revocation proofs) of every issuer and delegating owner. */
  readonly identities?: readonly unknown[];
  /** The genesis validator set (ValidatorSetWire). Ignored when options.pinned is given. */
  readonly validators?: unknown;
  /** Certified tree heads (CertifiedHeadWire) to check besides the anchors' own. */
  readonly heads?: readonly unknown[];
  /** Consistency proofs ({from, to, path}) between consecutive distinct tree sizes. */
  readonly consistency?: readonly unknown[];
}

export type VerifyPhase = 'signatures' | 'proofs' | 'anchors' | 'heads' | 'done';

export interface VerifyProgress {
  readonly phase: VerifyPhase;
  /** Units done in this phase (signatures or items). */
  readonly done: number;
  readonly total: number;
}

export interface VerifyItemsOptions {
  /** Synchronous back-end (certificates, and any signature the async pass did not foresee). Default: noble. */
  readonly verifier?: SignatureVerifier;
  /** Back-end for the bulk signature pass (e.g. createWebCryptoVerifier). Default: `verifier`. */
  readonly asyncVerifier?: AsyncSignatureVerifier;
  /** A set pinned out of band; otherwise input.validators is checked against its own genesis file. */
  readonly pinned?: PinnedChain;
  /** The genesis hash (hex) input.validators must have (a failure otherwise). */
  readonly expectedGenesisHash?: string;
  /** Every item must be anchored (unanchored becomes a failure). */
  readonly requireAnchors?: boolean;
  /** Every item must be for this hub (identity chains may come from any hub). */
  readonly hub?: string;
  /** Every reply's parent/root and reaction/moderation target must be among the items. */
  readonly requireReferences?: boolean;
  readonly onProgress?: (progress: VerifyProgress) => void;
  /** Signatures or anchors per chunk between yields. Default 100. */
  readonly chunk?: number;
  /** How to give the host a turn between chunks. Default: a zero-delay timer. */
  readonly yieldControl?: () => Promise<void>;
}

export interface VerifyFailure {
  /** The proof id, or `item[N]` / `identity[N]` when unparseable, `head@…`, `heads@…`, `validators`, an issuer did. */
  readonly id: string;
  /** Position among input.items, when the failure is an item's. */
  readonly index: number | null;
  readonly code: string;
  readonly message: string;
  readonly details?: unknown;
}

export interface ItemVerdict {
  readonly index: number;
  readonly id: string | null;
  readonly ok: boolean;
  /** Its anchor verified (inclusion in a certified head). */
  readonly anchored: boolean;
  /** Codes of its failures and warnings. */
  readonly codes: readonly string[];
}

export interface VerifyReport {
  readonly ok: boolean;
  /** Items given. */
  readonly total: number;
  /** Items checked (= total once done). */
  readonly checked: number;
  /** Items with no failure. */
  readonly valid: number;
  /** Items whose anchor verified. */
  readonly anchored: number;
  readonly unanchored: number;
  readonly failures: readonly VerifyFailure[];
  readonly warnings: readonly VerifyFailure[];
  readonly items: readonly ItemVerdict[];
  /** Distinct tree heads seen (anchors and certified heads), by size. */
  readonly heads: readonly { readonly tree_size: number; readonly root: string }[];
  /** Every head is consistent with every other (vacuously true with fewer than two). */
  readonly consistent: boolean;
  /** Genesis hash of the pinned set, or null when none was given. */
  readonly genesisHash: string | null;
  readonly issuers: readonly IssuerSummary[];
  /** Back-end names, e.g. "webcrypto+noble". */
  readonly verifier: string;
}

const defaultYield = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

function idOf(value: unknown): string | null {
  if (typeof value !== 'object' || value === null) return null;
  const id = (value as { id?: unknown }).id;
  return typeof id === 'string' && /^[0-9a-f]{64}$/.test(id) ? id : null;
}

interface Parsed {
  readonly proof: SignedProof;
  readonly sig: Uint8Array;
  readonly idBytes: Uint8Array;
}

function parseQuietly(input: unknown): Parsed | null {
  try {
    const parsed = parseSignedProof(input);
    if (!parsed.ok) return null;
    const sig = base64urlToBytes(parsed.value.sig);
    return { proof: parsed.value, sig, idBytes: hexToBytes(parsed.value.id) };
  } catch {
    return null;
  }
}

/**
 * The key each proof should verify with, from a replay that trusts every proof (no signature is
 * checked here): it only tells the signature pass which key to try. verifyProofSet redoes the
 * replay with checked proofs and falls back to the synchronous verifier where the guess was wrong.
 */
function presumedKeys(parsed: readonly Parsed[]): Map<Parsed, Uint8Array> {
  const byIssuer = new Map<string, Parsed[]>();
  for (const entry of parsed) {
    const list = byIssuer.get(entry.proof.issuer);
    if (list === undefined) byIssuer.set(entry.proof.issuer, [entry]);
    else list.push(entry);
  }
  const keys = new Map<Parsed, Uint8Array>();
  for (const [issuer, list] of byIssuer) {
    const created = createIdentityState(issuer);
    if (!created.ok) continue;
    let state: IdentityState = created.value;
    list.sort((a, b) => a.proof.seq - b.proof.seq);
    for (const entry of list) {
      const key = keyForSeq(state, entry.proof.seq);
      if (key !== undefined) keys.set(entry, key);
      if (entry.proof.seq > state.lastSeq) {
        try {
          state = applyIdentityProof(state, entry.proof);
        } catch {
          // A malformed history: the checked replay will say so.
        }
      }
    }
  }
  return keys;
}

/** Checks every item and the tree heads they name. Never throws for bad input; resolves to a report. */
export async function verifyItems(input: VerifyItemsInput, options: VerifyItemsOptions = {}): Promise<VerifyReport> {
  const verifier = options.verifier ?? nobleVerifier;
  const asyncVerifier = options.asyncVerifier ?? toAsyncVerifier(verifier);
  const chunk = Math.max(1, options.chunk ?? 100);
  const yieldControl = options.yieldControl ?? defaultYield;
  const progress = options.onProgress ?? (() => undefined);
  const items: readonly VerifyItem[] = Array.isArray(input.items) ? (input.items as readonly VerifyItem[]) : [];
  const identities: readonly unknown[] = Array.isArray(input.identities) ? (input.identities as readonly unknown[]) : [];
  const failures: VerifyFailure[] = [];
  const warnings: VerifyFailure[] = [];
  const itemCodes: string[][] = items.map(() => []);
  const itemFailed: boolean[] = items.map(() => false);
  const itemIds: (string | null)[] = items.map((item) => idOf(typeof item === 'object' && item !== null ? item.proof : null));
  const nameOf = (index: number): string => itemIds[index] ?? `item[${index}]`;
  const failItem = (index: number, code: string, message: string, details?: unknown): void => {
    failures.push(details === undefined ? { id: nameOf(index), index, code, message } : { id: nameOf(index), index, code, message, details });
    itemCodes[index]?.push(code);
    itemFailed[index] = true;
  };
  const warnItem = (index: number, code: string, message: string): void => {
    warnings.push({ id: nameOf(index), index, code, message });
    itemCodes[index]?.push(code);
  };

  // 1. The validator set.
  let pinned: PinnedChain | null = options.pinned ?? null;
  if (pinned === null && input.validators !== undefined && input.validators !== null) {
    const checked = verifyValidatorSet(input.validators);
    if (!checked.ok) failures.push({ id: 'validators', index: null, code: checked.error.code, message: checked.error.message });
    else if (options.expectedGenesisHash !== undefined && checked.value.genesisHash !== options.expectedGenesisHash.toLowerCase()) {
      failures.push({ id: 'validators', index: null, code: 'genesis_hash_mismatch', message: `the validator set's genesis is ${checked.value.genesisHash}, not the expected ${options.expectedGenesisHash}` });
    } else pinned = checked.value;
  }

  // 2. Signatures, in chunks through the async back-end.
  const proofInputs: unknown[] = [...identities, ...items.map((item) => (typeof item === 'object' && item !== null ? item.proof : item))];
  const offset = identities.length;
  const parsedInputs = proofInputs.map(parseQuietly);
  const parsed = parsedInputs.filter((entry): entry is Parsed => entry !== null);
  const keys = presumedKeys(parsed);
  const answers = new Map<string, boolean>();
  const jobs: { key: string; sig: Uint8Array; msg: Uint8Array; pub: Uint8Array }[] = [];
  for (const entry of parsed) {
    const pub = keys.get(entry);
    if (pub === undefined) continue;
    const key = verificationKey(entry.sig, entry.idBytes, pub);
    if (answers.has(key)) continue;
    answers.set(key, false);
    jobs.push({ key, sig: entry.sig, msg: entry.idBytes, pub });
  }
  progress({ phase: 'signatures', done: 0, total: jobs.length });
  for (let start = 0; start < jobs.length; start += chunk) {
    const batch = jobs.slice(start, start + chunk);
    const results = await Promise.all(batch.map((job) => asyncVerifier.verify(job.sig, job.msg, job.pub)));
    batch.forEach((job, i) => answers.set(job.key, results[i] === true));
    progress({ phase: 'signatures', done: Math.min(start + chunk, jobs.length), total: jobs.length });
    await yieldControl();
  }

  // 3. The set: ids, signatures with each seq's key, chains, forks, delegation, references.
  const answering = createAnsweringVerifier(answers, verifier, asyncVerifier.name === verifier.name ? verifier.name : `${asyncVerifier.name}+${verifier.name}`);
  // The hub rule applies to the items only: an issuer's identity chain may live in another hub.
  const set = verifyProofSet(proofInputs, answering, options.requireReferences === true ? { requireReferences: true } : {});
  if (options.hub !== undefined) {
    items.forEach((_, index) => {
      const proof = parsedInputs[offset + index]?.proof;
      if (proof !== undefined && proof.hub !== options.hub) failItem(index, 'wrong_hub', `proof is for hub "${proof.hub}", not "${options.hub}"`);
    });
  }
  for (const entry of set.proofs) {
    if (entry.ok) continue;
    for (const error of entry.errors) {
      if (entry.index >= offset) failItem(entry.index - offset, error.code, error.message, error.details);
      else failures.push({ id: entry.id ?? `identity[${entry.index}]`, index: null, code: error.code, message: `identity proof: ${error.message}` });
    }
  }
  for (const failure of set.failures) {
    // Chain failures are already attached to the proofs they name; gaps are expected in a thread.
    if (failure.ids.length === 0 && failure.code !== 'seq_gap') failures.push({ id: failure.issuer ?? 'set', index: null, code: failure.code, message: failure.message });
  }
  // Each issuer's key history must start at its inception proof, or nothing says which key it had.
  const incepted = new Set(set.proofs.filter((entry) => entry.ok && entry.seq === 1).map((entry) => entry.issuer));
  for (const issuer of set.issuers) {
    if (!incepted.has(issuer.issuer)) {
      failures.push({ id: issuer.issuer, index: null, code: 'identity_missing', message: `the inception (seq 1) proof of ${issuer.issuer} is missing or does not check` });
      items.forEach((_, index) => {
        if (parsedInputs[offset + index]?.proof.issuer === issuer.issuer) {
          itemCodes[index]?.push('identity_missing');
          itemFailed[index] = true;
        }
      });
    }
  }
  progress({ phase: 'proofs', done: items.length, total: items.length });

  // 4. Content and anchors, item by item.
  const certificates = pinned === null ? null : new CertificateVerifier(pinned, verifier);
  const headClaims: TreeHeadClaim[] = [];
  let anchored = 0;
  let unanchored = 0;
  const anchoredFlags: boolean[] = items.map(() => false);
  for (let index = 0; index < items.length; index++) {
    const item = items[index];
    if (typeof item !== 'object' || item === null) {
      failItem(index, 'invalid_item', 'an item must be an object {proof, content?, anchor?}');
      continue;
    }
    const entry = set.proofs[offset + index];
    const proof = entry?.verified ?? parsedInputs[offset + index]?.proof ?? null;
    if (proof !== null && (proof.type === 'post' || proof.type === 'reply')) {
      if (item.content === null || item.purged === true) warnItem(index, 'content_purged', 'the hub purged this item\'s content; the proof still checks');
      else if (item.content === undefined) failItem(index, 'content_missing', 'a post or reply came without its content');
      else {
        const content = checkContent(proof, item.content);
        if (!content.ok) failItem(index, content.error.code, content.error.message);
      }
    }
    if (item.anchor === undefined || item.anchor === null) {
      unanchored++;
      if (options.requireAnchors === true) failItem(index, 'unanchored', 'the item carries no anchor');
      else warnItem(index, 'unanchored', 'the item carries no anchor');
    } else if (certificates === null) {
      failItem(index, 'validator_set_missing', 'the item is anchored but no validator set was given to check its certificate');
    } else {
      const verdict = verifyAnchor(item.proof, item.anchor, certificates.pinned, verifier, certificates);
      if (!verdict.ok) failItem(index, verdict.error.code, verdict.error.message, verdict.error.details);
      else {
        anchored++;
        anchoredFlags[index] = true;
        headClaims.push({ tree_size: verdict.value.treeSize, root: verdict.value.root, source: nameOf(index) });
      }
    }
    if ((index + 1) % chunk === 0) {
      progress({ phase: 'anchors', done: index + 1, total: items.length });
      await yieldControl();
    }
  }
  progress({ phase: 'anchors', done: items.length, total: items.length });

  // 5. Certified heads and consistency between every head seen.
  const heads: readonly unknown[] = Array.isArray(input.heads) ? (input.heads as readonly unknown[]) : [];
  heads.forEach((head, position) => {
    const parsedHead = certifiedHeadSchema.safeParse(head);
    if (!parsedHead.success) {
      failures.push({ id: `head[${position}]`, index: null, code: 'invalid_head', message: 'not a certified head {height, block_hash, tree_size, root, certificate}' });
      return;
    }
    const h = parsedHead.data;
    const id = `head@${h.height}`;
    if (certificates === null) {
      failures.push({ id, index: null, code: 'validator_set_missing', message: 'a certified head needs a validator set to check its certificate' });
      return;
    }
    const verdict = certificates.verify(h.certificate);
    if (!verdict.ok) {
      failures.push({ id, index: null, code: verdict.error.code, message: verdict.error.message, details: verdict.error.details });
      return;
    }
    const v = verdict.value;
    if (v.height !== h.height || v.logSize !== h.tree_size || bytesToHex(v.logRoot) !== h.root || bytesToHex(v.blockHash) !== h.block_hash) {
      failures.push({ id, index: null, code: 'certificate_head_mismatch', message: 'the certificate certifies another block or tree head than the head names' });
      return;
    }
    headClaims.push({ tree_size: h.tree_size, root: h.root, source: id });
  });
  const consistency = checkTreeHeads(headClaims, Array.isArray(input.consistency) ? (input.consistency as readonly unknown[]) : []);
  for (const failure of consistency.failures) failures.push({ id: failure.id, index: null, code: failure.code, message: failure.message, details: failure.details });
  progress({ phase: 'heads', done: headClaims.length, total: headClaims.length });

  const verdicts: ItemVerdict[] = items.map((_, index) => ({
    index,
    id: itemIds[index] ?? null,
    ok: itemFailed[index] !== true,
    anchored: anchoredFlags[index] === true,
    codes: itemCodes[index] ?? [],
  }));
  progress({ phase: 'done', done: items.length, total: items.length });
  return {
    ok: failures.length === 0,
    total: items.length,
    checked: items.length,
    valid: verdicts.filter((verdict) => verdict.ok).length,
    anchored,
    unanchored,
    failures,
    warnings,
    items: verdicts,
    heads: consistency.heads,
    consistent: consistency.consistent,
    genesisHash: pinned?.genesisHash ?? null,
    issuers: set.issuers,
    verifier: answering.name,
  };
}

/** verifyItems for one thread: every reference must resolve inside it. */
export function verifyThread(input: VerifyItemsInput, options: VerifyItemsOptions = {}): Promise<VerifyReport> {
  return verifyItems(input, { requireReferences: true, ...options });
}

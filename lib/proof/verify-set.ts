// Verification of a whole set of proofs: what `proofhub verify` and the browser's "verify thread"
// run. Per proof: schema, id, signature with the key identity replay assigns to its seq; per
// issuer: chain links and forks; across issuers: delegation (on_behalf_of) and thread references.
// One Ed25519 verification per distinct proof; everything else is linear apart from sorting each
// issuer's seqs.
import type { Hasher } from '../crypto/sha256';
import type { SignatureVerifier } from '../crypto/types';
import { ChainTracker } from './chain';
import type { ChainFailure, SeqRange } from './chain';
import { fail } from '../errors';
import type { Result } from '../errors';
import type { ProofErrorCode, ProofFailure } from './errors';
import { applyIdentityProof, checkDelegatedProof, createIdentityState, keyForSeq } from './identity';
import type { IdentityState } from './identity';
import { checkProofId, checkProofSignature, markVerified, parseSignedProof } from './proof';
import type { VerifiedProof } from './proof';
import type { ProofType, SignedProof } from './schema';
import { checkReplyLinks, checkTargetLink } from './thread';

export interface VerifyProofSetOptions {
  /** Every proof must be for this hub (wrong_hub otherwise). */
  readonly hub?: string;
  /** The set holds whole chains: a missing seq is a seq_gap failure (see ChainReportOptions). */
  readonly complete?: boolean;
  /**
   * The set is a whole thread: every reply's parent and root and every reaction's and
   * moderation's target must be in it (unknown_parent otherwise).
   */
  readonly requireReferences?: boolean;
  readonly hasher?: Hasher;
}

export interface ProofSetEntry {
  /** Position in the input array. */
  readonly index: number;
  /** The proof's claimed id, or null when the input did not parse. */
  readonly id: string | null;
  readonly issuer: string | null;
  readonly type: ProofType | null;
  readonly seq: number | null;
  readonly ok: boolean;
  readonly errors: readonly ProofFailure[];
  /** The verified proof when ok. */
  readonly verified: VerifiedProof | null;
}

export interface IssuerSummary {
  readonly issuer: string;
  /** Display name from the latest identity proof in the set. */
  readonly name: string | null;
  /** did:key of every key the issuer signed with, in order (the inception key first). */
  readonly keys: readonly string[];
  /** Seqs absent from the set between 1 and the highest seq present. */
  readonly missing: readonly SeqRange[];
  /** Lowest seq holding two validly signed proofs, or null. */
  readonly forkSeq: number | null;
}

export interface ProofSetReport {
  readonly ok: boolean;
  readonly proofs: readonly ProofSetEntry[];
  /** Failures of the set rather than of one proof: forks (details: first and second proof), gaps. */
  readonly failures: readonly ChainFailure[];
  readonly issuers: readonly IssuerSummary[];
  readonly counts: { readonly total: number; readonly valid: number; readonly invalid: number };
  /** The identity state replayed for each issuer (input for mayActFor, keyForSeq). */
  readonly identities: ReadonlyMap<string, IdentityState>;
}

/** One signature over a body: identical (id, sig) inputs share it. */
interface Candidate {
  readonly proof: SignedProof;
  readonly idBytes: Uint8Array;
  /** Signature checked against the key of its seq. */
  signed: boolean;
  /** The signature check's failure, when it failed. */
  error: ProofFailure | null;
}

/** One body (one id), with every distinct signature the set carries for it. */
interface IdGroup {
  readonly id: string;
  readonly issuer: string;
  readonly seq: number;
  readonly variants: Candidate[];
  /** The first variant whose signature checks, if any. */
  signed: Candidate | null;
  /** Failures of the body itself: chain, fork, delegation, references. */
  readonly errors: ProofFailure[];
}

interface Entry {
  readonly index: number;
  proof: SignedProof | null;
  /** Failures of this input alone: parse, hub, id. */
  readonly errors: ProofFailure[];
  candidate: Candidate | null;
  group: IdGroup | null;
}

/**
 * Checks a set of proofs given in any order and reports on each of them and on the set. Never
 * throws. A proof is ok when it parses, its id and signature check with the key of its seq, it is
 * not part of or after a fork, its chain link to the proof before it (when present) holds, its
 * delegation (when on_behalf_of) holds, and its references check (when present in the set).
 * Copies of a proof with a corrupted signature change nothing for the genuine copy.
 */
export function verifyProofSet(inputs: readonly unknown[], verifier: SignatureVerifier, opts: VerifyProofSetOptions = {}): ProofSetReport {
  const entries: Entry[] = [];
  const groups = new Map<string, IdGroup>();
  const byIssuer = new Map<string, Map<number, IdGroup[]>>();

  inputs.forEach((input, index) => {
    const entry: Entry = { index, proof: null, errors: [], candidate: null, group: null };
    entries.push(entry);
    const parsed = parseSafely(input);
    if (!parsed.ok) {
      entry.errors.push(parsed.error);
      return;
    }
    const proof = parsed.value;
    entry.proof = proof;
    if (opts.hub !== undefined && proof.hub !== opts.hub) {
      entry.errors.push({ code: 'wrong_hub', message: `proof is for hub "${proof.hub}", not "${opts.hub}"`, details: { hub: proof.hub, expected: opts.hub } });
    }
    const id = checkProofId(proof, opts.hasher);
    if (!id.ok) {
      entry.errors.push(id.error);
      return;
    }
    let group = groups.get(proof.id);
    if (group === undefined) {
      group = { id: proof.id, issuer: proof.issuer, seq: proof.seq, variants: [], signed: null, errors: [] };
      groups.set(proof.id, group);
      let bySeq = byIssuer.get(proof.issuer);
      if (bySeq === undefined) {
        bySeq = new Map();
        byIssuer.set(proof.issuer, bySeq);
      }
      const atSeq = bySeq.get(proof.seq);
      if (atSeq === undefined) bySeq.set(proof.seq, [group]);
      else atSeq.push(group);
    }
    entry.group = group;
    let candidate = group.variants.find((variant) => variant.proof.sig === proof.sig);
    if (candidate === undefined) {
      candidate = { proof, idBytes: id.value, signed: false, error: null };
      group.variants.push(candidate);
    }
    entry.candidate = candidate;
  });

  // Identity replay per issuer in seq order: each signature is checked with the key the replay so
  // far assigns to its seq, and only signed proofs change the state. Forged proofs therefore can
  // neither rotate a key nor fabricate a fork against an honest issuer.
  const tracker = new ChainTracker<SignedProof>();
  const identities = new Map<string, IdentityState>();
  const forkSeqs = new Map<string, number>();
  for (const [issuer, bySeq] of byIssuer) {
    const created = createIdentityState(issuer);
    if (!created.ok) continue; // unreachable: the schema checked the did
    let state = created.value;
    let contiguousUpTo = 0; // seqs 1..contiguousUpTo all hold a signed proof
    let forkSeq: number | null = null;
    for (const seq of [...bySeq.keys()].sort((a, b) => a - b)) {
      const atSeq = bySeq.get(seq) ?? [];
      if (forkSeq !== null) {
        // Not even checked: which key signs after a fork depends on the branch.
        for (const group of atSeq) {
          for (const candidate of group.variants) {
            candidate.error = {
              code: 'fork',
              message: `the issuer forked its chain at seq ${forkSeq}; nothing it signed after that is trusted`,
              details: { issuer, forkSeq },
            };
          }
        }
        continue;
      }
      const key = keyForSeq(state, seq);
      const keyMayBeUnknown = contiguousUpTo < seq - 1;
      const signed: IdGroup[] = [];
      for (const group of atSeq) {
        for (const candidate of group.variants) {
          const signature = key === undefined ? undefined : checkProofSignature(candidate.proof, candidate.idBytes, key, verifier);
          if (signature?.ok === true) {
            candidate.signed = true;
            group.signed ??= candidate;
          } else if (keyMayBeUnknown || signature === undefined) {
            candidate.error = {
              code: 'unknown_key',
              message: `the signature does not verify with the key known for seq ${seq}; the set lacks earlier proofs of this issuer, which may rotate its key`,
              details: { issuer, seq, missingFrom: contiguousUpTo + 1 },
            };
          } else {
            candidate.error = signature.error;
          }
        }
        if (group.signed !== null) signed.push(group);
      }
      for (const group of signed) if (group.signed !== null) tracker.add(group.signed.proof);
      const [only, ...others] = signed;
      if (only?.signed == null) continue;
      if (others.length > 0) {
        forkSeq = seq;
        forkSeqs.set(issuer, seq);
        continue;
      }
      state = applyIdentityProof(state, only.signed.proof);
      if (contiguousUpTo === seq - 1) contiguousUpTo = seq;
    }
    identities.set(issuer, state);
  }

  // Chain links and forks among signed proofs.
  const chains = tracker.report({ complete: opts.complete === true });
  for (const failure of chains.failures) {
    for (const id of failure.ids) {
      groups.get(id)?.errors.push({ code: failure.code, message: failure.message, details: failure.details });
    }
  }

  // Delegation and references, once per signed body.
  for (const group of groups.values()) {
    const proof = group.signed?.proof;
    if (proof === undefined) continue;
    const delegation = checkDelegatedProof(identities, proof);
    if (!delegation.ok) group.errors.push(delegation.error);
    group.errors.push(...checkReferences(proof, groups, opts.requireReferences === true));
  }

  const proofs: ProofSetEntry[] = entries.map((entry) => {
    const { proof, candidate, group } = entry;
    const errors = [...entry.errors];
    if (candidate !== null && group !== null) {
      if (candidate.error !== null) errors.push(candidate.error);
      if (candidate.signed) errors.push(...group.errors);
    }
    const ok = proof !== null && candidate?.signed === true && errors.length === 0;
    return {
      index: entry.index,
      id: proof?.id ?? null,
      issuer: proof?.issuer ?? null,
      type: proof?.type ?? null,
      seq: proof?.seq ?? null,
      ok,
      errors,
      verified: ok && candidate !== null ? markVerified(candidate.proof) : null,
    };
  });

  const chainByIssuer = new Map(chains.issuers.map((report) => [report.issuer, report]));
  const issuers: IssuerSummary[] = [...byIssuer.keys()].sort().map((issuer) => {
    const state = identities.get(issuer);
    const chain = chainByIssuer.get(issuer);
    return {
      issuer,
      name: state?.name ?? null,
      keys: state?.epochs.map((epoch) => epoch.did) ?? [issuer],
      missing: chain?.missing ?? [],
      forkSeq: forkSeqs.get(issuer) ?? null,
    };
  });
  const valid = proofs.filter((entry) => entry.ok).length;
  return {
    ok: valid === proofs.length && chains.failures.length === 0,
    proofs,
    failures: chains.failures,
    issuers,
    counts: { total: proofs.length, valid, invalid: proofs.length - valid },
    identities,
  };
}

function parseSafely(input: unknown): Result<SignedProof, ProofErrorCode> {
  try {
    return parseSignedProof(input);
  } catch (error) {
    // A hostile getter or a bug: the set report must still come back.
    return fail('malformed_proof', `proof could not be parsed: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function checkReferences(proof: SignedProof, groups: ReadonlyMap<string, IdGroup>, required: boolean): ProofFailure[] {
  // Only signed proofs count as present: a forged parent must not vouch for a reply.
  const find = (id: string): SignedProof | undefined => groups.get(id)?.signed?.proof;
  switch (proof.type) {
    case 'reply': {
      const parent = find(proof.claim.parent);
      if (parent === undefined && !required) return [];
      const links = checkReplyLinks(proof, parent, find(proof.claim.root));
      const failures: ProofFailure[] = links.ok ? [] : [links.error];
      if (required && links.ok && find(proof.claim.root) === undefined) {
        failures.push({ code: 'unknown_parent', message: `root ${proof.claim.root} is not in the set`, details: { root: proof.claim.root } });
      }
      return failures;
    }
    case 'reaction':
    case 'moderation': {
      const target = find(proof.claim.target);
      if (target === undefined && !required) return [];
      const link = checkTargetLink(proof, target);
      return link.ok ? [] : [link.error];
    }
    default:
      return [];
  }
}

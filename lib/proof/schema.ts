// zod schemas of the proof format: the one set every entry point (REST, Socket.IO, validator
// links, bundle import, CLI) parses with. Schemas are strict: an unknown field anywhere is refused,
// because a field the verifier ignores but the signature covers would let two readers disagree on
// what was signed. No schema transforms or defaults: the parsed value is exactly the signed JSON,
// so the id recomputed from it is the id of what arrived.
import { z } from 'zod';
import { base64urlToBytes } from '../bytes';
import { hasLoneSurrogate } from '../canonical-json';
import { isDidKey } from '../crypto/did-key';
import { PROOF_LIMITS } from './limits';

export const PROOF_VERSION = 1;

export const PROOF_TYPES = [
  'identity',
  'key_rotation',
  'post',
  'reply',
  'reaction',
  'moderation',
  'delegation',
  'revocation',
] as const;

export type ProofType = (typeof PROOF_TYPES)[number];

const proofTypeSet: ReadonlySet<string> = new Set(PROOF_TYPES);

export function isProofType(value: unknown): value is ProofType {
  return typeof value === 'string' && proofTypeSet.has(value);
}

/**
 * zod issues that must map to a specific proof error code carry it in `params.proofCode`
 * (see classifyIssues in parse.ts); all others map by where they are (claim or not).
 */
function proofIssue(proofCode: 'invalid_did' | 'invalid_claim' | 'malformed_proof', message: string) {
  return { message, params: { proofCode } };
}

// ---------------------------------------------------------------------------------------------
// Scalars

// Fixed-length fields check their length, then one run of their alphabet: V8 matches `[…]+`
// about a third faster than the equivalent counted `[…]{64}`, and these run several times for
// every proof verified.
const LOWER_HEX_RUN = /^[0-9a-f]+$/;
const BASE64URL_RUN = /^[A-Za-z0-9_-]+$/;

/** 64 lowercase hex characters: a SHA-256 digest as proofs write it. */
function isSha256Hex(text: string): boolean {
  return text.length === 64 && LOWER_HEX_RUN.test(text);
}

/** A proof id: lowercase hex SHA-256 (64 characters). Uppercase is refused: ids compare as strings. */
export const proofIdSchema = z.string().refine(isSha256Hex, 'expected a proof id: 64 lowercase hex characters');

/** A SHA-256 digest in lowercase hex (content_digest, evidence sha256). */
export const sha256HexSchema = z.string().refine(isSha256Hex, 'expected a SHA-256 digest: 64 lowercase hex characters');

/** A hub id: 1-64 characters, [a-z0-9] first, then [a-z0-9_-]. */
export const hubIdSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'expected a hub id: 1-64 characters of [a-z0-9_-], starting with [a-z0-9]');

const TIMESTAMP_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** The number written by the two ASCII digits at text[at], text[at + 1]. */
function twoDigits(text: string, at: number): number {
  return (text.charCodeAt(at) - 48) * 10 + (text.charCodeAt(at + 1) - 48);
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/**
 * Whether text is what new Date(Date.parse(text)).toISOString() gives back: exactly one instant,
 * spelled the one way toISOString spells it. For text of TIMESTAMP_PATTERN (every proof's
 * created_at) that is a field range check in the proleptic Gregorian calendar ECMAScript dates
 * use (month 1-12, day within its month, hour 0-23, minute and second 0-59: no leap seconds, no
 * 24:00); the tests check it against the round trip. Other text keeps the round trip itself, so
 * what a refused value is told stays the same.
 */
export function isCanonicalTimestamp(text: string): boolean {
  if (!TIMESTAMP_PATTERN.test(text)) {
    const time = Date.parse(text);
    return Number.isFinite(time) && new Date(time).toISOString() === text;
  }
  const year = twoDigits(text, 0) * 100 + twoDigits(text, 2);
  const month = twoDigits(text, 5);
  const day = twoDigits(text, 8);
  return (
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth(year, month) &&
    twoDigits(text, 11) <= 23 &&
    twoDigits(text, 14) <= 59 &&
    twoDigits(text, 17) <= 59
  );
}

/**
 * ISO-8601 UTC with milliseconds, exactly `YYYY-MM-DDTHH:MM:SS.sssZ` (the form
 * Date.prototype.toISOString writes for years 0-9999). The calendar check refuses impossible dates
 * such as 2026-02-30 and leap seconds, so every accepted string names exactly one instant.
 */
export const timestampSchema = z
  .string()
  .regex(TIMESTAMP_PATTERN, 'expected an ISO-8601 UTC time with milliseconds: YYYY-MM-DDTHH:MM:SS.sssZ')
  .refine(isCanonicalTimestamp, 'not a real calendar time');

/**
 * An Ed25519 did:key whose key can verify under the One Ed25519 rule (lib/crypto/did-key.ts; the
 * decoder remembers its answer per DID string, so a known issuer costs one Map lookup).
 */
export const proofDidSchema = z.string().check((ctx) => {
  if (ctx.value.length > PROOF_LIMITS.maxDidChars || !isDidKey(ctx.value)) {
    ctx.issues.push({
      code: 'custom',
      input: ctx.value,
      ...proofIssue('invalid_did', 'expected an Ed25519 did:key (did:key:z6Mk…)'),
    });
  }
});

// Lone UTF-16 surrogates have no UTF-8 form: TextEncoder would silently replace them, and other
// languages' JSON libraries disagree on them, so two implementations could hash different bytes.
// (hasLoneSurrogate is the check RFC 8785 canonicalization applies too.)
/** C0 and C1 control characters and DEL; multi-line text may hold tab, line feed and carriage return. */
function hasControlCharacter(text: string, multiline: boolean): boolean {
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit > 0x9f || (unit >= 0x20 && unit < 0x7f)) continue;
    if (multiline && (unit === 0x09 || unit === 0x0a || unit === 0x0d)) continue;
    return true;
  }
  return false;
}

/** Well-formed Unicode text of bounded length; single-line text also refuses control characters. */
export function textSchema(options: { min: number; max: number; multiline: boolean }) {
  return z
    .string()
    .min(options.min)
    .max(options.max)
    .refine((text) => !hasLoneSurrogate(text), 'text contains a lone UTF-16 surrogate')
    .refine((text) => !hasControlCharacter(text, options.multiline), 'text contains a control character');
}

/** base64url without padding of 16..64 random bytes: the content salt. */
export const saltSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]+$/, 'expected base64url without padding')
  .refine((text) => {
    try {
      const length = base64urlToBytes(text).length;
      return length >= PROOF_LIMITS.minSaltBytes && length <= PROOF_LIMITS.maxSaltBytes;
    } catch {
      return false; // non-canonical trailing bits or an impossible length
    }
  }, `expected ${PROOF_LIMITS.minSaltBytes}-${PROOF_LIMITS.maxSaltBytes} bytes in canonical base64url`);

/**
 * An Ed25519 signature: 64 bytes in base64url without padding is 86 characters, and canonical
 * encoding leaves the last character's low 4 bits zero (A, Q, g or w), so each signature has
 * exactly one accepted spelling.
 */
export const signatureSchema = z
  .string()
  .refine(
    (text) => text.length === 86 && BASE64URL_RUN.test(text) && 'AQgw'.includes(text.charAt(85)),
    'expected a 64-byte Ed25519 signature in canonical base64url without padding',
  );

// ---------------------------------------------------------------------------------------------
// Claims

export const VISIBILITIES = ['public', 'members'] as const;
export const REACTION_KINDS = ['like', 'verified', 'disputed'] as const;
export const MODERATION_ACTIONS = ['hide', 'unhide', 'flag'] as const;
export const DELEGATION_SCOPES = ['read', 'post', 'reply', 'react', 'moderate'] as const;

export type Visibility = (typeof VISIBILITIES)[number];
export type ReactionKind = (typeof REACTION_KINDS)[number];
export type ModerationAction = (typeof MODERATION_ACTIONS)[number];
export type DelegationScope = (typeof DELEGATION_SCOPES)[number];

const nameSchema = textSchema({ min: 1, max: PROOF_LIMITS.maxNameChars, multiline: false }).refine(
  (name) => name.trim().length > 0,
  'a display name needs a visible character',
);
const reasonSchema = textSchema({ min: 1, max: PROOF_LIMITS.maxReasonChars, multiline: true });

export const identityClaimSchema = z.strictObject({ name: nameSchema });

export const keyRotationClaimSchema = z.strictObject({ next_key: proofDidSchema });

export const postClaimSchema = z.strictObject({
  content_digest: sha256HexSchema,
  visibility: z.enum(VISIBILITIES),
  on_behalf_of: proofDidSchema.exactOptional(),
});

export const replyClaimSchema = z.strictObject({
  parent: proofIdSchema,
  root: proofIdSchema,
  content_digest: sha256HexSchema,
  on_behalf_of: proofDidSchema.exactOptional(),
});

export const reactionClaimSchema = z.strictObject({
  target: proofIdSchema,
  kind: z.enum(REACTION_KINDS),
  undo: z.literal(true).exactOptional(),
  on_behalf_of: proofDidSchema.exactOptional(),
});

export const moderationClaimSchema = z.strictObject({
  target: proofIdSchema,
  action: z.enum(MODERATION_ACTIONS),
  reason: reasonSchema,
  on_behalf_of: proofDidSchema.exactOptional(),
});

export const delegationClaimSchema = z.strictObject({
  agent: proofDidSchema,
  scopes: z
    .array(z.enum(DELEGATION_SCOPES))
    .min(1)
    .max(DELEGATION_SCOPES.length)
    .refine((scopes) => new Set(scopes).size === scopes.length, 'scopes must not repeat'),
  expires_at: timestampSchema,
});

export const revocationClaimSchema = z.strictObject({
  agent: proofDidSchema,
  reason: reasonSchema.exactOptional(),
});

export const claimSchemas = {
  identity: identityClaimSchema,
  key_rotation: keyRotationClaimSchema,
  post: postClaimSchema,
  reply: replyClaimSchema,
  reaction: reactionClaimSchema,
  moderation: moderationClaimSchema,
  delegation: delegationClaimSchema,
  revocation: revocationClaimSchema,
} as const;

export type IdentityClaim = z.infer<typeof identityClaimSchema>;
export type KeyRotationClaim = z.infer<typeof keyRotationClaimSchema>;
export type PostClaim = z.infer<typeof postClaimSchema>;
export type ReplyClaim = z.infer<typeof replyClaimSchema>;
export type ReactionClaim = z.infer<typeof reactionClaimSchema>;
export type ModerationClaim = z.infer<typeof moderationClaimSchema>;
export type DelegationClaim = z.infer<typeof delegationClaimSchema>;
export type RevocationClaim = z.infer<typeof revocationClaimSchema>;
export type ClaimOf<T extends ProofType> = z.infer<(typeof claimSchemas)[T]>;

/** The proof types whose claim may carry `on_behalf_of` (an agent acting under delegation). */
export const DELEGABLE_TYPES = ['post', 'reply', 'reaction', 'moderation'] as const;
export type DelegableType = (typeof DELEGABLE_TYPES)[number];

// ---------------------------------------------------------------------------------------------
// Evidence

/** A link to something outside the log, optionally pinned by the SHA-256 of its bytes. */
export const evidenceLinkSchema = z.strictObject({
  url: z
    .string()
    .max(PROOF_LIMITS.maxEvidenceUrlChars)
    .refine((text) => {
      if (!text.startsWith('https://')) return false;
      try {
        return new URL(text).protocol === 'https:';
      } catch {
        return false;
      }
    }, 'expected an absolute https:// URL')
    // The URL parser accepts a lone surrogate (it writes U+FFFD for it), but JCS input must be
    // I-JSON (RFC 8785 §3.1, RFC 7493 §2.1: no surrogate code points alone): refused here like in
    // every text field, so every schema-valid proof has a canonical form (verifyProof relies on it).
    .refine((text) => !hasLoneSurrogate(text), 'text contains a lone UTF-16 surrogate'),
  sha256: sha256HexSchema.exactOptional(),
  label: textSchema({ min: 1, max: PROOF_LIMITS.maxEvidenceLabelChars, multiline: false }).exactOptional(),
});

/** An evidence entry: another proof's id, or a link object. */
export const evidenceEntrySchema = z.union([proofIdSchema, evidenceLinkSchema]);

export const evidenceSchema = z.array(evidenceEntrySchema).max(PROOF_LIMITS.maxEvidence);

export type EvidenceLink = z.infer<typeof evidenceLinkSchema>;
export type EvidenceEntry = z.infer<typeof evidenceEntrySchema>;

// ---------------------------------------------------------------------------------------------
// Proofs

function unsignedShape<T extends ProofType>(type: T) {
  return {
    v: z.literal(PROOF_VERSION),
    type: z.literal(type),
    hub: hubIdSchema,
    issuer: proofDidSchema,
    seq: z.int().min(1).max(Number.MAX_SAFE_INTEGER),
    prev: proofIdSchema.nullable(),
    created_at: timestampSchema,
    claim: claimSchemas[type],
    evidence: evidenceSchema,
  };
}

function unsignedMember<T extends ProofType>(type: T) {
  return z.strictObject(unsignedShape(type));
}

function signedMember<T extends ProofType>(type: T) {
  return z.strictObject({ ...unsignedShape(type), id: proofIdSchema, sig: signatureSchema });
}

interface CrossFieldContext {
  value: CrossFieldInput;
  issues: z.core.$ZodRawIssue[];
}

interface CrossFieldInput {
  type: ProofType;
  issuer: string;
  seq: number;
  prev: string | null;
  created_at: string;
  claim: Record<string, unknown>;
}

/**
 * Rules that span fields, shared by the unsigned and signed schemas:
 * - `prev` is null exactly when `seq` is 1 (the chain starts there);
 * - seq 1 is the issuer's inception: it must be an `identity` proof;
 * - an issuer cannot delegate to, revoke, or act on behalf of itself;
 * - a delegation expires after it was made.
 */
function checkCrossFields(ctx: CrossFieldContext): void {
  const proof = ctx.value;
  if ((proof.seq === 1) !== (proof.prev === null)) {
    pushCrossFieldIssue(ctx, ['prev'], 'malformed_proof', proof.seq === 1 ? 'seq 1 starts the chain: prev must be null' : 'prev must name the proof at seq - 1');
  }
  if (proof.seq === 1 && proof.type !== 'identity') {
    pushCrossFieldIssue(ctx, ['type'], 'malformed_proof', 'seq 1 is the issuer\'s inception and must be an identity proof');
  }
  // Member checks may have failed without aborting (e.g. an unknown key): stay defensive.
  const claim: Record<string, unknown> = typeof proof.claim === 'object' && proof.claim !== null ? proof.claim : {};
  if ((proof.type === 'delegation' || proof.type === 'revocation') && claim.agent === proof.issuer) {
    pushCrossFieldIssue(ctx, ['claim', 'agent'], 'invalid_claim', `an issuer cannot name itself as the agent of a ${proof.type}`);
  }
  if (claim.on_behalf_of !== undefined && claim.on_behalf_of === proof.issuer) {
    pushCrossFieldIssue(ctx, ['claim', 'on_behalf_of'], 'invalid_claim', 'on_behalf_of names the issuer itself: omit it');
  }
  if (proof.type === 'delegation' && typeof claim.expires_at === 'string' && claim.expires_at <= proof.created_at) {
    // Same fixed-width format on both sides, so string order is time order.
    pushCrossFieldIssue(ctx, ['claim', 'expires_at'], 'invalid_claim', 'a delegation must expire after created_at');
  }
}

// A module-level function rather than a closure in checkCrossFields: this runs for every proof
// verified, and a closure per call is an allocation (and, under tsx, a keepNames call) per proof.
function pushCrossFieldIssue(ctx: CrossFieldContext, path: PropertyKey[], code: 'invalid_claim' | 'malformed_proof', message: string): void {
  ctx.issues.push({ code: 'custom', input: ctx.value, path, ...proofIssue(code, message) });
}

const unsignedMembers = [
  unsignedMember('identity'),
  unsignedMember('key_rotation'),
  unsignedMember('post'),
  unsignedMember('reply'),
  unsignedMember('reaction'),
  unsignedMember('moderation'),
  unsignedMember('delegation'),
  unsignedMember('revocation'),
] as const;

const signedMembers = [
  signedMember('identity'),
  signedMember('key_rotation'),
  signedMember('post'),
  signedMember('reply'),
  signedMember('reaction'),
  signedMember('moderation'),
  signedMember('delegation'),
  signedMember('revocation'),
] as const;

// The two proof schemas run for every proof signed or verified, so they go through zod's own AOT
// compiler (z.compile, zod >= 4.5): a clone whose parse first runs one generated, loop-free
// function of the whole schema, calling the same refine and check functions, and hands any input
// that function refuses to zod's ordinary parser, so a refused proof gets exactly the issues it
// always did (https://zod.dev/compile: "identical results and identical errors"). It is the same
// schema, not a second validator: the generated code is derived from it at load time. Where code
// generation is not allowed (a CSP without 'unsafe-eval'), compile hands back the schema as it
// is; schema.test.ts checks that both schemas compile here, so a change that would silently put
// them back on the slower path fails a test.

/** The unsigned body (what the id hashes), discriminated by `type`. */
export const unsignedProofSchema = z.compile(z.discriminatedUnion('type', unsignedMembers).check(checkCrossFields));

/** The signed proof: the unsigned body plus `id` and `sig`. */
export const signedProofSchema = z.compile(z.discriminatedUnion('type', signedMembers).check(checkCrossFields));

export type UnsignedProof = z.infer<typeof unsignedProofSchema>;
export type SignedProof = z.infer<typeof signedProofSchema>;
export type UnsignedProofOf<T extends ProofType> = Extract<UnsignedProof, { type: T }>;
export type SignedProofOf<T extends ProofType> = Extract<SignedProof, { type: T }>;

/** The fields of the unsigned body, in the order the docs list them. */
export const UNSIGNED_FIELDS = ['v', 'type', 'hub', 'issuer', 'seq', 'prev', 'created_at', 'claim', 'evidence'] as const;

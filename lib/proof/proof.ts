// Proof ids, signing, and verification of a single proof (docs/proof-format.md):
//   id  = lowercase hex SHA-256 of the UTF-8 bytes of the RFC 8785 (JCS) form of the unsigned body
//   sig = Ed25519 (RFC 8032 §5.1.6) over the 32 id bytes, base64url without padding (RFC 4648 §5)
// Signing the id rather than the body keeps the signed message fixed-size, and lets the Merkle
// leaf (SHA-256(0x00 ‖ id ‖ sig), DESIGN.md "Log and chain") commit to the body through the id.
import { base64urlToBytes, bytesToBase64url, bytesToHex, hexToBytes, utf8Encode } from '../bytes';
import { canonicalizeJson, canonicalizePlainJson } from '../canonical-json';
import { didKeyToPublicKey } from '../crypto/did-key';
import { nobleHasher, sha256OfUtf8 } from '../crypto/sha256';
import type { Hasher } from '../crypto/sha256';
import type { SignatureVerifier, Signer } from '../crypto/types';
import { fail, ok } from '../errors';
import type { Result } from '../errors';
import { ProofError } from './errors';
import { keyForSeq } from './identity';
import type { IdentityState } from './identity';
import type { ProofErrorCode, ProofFailure } from './errors';
import { PROOF_LIMITS } from './limits';
import { PROOF_VERSION, UNSIGNED_FIELDS, isProofType, signedProofSchema, unsignedProofSchema } from './schema';
import type { ClaimOf, EvidenceEntry, ProofType, SignedProof, UnsignedProof, UnsignedProofOf } from './schema';

// ---------------------------------------------------------------------------------------------
// Verified proofs

declare const verifiedBrand: unique symbol;

/**
 * A signed proof that verifyProof (or verifyProofSet) has checked: schema, size, id and signature
 * against the key it was asked to use. Only this module creates it; the value is deeply frozen,
 * so it cannot change after the check. A green badge renders only from a VerifiedProof.
 */
export type VerifiedProof<P extends SignedProof = SignedProof> = P & { readonly [verifiedBrand]: true };

const verifiedProofs = new WeakSet<object>();

/** True only for the exact (frozen) objects verifyProof returned. */
export function isVerifiedProof(value: unknown): value is VerifiedProof {
  return typeof value === 'object' && value !== null && verifiedProofs.has(value);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const item of Object.values(value)) deepFreeze(item);
    Object.freeze(value);
  }
  return value;
}

/**
 * Freezes a schema-parsed proof all the way down. It walks the proof's known shape (flat fields,
 * the claim, the evidence list) instead of every value, since this runs for every proof verified;
 * whatever a claim holds below its own fields goes through the generic deepFreeze.
 */
function freezeProof(proof: SignedProof): SignedProof {
  const claim = proof.claim as Record<string, unknown>;
  for (const key in claim) {
    const item = claim[key];
    if (typeof item === 'object' && item !== null) deepFreeze(item);
  }
  Object.freeze(claim);
  for (const entry of proof.evidence) if (typeof entry === 'object') Object.freeze(entry);
  Object.freeze(proof.evidence);
  return Object.freeze(proof);
}

/** Brands an already parsed, id-checked and signature-checked proof. Internal to lib/proof. */
export function markVerified(proof: SignedProof): VerifiedProof {
  const frozen = freezeProof(proof);
  verifiedProofs.add(frozen);
  return frozen as VerifiedProof;
}

// ---------------------------------------------------------------------------------------------
// Parsing

/** Bytes that `"id":"<64 hex>"` and `"sig":"<86 base64url>"` add to the JCS form, commas included. */
export const SIGNED_FIELDS_BYTES = ',"id":""'.length + 64 + ',"sig":""'.length + 86;

/**
 * UTF-8 length of the JSON text of a value, or undefined when it has no JSON text. For plain JSON
 * values this equals the length of the RFC 8785 form: JCS serializes strings and numbers exactly
 * as ECMAScript JSON.stringify does (RFC 8785 §3.2.2) and only reorders object members.
 */
export function measureJsonBytes(value: unknown): number | undefined {
  const text = jsonTextOf(value);
  return text === undefined ? undefined : utf8ByteLength(text);
}

function jsonTextOf(value: unknown): string | undefined {
  try {
    const text = JSON.stringify(value);
    return typeof text === 'string' ? text : undefined;
  } catch {
    return undefined; // cycles, BigInt
  }
}

function utf8ByteLength(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}

function isPlainRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

interface ZodIssueLike {
  readonly code: string;
  readonly path: readonly PropertyKey[];
  readonly message: string;
  readonly params?: Record<string, unknown> | undefined;
}

const ISSUE_PRIORITY: readonly ProofErrorCode[] = ['malformed_proof', 'invalid_did', 'invalid_claim'];
const MAX_REPORTED_ISSUES = 8;

/**
 * One error code for a failed schema parse: an issue tagged with params.proofCode keeps its code,
 * other issues inside `claim` are invalid_claim, the rest malformed_proof. When several apply the
 * most structural wins (malformed_proof, then invalid_did, then invalid_claim); details lists the
 * first few issues as {path, message}.
 */
function classifyIssues(issues: readonly ZodIssueLike[]): ProofFailure {
  let best: ProofErrorCode = 'invalid_claim';
  let bestRank = ISSUE_PRIORITY.length;
  const reported: { path: string; message: string }[] = [];
  for (const issue of issues) {
    const tagged = issue.params?.proofCode;
    const code: ProofErrorCode =
      tagged === 'invalid_did' || tagged === 'invalid_claim' || tagged === 'malformed_proof'
        ? tagged
        : issue.path[0] === 'claim'
          ? 'invalid_claim'
          : 'malformed_proof';
    const rank = ISSUE_PRIORITY.indexOf(code);
    if (rank < bestRank) {
      best = code;
      bestRank = rank;
    }
    if (reported.length < MAX_REPORTED_ISSUES) reported.push({ path: issue.path.map(String).join('.'), message: issue.message });
  }
  const first = reported[0];
  const where = first === undefined ? '' : `${first.path === '' ? '(proof)' : first.path}: ${first.message}`;
  return { code: best, message: where, details: { issues: reported } };
}

/**
 * The checks that precede the schema, in order: an object, `v` = 1 (unsupported_version for any
 * other number), a known `type` (unknown_type), and the size limit (too_large) on the JSON form.
 */
function checkEnvelope(input: unknown, extraBytes: number): ProofFailure | undefined {
  return checkEnvelopeHead(input) ?? checkJsonSize(input, extraBytes);
}

/** An object, `v` = 1 (unsupported_version for any other number), a known `type` (unknown_type). */
function checkEnvelopeHead(input: unknown): ProofFailure | undefined {
  if (!isPlainRecord(input)) return { code: 'malformed_proof', message: 'a proof is a JSON object' };
  const version = input.v;
  if (version !== PROOF_VERSION) {
    if (typeof version === 'number') {
      return { code: 'unsupported_version', message: `proof format v${version} is not supported (this verifier reads v${PROOF_VERSION})`, details: { v: version } };
    }
    return { code: 'malformed_proof', message: `v: expected the number ${PROOF_VERSION}` };
  }
  const type = input.type;
  if (typeof type !== 'string') return { code: 'malformed_proof', message: 'type: expected a string' };
  if (!isProofType(type)) return { code: 'unknown_type', message: `unknown proof type "${type.slice(0, 64)}"`, details: { type: type.slice(0, 64) } };
  return undefined;
}

/** The size limit (too_large) on the UTF-8 JSON form of input plus extraBytes. */
function checkJsonSize(input: unknown, extraBytes: number): ProofFailure | undefined {
  const text = jsonTextOf(input);
  if (text === undefined) return { code: 'malformed_proof', message: 'the proof has no JSON form (cycle or BigInt)' };
  // A UTF-16 unit is at most 3 UTF-8 bytes (a surrogate pair, two units, is 4), so below this
  // bound the exact count cannot pass the limit and is skipped. Typical proofs are well under a
  // tenth of it.
  if (text.length * 3 + extraBytes <= PROOF_LIMITS.maxProofBytes) return undefined;
  return checkByteCount(utf8ByteLength(text) + extraBytes);
}

function checkByteCount(bytes: number): ProofFailure | undefined {
  if (bytes <= PROOF_LIMITS.maxProofBytes) return undefined;
  return {
    code: 'too_large',
    message: `proof is ${bytes} bytes; the limit is ${PROOF_LIMITS.maxProofBytes}`,
    details: { bytes, limit: PROOF_LIMITS.maxProofBytes },
  };
}

/** Nesting below which jsonLengthAtLeast counts; deeper values count as nothing (see there). */
const MAX_COUNTED_DEPTH = 16;

/**
 * A lower bound of the length of JSON.stringify(value) in UTF-16 units, which counting stops
 * early once it passes `limit`. Every string counts its characters and quotes, every member its
 * name, quotes and colon, every container its brackets; what JSON.stringify leaves out or writes
 * its own way (undefined, functions, objects that are not plain, values with toJSON) and anything
 * nested deeper than MAX_COUNTED_DEPTH count as nothing.
 * A bound above the limit means the UTF-8 form is above it too (a unit is at least one byte).
 * verifyProof uses it to refuse huge input before the schema walks it, in time bounded by the
 * limit rather than the input.
 */
export function jsonLengthAtLeast(value: unknown, limit: number, depth = 0): number {
  switch (typeof value) {
    case 'string':
      return value.length + 2;
    case 'number':
    case 'bigint':
      return 1;
    case 'boolean':
      return 4;
    case 'object': {
      if (value === null) return 4;
      if (depth >= MAX_COUNTED_DEPTH) return 0;
      // Only what JSON.stringify writes member by member: boxed primitives, Dates and other
      // toJSON holders have their own forms.
      const prototype: unknown = Object.getPrototypeOf(value);
      const isArray = Array.isArray(value);
      if ((!isArray && prototype !== Object.prototype && prototype !== null) || typeof (value as { toJSON?: unknown }).toJSON === 'function') return 0;
      // "[" or "{", then per element or member its text and one comma or the closing bracket.
      let total = 1;
      if (isArray) {
        for (let i = 0; i < value.length && total <= limit; i++) total += 1 + jsonLengthAtLeast(value[i], limit - total, depth + 1);
        return total;
      }
      const record = value as Record<string, unknown>;
      for (const key in record) {
        if (total > limit) break;
        if (!Object.prototype.hasOwnProperty.call(record, key)) continue;
        const item = record[key];
        if (item === undefined || typeof item === 'function' || typeof item === 'symbol') continue;
        total += key.length + 4 + jsonLengthAtLeast(item, limit - total, depth + 1);
      }
      return total;
    }
    default:
      return 0;
  }
}

/**
 * Parses untrusted input as a signed proof: envelope checks, size, strict schema. No id or
 * signature check (see verifyProof). The result is a fresh object, independent of the input.
 */
export function parseSignedProof(input: unknown): Result<SignedProof, ProofErrorCode> {
  const envelope = checkEnvelope(input, 0);
  if (envelope !== undefined) return { ok: false, error: envelope };
  const parsed = signedProofSchema.safeParse(input);
  if (!parsed.success) return { ok: false, error: classifyIssues(parsed.error.issues) };
  return ok(parsed.data);
}

/**
 * Parses untrusted input as an unsigned body. The size limit counts the id and sig the body will
 * carry once signed, so every body accepted here still fits the limit after signProof.
 */
export function parseUnsignedProof(input: unknown): Result<UnsignedProof, ProofErrorCode> {
  const envelope = checkEnvelope(input, SIGNED_FIELDS_BYTES);
  if (envelope !== undefined) return { ok: false, error: envelope };
  const parsed = unsignedProofSchema.safeParse(input);
  if (!parsed.success) return { ok: false, error: classifyIssues(parsed.error.issues) };
  return ok(parsed.data);
}

// ---------------------------------------------------------------------------------------------
// Ids

/** The unsigned body of a (signed or unsigned) proof: exactly the fields the id covers. */
export function unsignedBodyOf<P extends UnsignedProof>(proof: P): UnsignedProofOf<P['type']> {
  const body: Record<string, unknown> = {};
  for (const field of UNSIGNED_FIELDS) body[field] = proof[field];
  return body as UnsignedProofOf<P['type']>;
}

/** The 32 id bytes: SHA-256 of the UTF-8 JCS form of the unsigned body (RFC 8785 §3). */
export function computeProofIdBytes(unsigned: UnsignedProof, hasher: Hasher = nobleHasher): Uint8Array {
  return hasher.sha256(utf8Encode(canonicalizeJson(unsignedBodyOf(unsigned))));
}

/**
 * The proof id: lowercase hex SHA-256 of the UTF-8 JCS form of the unsigned body. Extra fields
 * (a signed proof's id and sig) are ignored, so computeProofId(signed) recomputes signed.id.
 * Precondition: a schema-valid body (a non-JSON value throws CanonicalizationError).
 */
export function computeProofId(unsigned: UnsignedProof, hasher: Hasher = nobleHasher): string {
  return bytesToHex(computeProofIdBytes(unsigned, hasher));
}

// ---------------------------------------------------------------------------------------------
// Building and signing

export interface BuildProofInput<T extends ProofType> {
  readonly type: T;
  readonly hub: string;
  readonly issuer: string;
  readonly seq: number;
  /** Id of the issuer's proof at seq - 1; omit or null at seq 1. */
  readonly prev?: string | null;
  /** A Date (written with toISOString) or the ISO string itself. */
  readonly created_at: Date | string;
  readonly claim: ClaimOf<T>;
  readonly evidence?: readonly EvidenceEntry[];
}

/**
 * An unsigned body from its parts, checked by the same schema and limits as verification. Bad
 * input returns the code verifyProof would give the signed proof.
 */
export function buildUnsignedProof<T extends ProofType>(input: BuildProofInput<T>): Result<UnsignedProofOf<T>, ProofErrorCode> {
  let createdAt: string;
  if (input.created_at instanceof Date) {
    if (Number.isNaN(input.created_at.getTime())) return fail('malformed_proof', 'created_at: invalid Date');
    createdAt = input.created_at.toISOString();
  } else {
    createdAt = input.created_at;
  }
  const parsed = parseUnsignedProof({
    v: PROOF_VERSION,
    type: input.type,
    hub: input.hub,
    issuer: input.issuer,
    seq: input.seq,
    prev: input.prev ?? null,
    created_at: createdAt,
    claim: input.claim,
    evidence: input.evidence ?? [],
  });
  return parsed as Result<UnsignedProofOf<T>, ProofErrorCode>;
}

/**
 * Signs an unsigned body: checks it against the schema (throws ProofError with the code
 * verifyProof would give), computes the id and has the signer sign the 32 id bytes. The signer
 * must hold the key valid for this issuer at this seq (identity.ts, keyForSeq): the issuer's
 * inception key unless a key_rotation came earlier in the chain.
 */
export async function signProof<P extends UnsignedProof>(unsigned: P, signer: Signer): Promise<P & { id: string; sig: string }> {
  const parsed = parseUnsignedProof(unsignedBodyOf(unsigned));
  if (!parsed.ok) throw new ProofError(parsed.error.code, parsed.error.message, parsed.error.details);
  const idBytes = computeProofIdBytes(parsed.value);
  const signature = await signer.sign(idBytes);
  if (!(signature instanceof Uint8Array) || signature.length !== 64) {
    throw new ProofError('bad_signature', 'the signer returned something other than a 64-byte Ed25519 signature');
  }
  return { ...(parsed.value as P), id: bytesToHex(idBytes), sig: bytesToBase64url(signature) };
}

// ---------------------------------------------------------------------------------------------
// Verification

export interface VerifyProofOptions {
  /** Admission time: when given, created_at must be within ±PROOF_LIMITS.maxSkewMs of it. */
  readonly now?: Date;
  /**
   * The key to check the signature against. Default: the issuer's did:key, which is right until
   * the issuer's first key_rotation; after one, pass keyForSeq(identityState, proof.seq).
   */
  readonly publicKey?: Uint8Array;
  /**
   * The issuer's replayed identity state (identity.ts): the key is keyForSeq(identity, seq), so a
   * proof after a rotation checks against the rotated key. A state of another issuer is
   * unknown_key. Ignored when publicKey is given.
   */
  readonly identity?: IdentityState;
  /** When given, a proof for another hub is refused with wrong_hub. */
  readonly hub?: string;
  /** SHA-256 implementation for the id (default @noble/hashes; the server passes node:crypto's). */
  readonly hasher?: Hasher;
}

/** created_at against an admission time, both ways: a clock ahead or behind by more than 5 min. */
export function checkTimestampSkew(createdAt: string, now: Date): Result<true, 'timestamp_skew'> {
  const skew = Date.parse(createdAt) - now.getTime();
  if (!Number.isFinite(skew) || Math.abs(skew) > PROOF_LIMITS.maxSkewMs) {
    return fail('timestamp_skew', `created_at ${createdAt} is ${Math.round(skew / 1000)} s from the admission time; at most ±${PROOF_LIMITS.maxSkewMs / 1000} s is accepted`, {
      created_at: createdAt,
      now: Number.isFinite(now.getTime()) ? now.toISOString() : null,
      skewMs: skew,
    });
  }
  return ok(true);
}

/** The id check: recompute, compare; returns the id bytes the signature covers. */
export function checkProofId(proof: SignedProof, hasher: Hasher = nobleHasher): Result<Uint8Array, 'id_mismatch'> {
  return checkProofIdOfBody(proof, canonicalizeJson(unsignedBodyOf(proof)), hasher);
}

/** The signature check over the id bytes, with the given key. */
export function checkProofSignature(
  proof: SignedProof,
  idBytes: Uint8Array,
  publicKey: Uint8Array,
  verifier: SignatureVerifier,
): Result<true, 'bad_signature'> {
  const signature = decodeSignature(proof.sig);
  if (!verifier.verify(signature, idBytes, publicKey)) {
    return fail('bad_signature', 'the signature does not verify against the issuer\'s key for this seq', { id: proof.id, issuer: proof.issuer, seq: proof.seq });
  }
  return ok(true);
}

/**
 * Verifies one proof. Checks, in order: object and version, type, size, strict schema (with
 * invalid_did and invalid_claim told apart), hub (opts.hub), skew (opts.now), id, signature
 * (opts.publicKey, else keyForSeq(opts.identity, seq), else the issuer's did:key). Chain links and
 * delegation are the caller's next steps (checkChainLink, checkDelegatedProof). Never throws; on
 * success returns a frozen VerifiedProof independent of the input.
 */
export function verifyProof(input: unknown, verifier: SignatureVerifier, opts: VerifyProofOptions = {}): Result<VerifiedProof, ProofErrorCode> {
  try {
    const parsed = parseSignedProofForVerification(input);
    if (!parsed.ok) return parsed;
    const { proof, canonicalText } = parsed.value;
    if (opts.hub !== undefined && proof.hub !== opts.hub) {
      return fail('wrong_hub', `proof is for hub "${proof.hub}", not "${opts.hub}"`, { hub: proof.hub, expected: opts.hub });
    }
    if (opts.now !== undefined) {
      const skew = checkTimestampSkew(proof.created_at, opts.now);
      if (!skew.ok) return skew;
    }
    const id = checkProofIdOfBody(proof, canonicalText, opts.hasher ?? nobleHasher);
    if (!id.ok) return id;
    let publicKey = opts.publicKey;
    if (publicKey === undefined && opts.identity !== undefined) {
      if (opts.identity.issuer !== proof.issuer) {
        return fail('unknown_key', `the identity state given is of ${opts.identity.issuer}, not of the issuer ${proof.issuer}`);
      }
      publicKey = keyForSeq(opts.identity, proof.seq);
      if (publicKey === undefined) return fail('unknown_key', `no key is known for seq ${proof.seq}`);
    }
    if (publicKey === undefined) {
      const decoded = didKeyToPublicKey(proof.issuer);
      if (!decoded.ok) return fail('invalid_did', decoded.error.message); // unreachable after the schema
      publicKey = decoded.value;
    }
    const signature = checkProofSignature(proof, id.value, publicKey, verifier);
    if (!signature.ok) return signature;
    return ok(markVerified(proof));
  } catch (error) {
    // A bug or a hostile getter; never let it escape a verification path.
    return fail('malformed_proof', `proof could not be checked: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * parseSignedProof as verifyProof needs it: same checks, same codes, same precedence (envelope,
 * then too_large, then the schema), plus the UTF-8 JCS bytes of the unsigned body, which the id
 * check hashes. The hot path measures the size on those bytes instead of serializing the input a
 * second time: for a schema-valid proof the JCS form of the signed proof is exactly the body's
 * plus SIGNED_FIELDS_BYTES. Only a cheap lower bound runs before the schema, so huge input is
 * refused before the schema walks it; when the schema refuses, the exact size check of
 * parseSignedProof decides whether too_large comes first, as it always has.
 */
function parseSignedProofForVerification(input: unknown): Result<{ proof: SignedProof; canonicalText: string }, ProofErrorCode> {
  const head = checkEnvelopeHead(input);
  if (head !== undefined) return { ok: false, error: head };
  const atLeast = jsonLengthAtLeast(input, PROOF_LIMITS.maxProofBytes);
  if (atLeast > PROOF_LIMITS.maxProofBytes) {
    // No exact count here: serializing all of a huge input is the cost this guard avoids.
    return fail('too_large', `proof is at least ${atLeast} bytes; the limit is ${PROOF_LIMITS.maxProofBytes}`, { atLeastBytes: atLeast, limit: PROOF_LIMITS.maxProofBytes });
  }
  const parsed = signedProofSchema.safeParse(input);
  if (!parsed.success) return { ok: false, error: checkJsonSize(input, 0) ?? classifyIssues(parsed.error.issues) };
  // The schema's output is plain JSON with no lone surrogate (schema.ts), so the package
  // serializes it without canonicalizeJson's guard walk over what the schema just checked.
  const canonicalText = canonicalizePlainJson(unsignedBodyOf(parsed.data));
  // A UTF-16 unit is at most 3 UTF-8 bytes, so below this bound the exact count cannot pass the
  // limit and is skipped; above it, the count is exact (the text has no lone surrogate).
  if (canonicalText.length * 3 + SIGNED_FIELDS_BYTES > PROOF_LIMITS.maxProofBytes) {
    const size = checkByteCount(utf8ByteLength(canonicalText) + SIGNED_FIELDS_BYTES);
    if (size !== undefined) return { ok: false, error: size };
  }
  return ok({ proof: parsed.data, canonicalText });
}

/** checkProofId on the body's JCS text already computed (hashed as UTF-8, natively when the hasher can). */
function checkProofIdOfBody(proof: SignedProof, canonicalText: string, hasher: Hasher): Result<Uint8Array, 'id_mismatch'> {
  const idBytes = sha256OfUtf8(hasher, canonicalText);
  if (!isHexOf(proof.id, idBytes)) {
    return fail('id_mismatch', 'id is not the SHA-256 of the canonical unsigned body', { claimed: proof.id, computed: bytesToHex(idBytes) });
  }
  return ok(idBytes);
}

const HEX_DIGITS = '0123456789abcdef';

/** Whether text is the lowercase hex of bytes (bytesToHex(bytes) === text), without building it. */
function isHexOf(text: string, bytes: Uint8Array): boolean {
  if (text.length !== bytes.length * 2) return false;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i] as number;
    if (text.charCodeAt(2 * i) !== HEX_DIGITS.charCodeAt(byte >> 4) || text.charCodeAt(2 * i + 1) !== HEX_DIGITS.charCodeAt(byte & 15)) return false;
  }
  return true;
}

/** The 6-bit value of each base64url character (RFC 4648 §5), 255 for any other ASCII. */
const BASE64URL_VALUES = (() => {
  const values = new Uint8Array(128).fill(255);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  for (let i = 0; i < alphabet.length; i++) values[alphabet.charCodeAt(i)] = i;
  return values;
})();

/**
 * The 64 bytes of a signature in canonical unpadded base64url (86 characters, the last one's low
 * 4 bits zero), as signatureSchema admits it; anything else goes through the general strict
 * decoder, which throws. Runs for every proof verified, where the general decoder (any length,
 * through a radix conversion) cost as much as parsing the proof's JSON text.
 */
export function decodeSignature(text: string): Uint8Array {
  if (text.length !== 86) return base64urlToBytes(text);
  const out = new Uint8Array(64);
  let bits = 0;
  let bitCount = 0;
  let at = 0;
  for (let i = 0; i < 86; i++) {
    const unit = text.charCodeAt(i);
    const value = unit < 128 ? (BASE64URL_VALUES[unit] as number) : 255;
    if (value === 255) return base64urlToBytes(text);
    bits = ((bits << 6) | value) & 0xffff;
    bitCount += 6;
    if (bitCount >= 8) {
      bitCount -= 8;
      out[at++] = (bits >> bitCount) & 0xff;
    }
  }
  // 86 characters carry 516 bits: 512 for the bytes and 4 that canonical encoding leaves zero.
  if ((bits & 0xf) !== 0) return base64urlToBytes(text);
  return out;
}

/** The id bytes of a proof id string (64 lowercase hex). */
export function proofIdToBytes(id: string): Uint8Array {
  return hexToBytes(id);
}

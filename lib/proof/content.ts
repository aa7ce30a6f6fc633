// Deletion-safe content (docs/proof-format.md, "Content commitment and purge"). A post or reply
// proof carries only content_digest = hex SHA-256(UTF-8 JCS(content)), content = {salt, body,
// title?}. The content travels and is stored beside the proof; purging it (a legal takedown)
// leaves a proof whose id and signature still verify. The random salt keeps a purged short text
// ("yes", a phone number) from being confirmed by hashing guesses against the public digest.
import { z } from 'zod';
import { bytesToBase64url, bytesToHex, utf8Encode } from '../bytes';
import { canonicalizeJson } from '../canonical-json';
import { nobleHasher } from '../crypto/sha256';
import type { Hasher } from '../crypto/sha256';
import { fail, ok } from '../errors';
import type { Result } from '../errors';
import { PROOF_LIMITS } from './limits';
import { saltSchema, textSchema } from './schema';
import type { UnsignedProof } from './schema';

export const contentSchema = z.strictObject({
  /** 16-64 random bytes, base64url without padding. */
  salt: saltSchema,
  /** Markdown, rendered sanitized. */
  body: textSchema({ min: 1, max: PROOF_LIMITS.maxBodyChars, multiline: true }),
  /** Posts only. */
  title: textSchema({ min: 1, max: PROOF_LIMITS.maxTitleChars, multiline: false }).exactOptional(),
});

export type Content = z.infer<typeof contentSchema>;

export type ContentErrorCode = 'invalid_content' | 'content_mismatch';

/** hex SHA-256 of the UTF-8 RFC 8785 form of the content. Precondition: schema-valid content. */
export function digestContent(content: Content, hasher: Hasher = nobleHasher): string {
  const canonical: Content = content.title === undefined
    ? { salt: content.salt, body: content.body }
    : { salt: content.salt, body: content.body, title: content.title };
  return bytesToHex(hasher.sha256(utf8Encode(canonicalizeJson(canonical))));
}

/**
 * Content for a new post or reply. The caller supplies the salt bytes (crypto.getRandomValues in
 * the browser, randomBytes on the server): lib/ draws no randomness of its own.
 */
export function createContent(
  text: { readonly body: string; readonly title?: string },
  saltBytes: Uint8Array,
): Result<Content, 'invalid_content'> {
  const candidate = text.title === undefined
    ? { salt: bytesToBase64url(saltBytes), body: text.body }
    : { salt: bytesToBase64url(saltBytes), body: text.body, title: text.title };
  return parseContent(candidate);
}

/** Parses untrusted content (strict: unknown fields refused). */
export function parseContent(input: unknown): Result<Content, 'invalid_content'> {
  const parsed = contentSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue === undefined ? '' : issue.path.map(String).join('.');
    return fail('invalid_content', issue === undefined ? 'invalid content' : `${path === '' ? '(content)' : path}: ${issue.message}`, {
      issues: parsed.error.issues.slice(0, 8).map((i) => ({ path: i.path.map(String).join('.'), message: i.message })),
    });
  }
  return ok(parsed.data);
}

/**
 * Checks that content belongs to a post or reply proof: the proof carries a content digest, the
 * content parses, a reply's content has no title, and the digest matches.
 */
export function checkContent(proof: UnsignedProof, content: unknown, hasher: Hasher = nobleHasher): Result<true, ContentErrorCode> {
  if (proof.type !== 'post' && proof.type !== 'reply') {
    return fail('invalid_content', `a ${proof.type} proof carries no content`);
  }
  const parsed = parseContent(content);
  if (!parsed.ok) return parsed;
  if (proof.type === 'reply' && parsed.value.title !== undefined) {
    return fail('invalid_content', 'a reply has no title');
  }
  const digest = digestContent(parsed.value, hasher);
  if (digest !== proof.claim.content_digest) {
    return fail('content_mismatch', 'content does not match the proof\'s content_digest', { expected: proof.claim.content_digest, computed: digest });
  }
  return ok(true);
}

// Content commitment: digest of {salt, body, title?}, checks against post and reply proofs, limits,
// and purge (the proof verifies without its content).
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nobleVerifier } from '@/lib/crypto/ed25519';
import { nodeHasher } from '@/server/crypto/sha256-node';
import { checkContent, createContent, digestContent, parseContent } from './content';
import type { Content } from './content';
import { PROOF_LIMITS } from './limits';
import { verifyProof } from './proof';
import { ProofWriter, createTestKey } from './testing';

const SALT16 = new Uint8Array(16).map((_, i) => i + 1);

function content(body: string, title?: string): Content {
  const made = createContent(title === undefined ? { body } : { body, title }, SALT16);
  if (!made.ok) throw new Error(made.error.message);
  return made.value;
}

const code = (result: { ok: boolean; error?: { code: string } }) => (result.ok ? 'ok' : (result.error?.code ?? '?'));

describe('content commitment', () => {
  it('digest = hex SHA-256 of the RFC 8785 form of {salt, body, title?} (independent check)', () => {
    const c = content('Hello *world*', 'Greeting');
    expect(c.salt).toBe('AQIDBAUGBwgJCgsMDQ4PEA');
    const canonical = '{"body":"Hello *world*","salt":"AQIDBAUGBwgJCgsMDQ4PEA","title":"Greeting"}';
    expect(digestContent(c)).toBe(createHash('sha256').update(canonical, 'utf8').digest('hex'));
    expect(digestContent(c, nodeHasher)).toBe(digestContent(c));
    // Member order in the input does not matter; the canonical form sorts.
    expect(digestContent({ title: 'Greeting', body: 'Hello *world*', salt: c.salt })).toBe(digestContent(c));
  });

  it('the same text under another salt has another digest (a purged text cannot be confirmed by guessing)', () => {
    const other = createContent({ body: 'yes' }, new Uint8Array(16).fill(9));
    if (!other.ok) throw new Error('content');
    expect(digestContent(other.value)).not.toBe(digestContent(content('yes')));
  });

  it('checks content against post and reply proofs', async () => {
    const writer = new ProofWriter(createTestKey(81));
    await writer.identity();
    const postContent = content('A post body', 'A title');
    const post = await writer.write('post', { content_digest: digestContent(postContent), visibility: 'public' });
    const replyContent = content('A reply body');
    const reply = await writer.write('reply', { parent: post.id, root: post.id, content_digest: digestContent(replyContent) });

    expect(code(checkContent(post, postContent))).toBe('ok');
    expect(code(checkContent(reply, replyContent))).toBe('ok');
    expect(code(checkContent(post, { ...postContent, body: 'edited' }))).toBe('content_mismatch');
    expect(code(checkContent(post, { ...postContent, title: 'Another title' }))).toBe('content_mismatch');
    expect(code(checkContent(post, replyContent))).toBe('content_mismatch');
    expect(code(checkContent(reply, { ...replyContent, title: 'no titles on replies' }))).toBe('invalid_content');
    expect(code(checkContent(post, { ...postContent, extra: 1 }))).toBe('invalid_content');
    expect(code(checkContent(post, null))).toBe('invalid_content');
    const identity = await writer.write('identity', { name: 'renamed' });
    expect(code(checkContent(identity, postContent))).toBe('invalid_content');
  });

  it('purge: a post whose content is gone still verifies, and its digest still binds the old text', async () => {
    const writer = new ProofWriter(createTestKey(82));
    await writer.identity();
    const text = content('to be taken down');
    const post = await writer.write('post', { content_digest: digestContent(text), visibility: 'public' });
    expect(JSON.stringify(post)).not.toContain('taken down');
    expect(verifyProof(post, nobleVerifier).ok).toBe(true);
    expect(code(checkContent(post, text))).toBe('ok');
  });

  it('limits: salt 16-64 bytes, body 1-20,000 and title 1-200 characters, well-formed text', () => {
    expect(code(createContent({ body: 'x' }, new Uint8Array(15)))).toBe('invalid_content');
    expect(code(createContent({ body: 'x' }, new Uint8Array(64)))).toBe('ok');
    expect(code(createContent({ body: 'x' }, new Uint8Array(65)))).toBe('invalid_content');
    expect(code(createContent({ body: 'b'.repeat(PROOF_LIMITS.maxBodyChars) }, SALT16))).toBe('ok');
    expect(code(createContent({ body: 'b'.repeat(PROOF_LIMITS.maxBodyChars + 1) }, SALT16))).toBe('invalid_content');
    expect(code(createContent({ body: '' }, SALT16))).toBe('invalid_content');
    expect(code(createContent({ body: 'x', title: 't'.repeat(PROOF_LIMITS.maxTitleChars) }, SALT16))).toBe('ok');
    expect(code(createContent({ body: 'x', title: 't'.repeat(PROOF_LIMITS.maxTitleChars + 1) }, SALT16))).toBe('invalid_content');
    expect(code(createContent({ body: 'x', title: '' }, SALT16))).toBe('invalid_content');
    expect(code(createContent({ body: 'x', title: 'two\nlines' }, SALT16))).toBe('invalid_content');
    expect(code(createContent({ body: 'line one\nline two\r\n\ttabbed' }, SALT16))).toBe('ok');
    expect(code(createContent({ body: 'nul \u0000' }, SALT16))).toBe('invalid_content');
    expect(code(createContent({ body: 'lone \udc00' }, SALT16))).toBe('invalid_content');
    expect(code(parseContent({ salt: 'AQIDBAUGBwgJCgsMDQ4PEB', body: 'x' }))).toBe('invalid_content'); // non-canonical tail
    expect(code(parseContent({ salt: 'AQIDBAUGBwgJCgsMDQ4PEA==', body: 'x' }))).toBe('invalid_content'); // padding
  });

  it('property: digests are equal exactly when the contents are', () => {
    const textArb = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }).filter((s) => parseContent({ salt: 'AQIDBAUGBwgJCgsMDQ4PEA', body: s }).ok);
    fc.assert(
      fc.property(textArb, textArb, fc.option(textArb.filter((s) => !/[\r\n\t]/.test(s)), { nil: undefined }), (a, b, title) => {
        const first = title === undefined ? createContent({ body: a }, SALT16) : createContent({ body: a, title }, SALT16);
        const second = createContent({ body: b }, SALT16);
        if (!first.ok || !second.ok) return;
        expect(digestContent(first.value) === digestContent(second.value)).toBe(a === b && title === undefined);
      }),
    );
  });
});

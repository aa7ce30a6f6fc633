import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { isCanonicalTimestamp, proofIdSchema, sha256HexSchema, signatureSchema, signedProofSchema, timestampSchema, unsignedProofSchema } from './schema';
import type { SignedProof } from './schema';
import { ProofWriter, createTestKey } from './testing';

/** The definition the calendar check stands for: text survives Date's parse/print round trip. */
function roundTrips(text: string): boolean {
  const time = Date.parse(text);
  return Number.isFinite(time) && new Date(time).toISOString() === text;
}

const digits = (n: number) => fc.array(fc.integer({ min: 0, max: 9 }), { minLength: n, maxLength: n }).map((d) => d.join(''));
/** Field values around and beyond every limit (month 00-19, day 00-39, hour 00-29, minute and second 00-69). */
const patternText = fc
  .record({
    year: fc.oneof(digits(4), fc.constantFrom('0000', '1900', '2000', '2024', '2026', '2100', '9999')),
    month: fc.integer({ min: 0, max: 19 }),
    day: fc.integer({ min: 0, max: 39 }),
    hour: fc.integer({ min: 0, max: 29 }),
    minute: fc.integer({ min: 0, max: 69 }),
    second: fc.integer({ min: 0, max: 69 }),
    millis: digits(3),
  })
  .map(({ year, month, day, hour, minute, second, millis }) => {
    const two = (n: number) => String(n).padStart(2, '0');
    return `${year}-${two(month)}-${two(day)}T${two(hour)}:${two(minute)}:${two(second)}.${millis}Z`;
  });

describe('created_at and expires_at timestamps', () => {
  it('accept exactly the texts that survive the Date round trip (generated fields around every limit)', () => {
    fc.assert(
      fc.property(patternText, (text) => {
        expect(isCanonicalTimestamp(text)).toBe(roundTrips(text));
      }),
      { numRuns: 2000 },
    );
  });

  it('agree with the round trip on every instant Date can print in four-digit years', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('0000-01-01T00:00:00.000Z'), max: new Date('9999-12-31T23:59:59.999Z'), noInvalidDate: true }), (date) => {
        const text = date.toISOString();
        expect(isCanonicalTimestamp(text)).toBe(true);
        expect(timestampSchema.safeParse(text).success).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('refuse impossible dates, leap seconds and 24:00, and other spellings', () => {
    for (const text of [
      '2026-02-29T00:00:00.000Z', // not a leap year
      '2100-02-29T00:00:00.000Z', // century, not a leap year
      '2026-04-31T00:00:00.000Z',
      '2026-13-01T00:00:00.000Z',
      '2026-00-10T00:00:00.000Z',
      '2026-12-31T23:59:60.000Z',
      '2026-11-23T24:00:00.000Z',
      '2026-11-23T18:00:00Z',
      '2026-11-23T18:00:00.000+00:00',
      '+275760-09-13T00:00:00.000Z',
    ]) {
      expect(timestampSchema.safeParse(text).success, text).toBe(false);
    }
    expect(timestampSchema.safeParse('2000-02-29T12:00:00.000Z').success).toBe(true);
    expect(timestampSchema.safeParse('2024-02-29T23:59:59.999Z').success).toBe(true);
  });

  it('give text the pattern refuses the same issues as before (the round trip decides the second one)', () => {
    // An extended-year instant is Date's own spelling: only the pattern's issue.
    expect(timestampSchema.safeParse('+275760-09-13T00:00:00.000Z').error?.issues.length).toBe(1);
    expect(timestampSchema.safeParse('yesterday').error?.issues.length).toBe(2);
  });
});

describe('fixed-length fields', () => {
  /** Strings near the accepted ones: right alphabet or one stray character, lengths around the target. */
  const near = (alphabet: string, length: number) =>
    fc
      .tuple(
        fc.array(fc.constantFrom(...alphabet), { minLength: length - 2, maxLength: length + 2 }),
        fc.option(fc.tuple(fc.nat(), fc.constantFrom('A', 'G', 'g', '=', '+', '/', ' ', '\n', 'é', '\u0000'))),
      )
      .map(([chars, stray]) => {
        if (stray !== null && chars.length > 0) chars[stray[0] % chars.length] = stray[1];
        return chars.join('');
      });

  it('accept exactly what the original patterns accept', () => {
    const hex = /^[0-9a-f]{64}$/;
    const signature = /^[A-Za-z0-9_-]{85}[AQgw]$/;
    fc.assert(
      fc.property(near('0123456789abcdef', 64), (text) => {
        expect(proofIdSchema.safeParse(text).success).toBe(hex.test(text));
        expect(sha256HexSchema.safeParse(text).success).toBe(hex.test(text));
      }),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(near('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_', 86), (text) => {
        expect(signatureSchema.safeParse(text).success).toBe(signature.test(text));
      }),
      { numRuns: 500 },
    );
    expect(proofIdSchema.safeParse(`${'ab'.repeat(32)}\n`).success).toBe(false);
    expect(proofIdSchema.safeParse(42).success).toBe(false);
  });
});


describe('the compiled proof schemas (z.compile)', () => {
  it('both compile: a schema change that zod cannot compile fails here instead of silently slowing every verification', () => {
    expect(() => z.compile(signedProofSchema, { strict: true })).not.toThrow();
    expect(() => z.compile(unsignedProofSchema, { strict: true })).not.toThrow();
  });

  /** One proof of every type, with every optional field somewhere. */
  async function sampleProofs(): Promise<SignedProof[]> {
    const alice = new ProofWriter(createTestKey(71));
    const agent = createTestKey(72).did;
    const link = { url: 'https://example.org/a?b=c', sha256: 'ab'.repeat(32), label: 'source' };
    const identity = await alice.identity('Alice');
    const post = await alice.write('post', { content_digest: 'cd'.repeat(32), visibility: 'public' }, { evidence: [identity.id, link] });
    return [
      identity,
      post,
      await alice.write('reply', { parent: post.id, root: post.id, content_digest: 'ef'.repeat(32), on_behalf_of: agent }),
      await alice.write('reaction', { target: post.id, kind: 'like', undo: true }),
      await alice.write('moderation', { target: post.id, action: 'flag', reason: 'Off topic.\nSee the rules.' }),
      await alice.write('delegation', { agent, scopes: ['post', 'reply'], expires_at: '2100-01-01T00:00:00.000Z' }),
      await alice.write('revocation', { agent, reason: 'key lost' }),
      await alice.rotate(createTestKey(73)),
    ];
  }

  /** The parse zod runs without the compiled fast path: safeParseAsync always takes the runtime parser. */
  async function runtimeParse(input: unknown) {
    const result = await signedProofSchema.safeParseAsync(input);
    return result.success ? { success: true, data: result.data } : { success: false, issues: result.error.issues };
  }

  function compiledParse(input: unknown) {
    const result = signedProofSchema.safeParse(input);
    return result.success ? { success: true, data: result.data } : { success: false, issues: result.error.issues };
  }

  it('accept, refuse and report exactly as the runtime parser on valid proofs and on one-field changes of them', async () => {
    const proofs = await sampleProofs();
    for (const proof of proofs) expect(compiledParse(proof)).toEqual({ success: true, data: proof });
    const replacement = fc.oneof(
      fc.jsonValue(),
      fc.constantFrom(undefined, 'x\ud800', 'https://example.org/\udc00', '', 'ab'.repeat(32), 'AB'.repeat(32), 1, 1.5, -1, 2 ** 53, true, null, [], {}),
      fc.string({ unit: 'binary', maxLength: 80 }),
    );
    const paths = (proof: SignedProof): string[][] => {
      const out: string[][] = [['extra']];
      for (const [key, value] of Object.entries(proof) as [string, unknown][]) {
        out.push([key]);
        if (typeof value === 'object' && value !== null) for (const inner of Object.keys(value)) out.push([key, inner], [key, inner, 'extra']);
      }
      return [...out, ['claim', 'extra'], ['evidence', '1', 'url'], ['evidence', '1', 'extra']];
    };
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.nat(), replacement, fc.boolean(), async (which, where, value, remove) => {
        const proof = proofs[which % proofs.length] as SignedProof;
        const options = paths(proof);
        const path = options[where % options.length] as string[];
        const copy = JSON.parse(JSON.stringify(proof)) as Record<string, unknown>;
        let parent: Record<string, unknown> = copy;
        for (const key of path.slice(0, -1)) {
          const next = parent[key];
          if (typeof next !== 'object' || next === null) return;
          parent = next as Record<string, unknown>;
        }
        const last = path[path.length - 1] as string;
        if (remove) delete parent[last];
        else parent[last] = value;
        expect(compiledParse(copy)).toEqual(await runtimeParse(copy));
      }),
      { numRuns: 500 },
    );
  });

  it('refuse a lone surrogate in an evidence URL (the URL parser alone accepts it)', async () => {
    const [, post] = await sampleProofs();
    const copy = JSON.parse(JSON.stringify(post)) as { evidence: [string, { url: string }] };
    copy.evidence[1].url = 'https://example.org/\ud800';
    expect(() => new URL(copy.evidence[1].url)).not.toThrow();
    const result = signedProofSchema.safeParse(copy);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toBe('text contains a lone UTF-16 surrogate');
  });
});

// POST /leaves: the fast decoder agrees with the zod schema on every body it accepts, and hands
// every other body to the schema (so error answers stay the schema's).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesToBase64url, bytesToHex, hexToBytes } from '@/lib/bytes';
import { makeSignedLeaves } from '../client';
import { MAX_LEAVES_PER_REQUEST, parseSubmitLeavesFast, submitLeavesSchema } from './schemas';

const signed = makeSignedLeaves(4);

/** What the schema makes of a body: the leaves as hex triples, or null when it refuses it. */
function bySchema(body: unknown): string[][] | null {
  const parsed = submitLeavesSchema.safeParse(body);
  return parsed.success ? parsed.data.leaves.map((leaf) => [bytesToHex(leaf.pub), bytesToHex(leaf.id), bytesToHex(leaf.sig)]) : null;
}

function byFastPath(body: unknown): string[][] | null {
  const leaves = parseSubmitLeavesFast(body);
  return leaves === null ? null : leaves.map((leaf) => [bytesToHex(leaf.pub), bytesToHex(leaf.id), bytesToHex(leaf.sig)]);
}

/** A leaf as a client may send it: hex or base64url signature, any hex case. */
const leafArbitrary = fc.record({
  index: fc.integer({ min: 0, max: signed.length - 1 }),
  upper: fc.boolean(),
  base64: fc.boolean(),
});

/** Small edits that may or may not keep a body valid. */
const mutations = [
  (leaf: Record<string, unknown>) => ({ ...leaf, extra: 1 }),
  (leaf: Record<string, unknown>) => ({ pub: leaf.pub, id: leaf.id }),
  (leaf: Record<string, unknown>) => ({ ...leaf, pub: `${String(leaf.pub).slice(0, 63)}g` }),
  (leaf: Record<string, unknown>) => ({ ...leaf, id: String(leaf.id).slice(2) }),
  (leaf: Record<string, unknown>) => ({ ...leaf, sig: `${String(leaf.sig).slice(0, -1)}_` }),
  (leaf: Record<string, unknown>) => ({ ...leaf, sig: 7 }),
  (leaf: Record<string, unknown>) => ({ ...leaf, pub: 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK' }),
  (leaf: Record<string, unknown>) => [leaf],
  () => null,
];

describe('parseSubmitLeavesFast', () => {
  it('decodes valid bodies to exactly the bytes the schema gives', () => {
    fc.assert(
      fc.property(fc.array(leafArbitrary, { minLength: 1, maxLength: 8 }), (picks) => {
        const body = {
          leaves: picks.map(({ index, upper, base64 }) => {
            const leaf = signed[index] as { pub: string; id: string; sig: string };
            const sig = base64 ? bytesToBase64url(hexToBytes(leaf.sig)) : leaf.sig;
            return { pub: upper ? leaf.pub.toUpperCase() : leaf.pub, id: leaf.id, sig: upper && !base64 ? sig.toUpperCase() : sig };
          }),
        };
        const schema = bySchema(body);
        expect(schema).not.toBeNull();
        expect(byFastPath(body)).toEqual(schema);
      }),
    );
  });

  it('never accepts a body the schema refuses, and never decodes one differently', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(leafArbitrary, fc.integer({ min: -1, max: mutations.length - 1 })), { minLength: 0, maxLength: 6 }),
        fc.constantFrom('plain', 'extra member', 'not an object'),
        (picks, wrapper) => {
          const leaves = picks.map(([{ index, base64 }, mutation]) => {
            const leaf = signed[index] as { pub: string; id: string; sig: string };
            const plain: Record<string, unknown> = { pub: leaf.pub, id: leaf.id, sig: base64 ? bytesToBase64url(hexToBytes(leaf.sig)) : leaf.sig };
            return mutation < 0 ? plain : (mutations[mutation] as (leaf: Record<string, unknown>) => unknown)(plain);
          });
          const body = wrapper === 'plain' ? { leaves } : wrapper === 'extra member' ? { leaves, more: true } : leaves;
          const fast = byFastPath(body);
          if (fast !== null) expect(fast).toEqual(bySchema(body));
        },
      ),
    );
  });

  it('hands non-canonical base64url, did:key keys and oversized batches to the schema', () => {
    const leaf = signed[0] as { pub: string; id: string; sig: string };
    const b64 = bytesToBase64url(hexToBytes(leaf.sig));
    // The last character carries 4 padding bits that must be zero (RFC 4648 §3.5).
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const nonCanonical = `${b64.slice(0, -1)}${alphabet[alphabet.indexOf(b64.slice(-1)) | 1] as string}`;
    expect(parseSubmitLeavesFast({ leaves: [{ ...leaf, sig: nonCanonical }] })).toBeNull();
    expect(bySchema({ leaves: [{ ...leaf, sig: nonCanonical }] })).toBeNull();
    expect(parseSubmitLeavesFast({ leaves: [{ ...leaf, pub: 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK' }] })).toBeNull();
    expect(parseSubmitLeavesFast({ leaves: Array.from({ length: MAX_LEAVES_PER_REQUEST + 1 }, () => leaf) })).toBeNull();
    expect(parseSubmitLeavesFast({ leaves: [] })).toBeNull();
    expect(parseSubmitLeavesFast({ leaves: Array.from({ length: MAX_LEAVES_PER_REQUEST }, () => leaf) })).toHaveLength(MAX_LEAVES_PER_REQUEST);
  });
});

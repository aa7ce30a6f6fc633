// Properties of single proofs with real Ed25519 on both back-ends: every generated proof of every
// type verifies; changing any field of the body fails with id_mismatch (and with bad_signature when
// the attacker also recomputes the id); flipping any bit of id or sig fails.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { base64urlToBytes, bytesToBase64url, bytesToHex, hexToBytes } from '@/lib/bytes';
import { nobleVerifier } from '@/lib/crypto/ed25519';
import type { SignatureVerifier } from '@/lib/crypto/types';
import { nodeVerifier } from '@/server/crypto/ed25519-node';
import { PROOF_LIMITS } from './limits';
import { buildUnsignedProof, computeProofId, signProof, verifyProof } from './proof';
import { DELEGATION_SCOPES, MODERATION_ACTIONS, REACTION_KINDS, VISIBILITIES, evidenceEntrySchema, signedProofSchema, textSchema } from './schema';
import type { ClaimOf, EvidenceEntry, ProofType, SignedProof } from './schema';
import { createTestKey } from './testing';
import type { TestKey } from './testing';

const verifiers: readonly SignatureVerifier[] = [nobleVerifier, nodeVerifier];
const KEYS: readonly TestKey[] = Array.from({ length: 6 }, (_, i) => createTestKey(1000 + i));
const RUNS = 40;

const hex64 = fc.uint8Array({ minLength: 32, maxLength: 32 }).map(bytesToHex);
const hub = fc.stringMatching(/^[a-z0-9][a-z0-9_-]{0,63}$/);
const time = fc
  .date({ min: new Date('2000-01-01T00:00:00.000Z'), max: new Date('2099-12-31T23:59:59.999Z'), noInvalidDate: true })
  .map((date) => date.toISOString());
const keyIndex = fc.nat({ max: KEYS.length - 1 });

function text(min: number, max: number, multiline: boolean) {
  const schema = textSchema({ min, max, multiline });
  return fc.string({ unit: 'binary', minLength: min, maxLength: max }).filter((value) => schema.safeParse(value).success);
}

const name = text(1, PROOF_LIMITS.maxNameChars, false).filter((value) => value.trim().length > 0);
const reason = text(1, 40, true);
const did = keyIndex.map((i) => KEYS[i]?.did ?? '');

interface Case {
  readonly signer: number;
  readonly type: ProofType;
  readonly hub: string;
  readonly seq: number;
  readonly prev: string | null;
  readonly created_at: string;
  readonly claim: Record<string, unknown>;
  readonly evidence: EvidenceEntry[];
}

const evidenceEntry: fc.Arbitrary<EvidenceEntry> = fc.oneof(
  hex64,
  fc
    .record({ url: fc.webUrl({ withQueryParameters: true }).map((url) => url.replace(/^https?:/, 'https:')), sha256: hex64, label: text(1, 30, false) }, { requiredKeys: ['url'] })
    .filter((link) => evidenceEntrySchema.safeParse(link).success),
);

function claimFor(type: ProofType): fc.Arbitrary<Record<string, unknown>> {
  const onBehalf = { on_behalf_of: did };
  switch (type) {
    case 'identity':
      return fc.record({ name });
    case 'key_rotation':
      return fc.record({ next_key: did });
    case 'post':
      return fc.record({ content_digest: hex64, visibility: fc.constantFrom(...VISIBILITIES), ...onBehalf }, { requiredKeys: ['content_digest', 'visibility'] });
    case 'reply':
      return fc.record({ parent: hex64, root: hex64, content_digest: hex64, ...onBehalf }, { requiredKeys: ['parent', 'root', 'content_digest'] });
    case 'reaction':
      return fc.record({ target: hex64, kind: fc.constantFrom(...REACTION_KINDS), undo: fc.constant(true), ...onBehalf }, { requiredKeys: ['target', 'kind'] });
    case 'moderation':
      return fc.record({ target: hex64, action: fc.constantFrom(...MODERATION_ACTIONS), reason, ...onBehalf }, { requiredKeys: ['target', 'action', 'reason'] });
    case 'delegation':
      return fc.record({ agent: did, scopes: fc.uniqueArray(fc.constantFrom(...DELEGATION_SCOPES), { minLength: 1, maxLength: 5 }), expires_at: fc.constant('2100-01-01T00:00:00.000Z') });
    case 'revocation':
      return fc.record({ agent: did, reason }, { requiredKeys: ['agent'] });
  }
}

const proofCase: fc.Arbitrary<Case> = fc
  .record({
    signer: keyIndex,
    type: fc.constantFrom<ProofType>('identity', 'key_rotation', 'post', 'reply', 'reaction', 'moderation', 'delegation', 'revocation'),
    hub,
    seq: fc.oneof(fc.constant(1), fc.integer({ min: 2, max: Number.MAX_SAFE_INTEGER })),
    prev: hex64,
    created_at: time,
    evidence: fc.array(evidenceEntry, { maxLength: 4 }),
  })
  .chain((base) => claimFor(base.type).map((claim) => ({ ...base, claim })))
  .map((base) => ({ ...base, seq: base.type === 'identity' ? base.seq : Math.max(2, base.seq), prev: null as string | null }))
  .chain((base) => (base.seq === 1 ? fc.constant(base) : hex64.map((prev) => ({ ...base, prev }))))
  .filter((base) => {
    // Self-references are refused by the schema (an issuer cannot delegate to itself).
    const issuer = KEYS[base.signer]?.did;
    return base.claim.agent !== issuer && base.claim.on_behalf_of !== issuer;
  });

async function sign(testCase: Case): Promise<SignedProof> {
  const key = KEYS[testCase.signer];
  if (key === undefined) throw new Error('no key');
  const unsigned = buildUnsignedProof({
    type: testCase.type,
    hub: testCase.hub,
    issuer: key.did,
    seq: testCase.seq,
    prev: testCase.prev,
    created_at: testCase.created_at,
    claim: testCase.claim as ClaimOf<ProofType>,
    evidence: testCase.evidence,
  });
  if (!unsigned.ok) throw new Error(`generator produced an invalid proof: ${unsigned.error.message}`);
  return signProof(unsigned.value, key.signer);
}

function codes(input: unknown): string[] {
  return verifiers.map((verifier) => {
    const result = verifyProof(input, verifier);
    return result.ok ? 'ok' : result.error.code;
  });
}

/** Schema-valid changes to one part of the unsigned body. */
function mutations(proof: SignedProof): { field: string; apply: (copy: Record<string, unknown>) => void }[] {
  // Another issuer that the claim does not name (an issuer cannot delegate to itself).
  const named = new Set(Object.values(proof.claim));
  const otherDid = KEYS.find((key) => key.did !== proof.issuer && !named.has(key.did))?.did ?? '';
  const flipHex = (value: string) => (value[0] === 'a' ? 'b' : 'a') + value.slice(1);
  const list: { field: string; apply: (copy: Record<string, unknown>) => void }[] = [
    { field: 'hub', apply: (copy) => (copy.hub = proof.hub === 'x' ? 'y' : 'x') },
    { field: 'issuer', apply: (copy) => (copy.issuer = otherDid) },
    { field: 'created_at', apply: (copy) => (copy.created_at = new Date(Date.parse(proof.created_at) + 1).toISOString()) },
    { field: 'evidence', apply: (copy) => (copy.evidence = proof.evidence.length > 0 ? proof.evidence.slice(1) : ['0'.repeat(64)]) },
  ];
  if (proof.seq > 1 && proof.prev !== null) {
    const prev = proof.prev;
    list.push({ field: 'prev', apply: (copy) => (copy.prev = flipHex(prev)) });
    if (proof.seq < Number.MAX_SAFE_INTEGER) list.push({ field: 'seq', apply: (copy) => (copy.seq = proof.seq + 1) });
  }
  for (const [key, value] of Object.entries(proof.claim)) {
    let replacement: unknown;
    if (typeof value === 'string' && /^[0-9a-f]{64}$/.test(value)) replacement = flipHex(value);
    else if (typeof value === 'string' && value.startsWith('did:key:')) replacement = KEYS.find((k) => k.did !== value && k.did !== proof.issuer)?.did;
    else if (key === 'name' || key === 'reason') replacement = value === 'z' ? 'y' : 'z';
    else if (key === 'visibility') replacement = value === 'public' ? 'members' : 'public';
    else if (key === 'kind') replacement = value === 'like' ? 'disputed' : 'like';
    else if (key === 'action') replacement = value === 'hide' ? 'flag' : 'hide';
    else if (key === 'scopes') replacement = (value as string[]).includes('read') ? ['post'] : ['read'];
    else if (key === 'expires_at') replacement = '2100-01-01T00:00:00.001Z';
    if (replacement === undefined) continue;
    list.push({ field: `claim.${key}`, apply: (copy) => ((copy.claim as Record<string, unknown>)[key] = replacement) });
  }
  return list;
}

describe('properties of single proofs (real Ed25519, noble and node back-ends)', () => {
  it('every generated proof of every type verifies with both back-ends', async () => {
    await fc.assert(
      fc.asyncProperty(proofCase, async (testCase) => {
        const proof = await sign(testCase);
        expect(signedProofSchema.safeParse(proof).success).toBe(true);
        expect(codes(proof)).toEqual(['ok', 'ok']);
        expect(codes(JSON.parse(JSON.stringify(proof)))).toEqual(['ok', 'ok']);
      }),
      { numRuns: RUNS },
    );
  });

  it('changing any field of the body: id_mismatch; with the id recomputed: bad_signature', async () => {
    await fc.assert(
      fc.asyncProperty(proofCase, fc.nat(), async (testCase, pick) => {
        const proof = await sign(testCase);
        const options = mutations(proof);
        const mutation = options[pick % options.length];
        if (mutation === undefined) throw new Error('no mutation');
        const copy = JSON.parse(JSON.stringify(proof)) as Record<string, unknown>;
        mutation.apply(copy);
        expect(signedProofSchema.safeParse(copy).success, `mutation of ${mutation.field} stays schema-valid`).toBe(true);
        expect(codes(copy), mutation.field).toEqual(['id_mismatch', 'id_mismatch']);
        const parsed = signedProofSchema.parse(copy);
        copy.id = computeProofId(parsed);
        expect(copy.id).not.toBe(proof.id);
        expect(codes(copy), mutation.field).toEqual(['bad_signature', 'bad_signature']);
      }),
      { numRuns: RUNS },
    );
  });

  it('flipping any bit of id gives id_mismatch, of sig bad_signature', async () => {
    await fc.assert(
      fc.asyncProperty(proofCase, fc.nat({ max: 255 }), fc.nat({ max: 511 }), async (testCase, idBit, sigBit) => {
        const proof = await sign(testCase);
        const id = hexToBytes(proof.id);
        id[idBit >> 3] = (id[idBit >> 3] ?? 0) ^ (1 << (idBit & 7));
        expect(codes({ ...proof, id: bytesToHex(id) })).toEqual(['id_mismatch', 'id_mismatch']);
        const sig = base64urlToBytes(proof.sig);
        sig[sigBit >> 3] = (sig[sigBit >> 3] ?? 0) ^ (1 << (sigBit & 7));
        expect(codes({ ...proof, sig: bytesToBase64url(sig) })).toEqual(['bad_signature', 'bad_signature']);
      }),
      { numRuns: RUNS },
    );
  });

  it('a proof signed by any other key is refused', async () => {
    await fc.assert(
      fc.asyncProperty(proofCase, fc.nat({ max: KEYS.length - 2 }), async (testCase, offset) => {
        const other = KEYS[(testCase.signer + 1 + offset) % KEYS.length];
        if (other === undefined) throw new Error('no key');
        const proof = await sign(testCase);
        const forged = await signProof(proof, other.signer);
        expect(forged.id).toBe(proof.id);
        expect(codes(forged)).toEqual(['bad_signature', 'bad_signature']);
      }),
      { numRuns: RUNS },
    );
  });
});

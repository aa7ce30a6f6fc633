// Single-proof format: ids, signatures, every rejection code of verifyProof, and the limits.
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { base64urlToBytes, bytesToBase64url, bytesToHex, hexToBytes } from '@/lib/bytes';
import { publicKeyToDidKey } from '@/lib/crypto/did-key';
import { nobleVerifier } from '@/lib/crypto/ed25519';
import { nodeHasher } from '@/server/crypto/sha256-node';
import { nodeVerifier } from '@/server/crypto/ed25519-node';
import { PROOF_ERROR_CODES, isProofErrorCode } from './errors';
import { PROOF_LIMITS } from './limits';
import {
  SIGNED_FIELDS_BYTES,
  buildUnsignedProof,
  computeProofId,
  decodeSignature,
  isVerifiedProof,
  jsonLengthAtLeast,
  measureJsonBytes,
  parseSignedProof,
  signProof,
  verifyProof,
} from './proof';
import type { SignedProof } from './schema';
import { ProofWriter, TEST_EPOCH, createTestKey } from './testing';

const verifiers = [nobleVerifier, nodeVerifier] as const;
const SEED_ZERO_DID = 'did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp';
const SOME_ID = 'ab'.repeat(32);

async function signedChain(): Promise<{ writer: ProofWriter; identity: SignedProof; post: SignedProof }> {
  const writer = new ProofWriter(createTestKey(1));
  const identity = await writer.identity('Alice');
  const post = await writer.write('post', { content_digest: 'cd'.repeat(32), visibility: 'public' });
  return { writer, identity, post };
}

/** A plain JSON copy, edited: what an attacker or a buggy client would send. */
function edited(proof: SignedProof, edit: (copy: Record<string, unknown>) => void): Record<string, unknown> {
  const copy = JSON.parse(JSON.stringify(proof)) as Record<string, unknown>;
  edit(copy);
  return copy;
}

function codeOf(input: unknown, opts: Parameters<typeof verifyProof>[2] = {}): string {
  const results = verifiers.map((verifier) => verifyProof(input, verifier, opts));
  const codes = results.map((result) => (result.ok ? 'ok' : result.error.code));
  expect(codes[0], 'both back-ends give the same answer').toBe(codes[1]);
  return codes[0] ?? 'none';
}

describe('ids and signatures', () => {
  it('hashes the RFC 8785 form of the unsigned body and signs the 32 id bytes (independent check)', async () => {
    const key = createTestKey(new Uint8Array(32));
    expect(key.did).toBe(SEED_ZERO_DID); // the did:key spec's own vector
    const unsigned = buildUnsignedProof({
      type: 'identity',
      hub: 'golden',
      issuer: key.did,
      seq: 1,
      created_at: '2026-11-23T18:00:00.000Z',
      claim: { name: 'Alice' },
    });
    if (!unsigned.ok) throw new Error(unsigned.error.message);
    // Written by hand: members sorted by UTF-16 code units (RFC 8785 §3.2.3), no whitespace.
    const canonical =
      '{"claim":{"name":"Alice"},"created_at":"2026-11-23T18:00:00.000Z","evidence":[],"hub":"golden",' +
      `"issuer":"${SEED_ZERO_DID}","prev":null,"seq":1,"type":"identity","v":1}`;
    const expectedId = createHash('sha256').update(canonical, 'utf8').digest('hex');
    expect(computeProofId(unsigned.value)).toBe(expectedId);
    expect(computeProofId(unsigned.value, nodeHasher)).toBe(expectedId);
    // Pinned so any change to the format shows here (docs/proof-format.md quotes this example).
    expect(expectedId).toBe('6f091a796f7fc6b5d8118a1742b7280b8add1978aa0798d8e02cbdc1802ee417');

    const signed = await signProof(unsigned.value, key.signer);
    expect(signed.id).toBe(expectedId);
    // RFC 8032 signatures are deterministic, so the example in docs/proof-format.md is pinned too.
    expect(signed.sig).toBe('Zxj8_IIKGXn67x-F32F48-d-BzvEqZyUvky0odnfSOsiVJuZ84EOwfynKVrE8lBawNQYMQeyIpXF3Hee5EFrAg');
    // RFC 8032 signing is deterministic: node:crypto's Ed25519 must accept the same bytes.
    expect(nodeVerifier.verify(base64urlToBytes(signed.sig), hexToBytes(expectedId), key.publicKey)).toBe(true);
    expect(codeOf(signed)).toBe('ok');
  });

  it('computeProofId ignores id and sig, so it recomputes a signed proof\'s id', async () => {
    const { post } = await signedChain();
    expect(computeProofId(post)).toBe(post.id);
  });

  it('returns a frozen, branded copy independent of the input', async () => {
    const { post } = await signedChain();
    const input = edited(post, () => undefined);
    const result = verifyProof(input, nobleVerifier);
    if (!result.ok) throw new Error(result.error.message);
    expect(isVerifiedProof(result.value)).toBe(true);
    expect(isVerifiedProof(input)).toBe(false);
    expect(isVerifiedProof({ ...result.value })).toBe(false);
    expect(Object.isFrozen(result.value)).toBe(true);
    expect(Object.isFrozen(result.value.claim)).toBe(true);
    (input.claim as Record<string, unknown>).visibility = 'members';
    expect(result.value.claim).toMatchObject({ visibility: 'public' });
  });

  it('checks the signature against opts.publicKey when given', async () => {
    const { post } = await signedChain();
    expect(codeOf(post, { publicKey: createTestKey(1).publicKey })).toBe('ok');
    expect(codeOf(post, { publicKey: createTestKey(2).publicKey })).toBe('bad_signature');
  });
});

describe('every rejection code of a single proof', () => {
  it('malformed_proof: not an object, missing or unknown fields, bad encodings', async () => {
    const { identity, post } = await signedChain();
    for (const input of [null, 'proof', 42, [], [identity], undefined]) expect(codeOf(input)).toBe('malformed_proof');
    expect(codeOf(edited(post, (p) => delete p.sig))).toBe('malformed_proof');
    expect(codeOf(edited(post, (p) => delete p.evidence))).toBe('malformed_proof');
    expect(codeOf(edited(post, (p) => (p.extra = 1)))).toBe('malformed_proof');
    expect(codeOf(edited(post, (p) => (p.v = '1')))).toBe('malformed_proof');
    expect(codeOf(edited(post, (p) => delete p.v))).toBe('malformed_proof');
    expect(codeOf(edited(post, (p) => (p.type = 7)))).toBe('malformed_proof');
    expect(codeOf(edited(post, (p) => (p.id = post.id.toUpperCase())))).toBe('malformed_proof');
    expect(codeOf(edited(post, (p) => (p.sig = `${post.sig}=`)))).toBe('malformed_proof');
    expect(codeOf(edited(post, (p) => (p.sig = post.sig.slice(0, 85) + 'B')))).toBe('malformed_proof'); // non-canonical tail bits
    expect(codeOf(edited(post, (p) => (p.seq = 2.5)))).toBe('malformed_proof');
    expect(codeOf(edited(post, (p) => (p.seq = 0)))).toBe('malformed_proof');
    expect(codeOf(edited(post, (p) => (p.prev = null)))).toBe('malformed_proof'); // seq 2 needs prev
    expect(codeOf(edited(identity, (p) => (p.prev = SOME_ID)))).toBe('malformed_proof'); // seq 1 has none
    expect(codeOf(edited(post, (p) => (p.hub = 'Upper')))).toBe('malformed_proof');
    expect(codeOf(edited(post, (p) => (p.hub = '-lead')))).toBe('malformed_proof');
    expect(codeOf(edited(post, (p) => (p.hub = 'a'.repeat(65))))).toBe('malformed_proof');
    expect(codeOf(edited(post, (p) => (p.created_at = '2026-11-23T18:00:00Z')))).toBe('malformed_proof');
    expect(codeOf(edited(post, (p) => (p.created_at = '2026-02-30T18:00:00.000Z')))).toBe('malformed_proof');
    expect(codeOf(edited(post, (p) => (p.created_at = '2026-11-23T18:00:00.000+00:00')))).toBe('malformed_proof');
    expect(codeOf(edited(post, (p) => (p.evidence = ['not an id'])))).toBe('malformed_proof');
    expect(codeOf(edited(post, (p) => (p.evidence = [{ url: 'http://example.org/' }])))).toBe('malformed_proof');
    expect(codeOf(edited(post, (p) => (p.evidence = [{ url: 'https://example.org/', extra: 1 }])))).toBe('malformed_proof');
  });

  it('malformed_proof: seq 1 must be an identity proof', () => {
    const key = createTestKey(3);
    const built = buildUnsignedProof({
      type: 'post',
      hub: 'h',
      issuer: key.did,
      seq: 1,
      created_at: TEST_EPOCH,
      claim: { content_digest: SOME_ID, visibility: 'public' },
    });
    expect(built.ok ? 'ok' : built.error.code).toBe('malformed_proof');
  });

  it('malformed_proof: values with no JSON form, throwing getters and proxies never escape', async () => {
    const { post } = await signedChain();
    const cyclic = edited(post, () => undefined);
    cyclic.claim = cyclic;
    expect(codeOf(cyclic)).toBe('malformed_proof');
    expect(codeOf(edited(post, (p) => (p.seq = 2n)))).toBe('malformed_proof');
    const hostile = edited(post, () => undefined);
    Object.defineProperty(hostile, 'claim', {
      enumerable: true,
      get() {
        throw new Error('boom');
      },
    });
    expect(codeOf(hostile)).toBe('malformed_proof');
    const proxy = new Proxy(edited(post, () => undefined), {
      ownKeys() {
        throw new Error('no keys');
      },
    });
    expect(codeOf(proxy)).toBe('malformed_proof');
    // An optional field present as undefined is not the same JSON as an absent one: refused.
    expect(codeOf(edited(post, (p) => ((p.claim as Record<string, unknown>).on_behalf_of = undefined)))).toBe('invalid_claim');
  });

  it('unsupported_version and unknown_type', async () => {
    const { post } = await signedChain();
    expect(codeOf(edited(post, (p) => (p.v = 2)))).toBe('unsupported_version');
    expect(codeOf(edited(post, (p) => (p.v = 0)))).toBe('unsupported_version');
    expect(codeOf(edited(post, (p) => (p.type = 'poll')))).toBe('unknown_type');
    expect(codeOf(edited(post, (p) => (p.type = 'POST')))).toBe('unknown_type');
  });

  it('invalid_did: issuer and every did-valued claim field', async () => {
    const { post, writer } = await signedChain();
    expect(codeOf(edited(post, (p) => (p.issuer = 'did:web:example.org')))).toBe('invalid_did');
    expect(codeOf(edited(post, (p) => (p.issuer = SEED_ZERO_DID.slice(0, -1))))).toBe('invalid_did');
    expect(codeOf(edited(post, (p) => (p.issuer = `${SEED_ZERO_DID}${'z'.repeat(200)}`)))).toBe('invalid_did');
    // The small-order point with y = 1 (the identity) as a did:key: no signature can verify.
    const identityPoint = publicKeyToDidKey(hexToBytes(`01${'00'.repeat(31)}`));
    expect(codeOf(edited(post, (p) => (p.issuer = identityPoint)))).toBe('invalid_did');
    const delegation = await writer.write('delegation', { agent: createTestKey(9).did, scopes: ['post'], expires_at: '2027-01-01T00:00:00.000Z' });
    expect(codeOf(edited(delegation, (p) => ((p.claim as Record<string, unknown>).agent = 'did:key:z6Mk')))).toBe('invalid_did');
    expect(codeOf(edited(post, (p) => ((p.claim as Record<string, unknown>).on_behalf_of = 'did:key:zXYZ')))).toBe('invalid_did');
  });

  it('invalid_claim: per type', async () => {
    const { identity, post, writer } = await signedChain();
    const claim = (proof: SignedProof, edit: (c: Record<string, unknown>) => void) => edited(proof, (p) => edit(p.claim as Record<string, unknown>));
    expect(codeOf(claim(identity, (c) => (c.name = '')))).toBe('invalid_claim');
    expect(codeOf(claim(identity, (c) => (c.name = '   ')))).toBe('invalid_claim');
    expect(codeOf(claim(identity, (c) => (c.name = 'a\nb')))).toBe('invalid_claim');
    expect(codeOf(claim(identity, (c) => (c.name = 'bad \ud800 surrogate')))).toBe('invalid_claim');
    expect(codeOf(claim(identity, (c) => (c.key = SEED_ZERO_DID)))).toBe('invalid_claim');
    expect(codeOf(claim(post, (c) => (c.visibility = 'secret')))).toBe('invalid_claim');
    expect(codeOf(claim(post, (c) => (c.content_digest = 'cd')))).toBe('invalid_claim');
    expect(codeOf(claim(post, (c) => (c.body = 'text belongs beside the proof, not in it')))).toBe('invalid_claim');
    expect(codeOf(claim(post, (c) => (c.on_behalf_of = writer.issuer)))).toBe('invalid_claim');
    const reply = await writer.write('reply', { parent: post.id, root: post.id, content_digest: SOME_ID });
    expect(codeOf(claim(reply, (c) => delete c.root))).toBe('invalid_claim');
    const reaction = await writer.write('reaction', { target: post.id, kind: 'like' });
    expect(codeOf(claim(reaction, (c) => (c.kind = 'love')))).toBe('invalid_claim');
    expect(codeOf(claim(reaction, (c) => (c.undo = false)))).toBe('invalid_claim');
    const moderation = await writer.write('moderation', { target: post.id, action: 'hide', reason: 'spam' });
    expect(codeOf(claim(moderation, (c) => (c.action = 'delete')))).toBe('invalid_claim');
    expect(codeOf(claim(moderation, (c) => (c.reason = '')))).toBe('invalid_claim');
    const agent = createTestKey(9).did;
    const delegation = await writer.write('delegation', { agent, scopes: ['post', 'react'], expires_at: '2027-01-01T00:00:00.000Z' });
    expect(codeOf(claim(delegation, (c) => (c.scopes = [])))).toBe('invalid_claim');
    expect(codeOf(claim(delegation, (c) => (c.scopes = ['post', 'post'])))).toBe('invalid_claim');
    expect(codeOf(claim(delegation, (c) => (c.scopes = ['admin'])))).toBe('invalid_claim');
    expect(codeOf(claim(delegation, (c) => (c.expires_at = delegation.created_at)))).toBe('invalid_claim');
    expect(codeOf(claim(delegation, (c) => (c.agent = writer.issuer)))).toBe('invalid_claim');
    const revocation = await writer.write('revocation', { agent });
    expect(codeOf(claim(revocation, (c) => (c.agent = writer.issuer)))).toBe('invalid_claim');
    expect(codeOf(claim(revocation, (c) => (c.reason = 'x'.repeat(501))))).toBe('invalid_claim');
    const rotation = await writer.write('key_rotation', { next_key: createTestKey(8).did });
    expect(codeOf(claim(rotation, (c) => delete c.next_key))).toBe('invalid_claim');
  });

  it('wrong_hub, timestamp_skew, id_mismatch, bad_signature', async () => {
    const { post } = await signedChain();
    const created = Date.parse(post.created_at);
    expect(codeOf(post, { hub: 'test-hub' })).toBe('ok');
    expect(codeOf(post, { hub: 'other-hub' })).toBe('wrong_hub');
    expect(codeOf(post, { now: new Date(created + PROOF_LIMITS.maxSkewMs) })).toBe('ok');
    expect(codeOf(post, { now: new Date(created - PROOF_LIMITS.maxSkewMs) })).toBe('ok');
    expect(codeOf(post, { now: new Date(created + PROOF_LIMITS.maxSkewMs + 1) })).toBe('timestamp_skew');
    expect(codeOf(post, { now: new Date(created - PROOF_LIMITS.maxSkewMs - 1) })).toBe('timestamp_skew');
    expect(codeOf(post, { now: new Date(Number.NaN) })).toBe('timestamp_skew');
    expect(codeOf(edited(post, (p) => (p.hub = 'another')))).toBe('id_mismatch');
    expect(codeOf(edited(post, (p) => (p.id = SOME_ID)))).toBe('id_mismatch');
    const sig = base64urlToBytes(post.sig);
    sig[10] = (sig[10] ?? 0) ^ 1;
    expect(codeOf(edited(post, (p) => (p.sig = bytesToBase64url(sig))))).toBe('bad_signature');
    const other = await signProof(post, createTestKey(2).signer);
    expect(other.id).toBe(post.id);
    expect(codeOf(other)).toBe('bad_signature');
  });

  it('every code in PROOF_ERROR_CODES is a stable snake_case string', () => {
    expect(new Set(PROOF_ERROR_CODES).size).toBe(PROOF_ERROR_CODES.length);
    for (const code of PROOF_ERROR_CODES) {
      expect(code).toMatch(/^[a-z]+(_[a-z]+)*$/);
      expect(isProofErrorCode(code)).toBe(true);
    }
    expect(isProofErrorCode('nope')).toBe(false);
  });
});

describe('limits', () => {
  const ownerKey = createTestKey(4);

  function unsignedWithEvidence(labelLength: number, count: number) {
    return buildUnsignedProof({
      type: 'identity',
      hub: 'h',
      issuer: ownerKey.did,
      seq: 1,
      created_at: TEST_EPOCH,
      claim: { name: 'n' },
      evidence: Array.from({ length: count }, (_, i) => ({ url: `https://example.org/${i}`, label: 'x'.repeat(labelLength) })),
    });
  }

  it('evidence: 16 entries pass, 17 are refused', () => {
    expect(buildUnsignedProof({ type: 'identity', hub: 'h', issuer: ownerKey.did, seq: 1, created_at: TEST_EPOCH, claim: { name: 'n' }, evidence: Array.from({ length: 16 }, () => SOME_ID) }).ok).toBe(true);
    const refused = buildUnsignedProof({ type: 'identity', hub: 'h', issuer: ownerKey.did, seq: 1, created_at: TEST_EPOCH, claim: { name: 'n' }, evidence: Array.from({ length: 17 }, () => SOME_ID) });
    expect(refused.ok ? 'ok' : refused.error.code).toBe('malformed_proof');
  });

  it('name 64 and reason 500 characters pass, one more is refused', () => {
    const build = (name: string) => buildUnsignedProof({ type: 'identity', hub: 'h', issuer: ownerKey.did, seq: 1, created_at: TEST_EPOCH, claim: { name } });
    expect(build('n'.repeat(PROOF_LIMITS.maxNameChars)).ok).toBe(true);
    const long = build('n'.repeat(PROOF_LIMITS.maxNameChars + 1));
    expect(long.ok ? 'ok' : long.error.code).toBe('invalid_claim');
    const moderate = (reason: string) =>
      buildUnsignedProof({ type: 'moderation', hub: 'h', issuer: ownerKey.did, seq: 2, prev: SOME_ID, created_at: TEST_EPOCH, claim: { target: SOME_ID, action: 'flag', reason } });
    expect(moderate('r'.repeat(PROOF_LIMITS.maxReasonChars)).ok).toBe(true);
    const longReason = moderate('r'.repeat(PROOF_LIMITS.maxReasonChars + 1));
    expect(longReason.ok ? 'ok' : longReason.error.code).toBe('invalid_claim');
  });

  it('a signed proof of exactly 16 KiB verifies; one byte more is too_large', async () => {
    // Links of ~1.4 KiB each; the first link's URL padding (one byte per character) and an
    // optional 411-byte label land the JCS size on the exact target.
    const LABEL = 'é'.repeat(200); // 400 bytes, 411 with its member name
    const build = (count: number, firstPadding: number, firstLabel: boolean) =>
      buildUnsignedProof({
        type: 'identity',
        hub: 'h',
        issuer: ownerKey.did,
        seq: 1,
        created_at: TEST_EPOCH,
        claim: { name: 'n' },
        evidence: Array.from({ length: count }, (_, i) =>
          i === 0
            ? { url: `https://example.org/${i}/${'p'.repeat(firstPadding)}`, ...(firstLabel ? { label: LABEL } : {}) }
            : { url: `https://example.org/${i}/${'p'.repeat(900)}`, label: LABEL },
        ),
      });
    const findUnsigned = (target: number) => {
      for (let count = 1; count <= PROOF_LIMITS.maxEvidence; count++) {
        const base = build(count, 0, false);
        if (!base.ok) break;
        const need = target - ((measureJsonBytes(base.value) ?? 0) + SIGNED_FIELDS_BYTES);
        const built = need < 0 ? undefined : need <= 990 ? build(count, need, false) : need - 411 <= 990 ? build(count, need - 411, true) : undefined;
        if (built?.ok === true) return built.value;
      }
      throw new Error(`no proof of ${target} bytes found`);
    };
    const exact = await signProof(findUnsigned(PROOF_LIMITS.maxProofBytes), ownerKey.signer);
    expect(measureJsonBytes(exact)).toBe(PROOF_LIMITS.maxProofBytes);
    expect(codeOf(exact)).toBe('ok');
    const over = edited(exact, (p) => {
      const evidence = p.evidence as { url: string; label: string }[];
      const last = evidence[evidence.length - 1];
      if (last) last.url = `${last.url}q`;
    });
    expect(measureJsonBytes(over)).toBe(PROOF_LIMITS.maxProofBytes + 1);
    expect(codeOf(over)).toBe('too_large');
    // The builder already refuses a body that would be too large once signed.
    expect(unsignedWithEvidence(200, 16).ok).toBe(true);
  });

  it('measures the JSON form in UTF-8 bytes (equal to the JCS form for plain JSON)', () => {
    expect(measureJsonBytes({ a: 'é€😀' })).toBe(Buffer.byteLength(JSON.stringify({ a: 'é€😀' }), 'utf8'));
    expect(measureJsonBytes({ a: '\u0001' })).toBe(14); // {"a":"\u0001"}
    expect(measureJsonBytes(() => 1)).toBeUndefined();
  });

  it('parseSignedProof refuses with the same codes without touching crypto', async () => {
    const { post } = await signedChain();
    expect(parseSignedProof(post).ok).toBe(true);
    const tampered = parseSignedProof(edited(post, (p) => (p.id = bytesToHex(new Uint8Array(32)))));
    expect(tampered.ok).toBe(true); // ids and signatures are verifyProof's job
  });
});

describe('verifyProof\'s fused parse (size measured on the JCS bytes it hashes)', () => {
  it('gives the code parseSignedProof gives whenever parsing fails, whatever the edit', async () => {
    const { post } = await signedChain();
    const fields = ['v', 'type', 'hub', 'issuer', 'seq', 'prev', 'created_at', 'claim', 'evidence', 'id', 'sig', 'extra'];
    const value = fc.oneof(
      fc.anything({ maxDepth: 2 }),
      fc.string({ minLength: 5000, maxLength: 20_000 }),
      fc.array(fc.constant(SOME_ID), { minLength: 10, maxLength: 300 }),
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom(...fields), value), { minLength: 1, maxLength: 3 }), (edits) => {
        const input = edited(post, (p) => {
          for (const [field, v] of edits) p[field] = v;
        });
        const parsed = parseSignedProof(input);
        if (parsed.ok) return;
        for (const verifier of verifiers) {
          const verified = verifyProof(input, verifier);
          expect(verified.ok ? 'ok' : verified.error.code).toBe(parsed.error.code);
          // Above the guard's bound the message gives a lower bound instead of the exact size.
          if (!verified.ok && verified.error.code !== 'too_large') expect(verified.error.message).toBe(parsed.error.message);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('refuses huge input as too_large without walking all of it', async () => {
    const { post } = await signedChain();
    const huge = edited(post, (p) => (p.evidence = new Array<string>(1_000_000).fill(SOME_ID)));
    expect(codeOf(huge)).toBe('too_large');
  });

  it('jsonLengthAtLeast never exceeds the JSON text length', () => {
    fc.assert(
      fc.property(fc.anything({ withBigInt: false, withBoxedValues: true, withNullPrototype: true, withSparseArray: true, withObjectString: true }), (value) => {
        const text = JSON.stringify(value) as string | undefined;
        expect(jsonLengthAtLeast(value, Number.POSITIVE_INFINITY)).toBeLessThanOrEqual(text?.length ?? 0);
      }),
      { numRuns: 400 },
    );
    expect(jsonLengthAtLeast({ a: 'xy', b: [1, null] }, Number.POSITIVE_INFINITY)).toBe('{"a":"xy","b":[1,null]}'.length);
  });
});

describe('decodeSignature (the hot path\'s base64url decoder)', () => {
  it('decodes every canonical 86-character signature exactly as the general decoder does', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 64, maxLength: 64 }), (bytes) => {
        const text = bytesToBase64url(bytes);
        expect(bytesToHex(decodeSignature(text))).toBe(bytesToHex(base64urlToBytes(text)));
      }),
      { numRuns: 300 },
    );
  });

  it('throws like the general decoder on anything else', () => {
    const text = bytesToBase64url(new Uint8Array(64).fill(0xa5));
    for (const bad of [`${text.slice(0, 85)}B`, `${text.slice(0, 85)}=`, `${text.slice(0, 40)}+${text.slice(41)}`, `${text.slice(0, 40)}é${text.slice(41)}`, text.slice(1)]) {
      expect(() => base64urlToBytes(bad), bad).toThrow();
      expect(() => decodeSignature(bad), bad).toThrow();
    }
    expect(bytesToHex(decodeSignature(bytesToBase64url(new Uint8Array(63))))).toBe('00'.repeat(63)); // other lengths: the general decoder
  });
});


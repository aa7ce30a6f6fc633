// Proof test vectors as data (lib/proof/vectors.json): valid proofs of every type and deliberate
// tamperings, each with the verifyProof answer it must get. Built deterministically from fixed
// seeds and times; vectors.test.ts rebuilds them and requires the committed file to match, so the
// file cannot drift from the code, and other implementations (the CLI, the browser, a port in
// another language) can run the same cases.
import { base64urlToBytes, bytesToBase64url, bytesToHex, hexToBytes } from '../bytes';
import { publicKeyToDidKey } from '../crypto/did-key';
import { digestContent, createContent } from './content';
import type { ProofErrorCode } from './errors';
import { computeProofId } from './proof';
import type { SignedProof } from './schema';
import { ProofWriter, TEST_EPOCH, createTestKey } from './testing';

export interface ProofVector {
  readonly name: string;
  readonly input: unknown;
  /** verifyProof options; `now` is an ISO time. */
  readonly options?: { readonly now?: string; readonly hub?: string; readonly publicKeyHex?: string };
  readonly expect: 'ok' | ProofErrorCode;
}

function edited(proof: SignedProof, edit: (copy: Record<string, unknown>) => void): Record<string, unknown> {
  const copy = JSON.parse(JSON.stringify(proof)) as Record<string, unknown>;
  edit(copy);
  return copy;
}

function flipBit(bytes: Uint8Array, bit: number): Uint8Array {
  const copy = Uint8Array.from(bytes);
  copy[bit >> 3] = (copy[bit >> 3] ?? 0) ^ (1 << (bit & 7));
  return copy;
}

export async function buildProofVectors(): Promise<ProofVector[]> {
  const alice = new ProofWriter(createTestKey(new Uint8Array(32)), { hub: 'vectors' });
  const agentKey = createTestKey(new Uint8Array(32).fill(1));
  const nextKey = createTestKey(new Uint8Array(32).fill(2));
  const identity = await alice.identity('Alice');
  const content = createContent({ title: 'Hello', body: 'First *post*.' }, new Uint8Array(16).fill(7));
  if (!content.ok) throw new Error(content.error.message);
  const post = await alice.write('post', { content_digest: digestContent(content.value), visibility: 'public' }, { evidence: [{ url: 'https://example.org/source', sha256: 'ab'.repeat(32), label: 'source' }] });
  const reply = await alice.write('reply', { parent: post.id, root: post.id, content_digest: 'cd'.repeat(32) });
  const reaction = await alice.write('reaction', { target: reply.id, kind: 'verified' });
  const undo = await alice.write('reaction', { target: reply.id, kind: 'verified', undo: true });
  const moderation = await alice.write('moderation', { target: reply.id, action: 'flag', reason: 'needs a source' }, { evidence: [post.id] });
  const delegation = await alice.write('delegation', { agent: agentKey.did, scopes: ['post', 'reply', 'react'], expires_at: '2027-01-01T00:00:00.000Z' });
  const revocation = await alice.write('revocation', { agent: agentKey.did, reason: 'retired' });
  const rotation = await alice.rotate(nextKey);
  const rotated = await alice.write('post', { content_digest: 'ef'.repeat(32), visibility: 'members' });

  const agent = new ProofWriter(agentKey, { hub: 'vectors' });
  await agent.identity('Agent');
  const agentPost = await agent.write('post', { content_digest: '01'.repeat(32), visibility: 'public', on_behalf_of: alice.issuer });

  const sig = base64urlToBytes(post.sig);
  const smallOrderDid = publicKeyToDidKey(hexToBytes(`01${'00'.repeat(31)}`));
  const withRecomputedId = (copy: Record<string, unknown>) => ({ ...copy, id: computeProofId(copy as SignedProof) });
  const hugeEvidence = Array.from({ length: 16 }, (_, i) => ({ url: `https://example.org/${i}/${'x'.repeat(1000)}` }));
  const nextKeyHex = bytesToHex(nextKey.publicKey);

  return [
    { name: 'identity (inception)', input: identity, expect: 'ok' },
    { name: 'post with link evidence', input: post, expect: 'ok' },
    { name: 'reply', input: reply, expect: 'ok' },
    { name: 'reaction', input: reaction, expect: 'ok' },
    { name: 'reaction undo', input: undo, expect: 'ok' },
    { name: 'moderation citing a proof', input: moderation, expect: 'ok' },
    { name: 'delegation', input: delegation, expect: 'ok' },
    { name: 'revocation', input: revocation, expect: 'ok' },
    { name: 'key_rotation (signed by the old key)', input: rotation, expect: 'ok' },
    { name: 'post after rotation, checked with the next key', input: rotated, options: { publicKeyHex: nextKeyHex }, expect: 'ok' },
    { name: 'post after rotation, checked with the issuer key', input: rotated, expect: 'bad_signature' },
    { name: 'agent post on behalf of an owner', input: agentPost, expect: 'ok' },
    { name: 'at the skew limit', input: post, options: { now: new Date(Date.parse(post.created_at) + 300_000).toISOString() }, expect: 'ok' },
    { name: 'past the skew limit', input: post, options: { now: new Date(Date.parse(post.created_at) + 300_001).toISOString() }, expect: 'timestamp_skew' },
    { name: 'expected hub', input: post, options: { hub: 'vectors' }, expect: 'ok' },
    { name: 'another hub', input: post, options: { hub: 'elsewhere' }, expect: 'wrong_hub' },
    { name: 'id: bit 0 flipped', input: { ...post, id: bytesToHex(flipBit(hexToBytes(post.id), 0)) }, expect: 'id_mismatch' },
    { name: 'id: bit 255 flipped', input: { ...post, id: bytesToHex(flipBit(hexToBytes(post.id), 255)) }, expect: 'id_mismatch' },
    { name: 'id: uppercase hex', input: { ...post, id: post.id.toUpperCase() }, expect: 'malformed_proof' },
    { name: 'sig: bit 0 flipped (R)', input: { ...post, sig: bytesToBase64url(flipBit(sig, 0)) }, expect: 'bad_signature' },
    { name: 'sig: bit 511 flipped (S >= L)', input: { ...post, sig: bytesToBase64url(flipBit(sig, 511)) }, expect: 'bad_signature' },
    { name: 'sig: truncated', input: { ...post, sig: post.sig.slice(0, 85) }, expect: 'malformed_proof' },
    { name: 'sig: padded', input: { ...post, sig: `${post.sig}==` }, expect: 'malformed_proof' },
    { name: 'sig: taken from another proof', input: { ...post, sig: reaction.sig }, expect: 'bad_signature' },
    { name: 'body: created_at changed', input: edited(post, (p) => (p.created_at = TEST_EPOCH.toISOString())), expect: 'id_mismatch' },
    { name: 'body: changed, id recomputed', input: withRecomputedId(edited(post, (p) => (p.claim = { ...post.claim, visibility: 'members' }))), expect: 'bad_signature' },
    { name: 'unknown top-level member', input: edited(post, (p) => (p.note = 'x')), expect: 'malformed_proof' },
    { name: 'unknown claim member', input: edited(post, (p) => (p.claim = { ...post.claim, body: 'text goes beside' })), expect: 'invalid_claim' },
    { name: 'missing evidence', input: edited(post, (p) => delete p.evidence), expect: 'malformed_proof' },
    { name: 'seq 2 with prev null', input: edited(post, (p) => (p.prev = null)), expect: 'malformed_proof' },
    { name: 'version 2', input: edited(post, (p) => (p.v = 2)), expect: 'unsupported_version' },
    { name: 'unknown type', input: edited(post, (p) => (p.type = 'poll')), expect: 'unknown_type' },
    { name: 'issuer not a did:key', input: edited(post, (p) => (p.issuer = 'did:web:example.org')), expect: 'invalid_did' },
    { name: 'issuer a small-order key', input: edited(post, (p) => (p.issuer = smallOrderDid)), expect: 'invalid_did' },
    { name: 'reaction kind unknown', input: edited(reaction, (p) => (p.claim = { ...reaction.claim, kind: 'love' })), expect: 'invalid_claim' },
    { name: 'delegation to the issuer itself', input: edited(delegation, (p) => (p.claim = { ...delegation.claim, agent: alice.issuer })), expect: 'invalid_claim' },
    { name: 'over 16 KiB', input: edited(post, (p) => (p.evidence = hugeEvidence)), expect: 'too_large' },
    { name: 'not an object', input: [post], expect: 'malformed_proof' },
  ];
}

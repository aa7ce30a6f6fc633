import { describe, expect, it } from 'vitest';
import { publicKeyToDidKey } from '@/lib/crypto/did-key';
import { createSeedSigner } from '@/lib/crypto/keys';
import type { Signer } from '@/lib/crypto/types';
import { createContent, digestContent } from '@/lib/proof/content';
import type { Content } from '@/lib/proof/content';
import { buildUnsignedProof, signProof } from '@/lib/proof/proof';
import type { ClaimOf, ProofType, SignedProof } from '@/lib/proof/schema';
import type { ApiResult } from '../api/client';
import { CheckUnavailableError, ProofChecker } from './check-proof';
import type { CheckerSource } from './check-proof';

function seed(byte: number): Uint8Array {
  return new Uint8Array(32).fill(byte);
}

class Issuer {
  readonly signer: Signer;
  readonly did: string;
  readonly proofs: SignedProof[] = [];
  constructor(seedByte: number) {
    this.signer = createSeedSigner(seed(seedByte));
    this.did = publicKeyToDidKey(this.signer.publicKey);
  }
  get head(): SignedProof | undefined {
    return this.proofs[this.proofs.length - 1];
  }
  async sign<T extends ProofType>(type: T, claim: ClaimOf<T>, options: { signer?: Signer; seq?: number; prev?: string | null; hub?: string } = {}): Promise<SignedProof> {
    const built = buildUnsignedProof({
      type,
      hub: options.hub ?? 'public',
      issuer: this.did,
      seq: options.seq ?? (this.head?.seq ?? 0) + 1,
      prev: options.prev === undefined ? (this.head?.id ?? null) : options.prev,
      created_at: new Date(Date.UTC(2026, 0, 1, 0, 0, this.proofs.length)),
      claim,
    });
    if (!built.ok) throw new Error(built.error.message);
    const proof = (await signProof(built.value, options.signer ?? this.signer)) as SignedProof;
    this.proofs.push(proof);
    return proof;
  }
}

function content(body: string, saltByte = 7): Content {
  const made = createContent({ body }, new Uint8Array(16).fill(saltByte));
  if (!made.ok) throw new Error(made.error.message);
  return made.value;
}

/** An in-memory hub: the REST answers the checker asks for, and a count of requests. */
class FakeHub implements CheckerSource {
  readonly proofs = new Map<string, SignedProof>();
  readonly requests: string[] = [];
  offline = false;
  add(...issuers: Issuer[]): void {
    for (const issuer of issuers) for (const proof of issuer.proofs) this.proofs.set(proof.id, proof);
  }
  proof(id: string): Promise<ApiResult<{ proof: SignedProof }>> {
    this.requests.push(`proof ${id}`);
    if (this.offline) return Promise.resolve({ ok: false, error: { code: 'network_error', message: 'offline', status: 0 } });
    const proof = this.proofs.get(id);
    return Promise.resolve(proof === undefined ? { ok: false, error: { code: 'not_found', message: 'no such proof', status: 404 } } : { ok: true, value: { proof } });
  }
  identity(did: string): Promise<ApiResult<{ proofs: SignedProof[] }>> {
    this.requests.push(`identity ${did}`);
    if (this.offline) return Promise.resolve({ ok: false, error: { code: 'network_error', message: 'offline', status: 0 } });
    const proofs = [...this.proofs.values()].filter((proof) => proof.issuer === did && (proof.type === 'identity' || proof.type === 'key_rotation'));
    return Promise.resolve(proofs.length === 0 ? { ok: false, error: { code: 'not_found', message: 'unknown', status: 404 } } : { ok: true, value: { proofs } });
  }
}

async function aliceWithPost(body = 'hello') {
  const alice = new Issuer(1);
  await alice.sign('identity', { name: 'Alice' });
  const text = content(body);
  const post = await alice.sign('post', { content_digest: digestContent(text), visibility: 'public' });
  const hub = new FakeHub();
  hub.add(alice);
  return { alice, post, text, hub };
}

describe('ProofChecker', () => {
  it('marks a well-formed post signed after checking signature, content and chain link', async () => {
    const { post, text, hub } = await aliceWithPost();
    const result = await new ProofChecker(hub).check({ proof: post, content: text });
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.checked.proof.id).toBe(post.id);
  });

  it('refuses content that does not match the digest', async () => {
    const { post, hub } = await aliceWithPost();
    const result = await new ProofChecker(hub).check({ proof: post, content: content('edited by the hub') });
    expect(result).toMatchObject({ ok: false, reason: { code: 'content_mismatch' } });
  });

  it('accepts a purged content only when the hub says it was purged', async () => {
    const { post, hub } = await aliceWithPost();
    const checker = new ProofChecker(hub);
    expect(await checker.check({ proof: post, content: null })).toMatchObject({ ok: false, reason: { code: 'content_required' } });
    const purged = await checker.check({ proof: post, content: null, purged: true });
    expect(purged.ok && purged.checked.contentPurged).toBe(true);
  });

  it('refuses a tampered claim (id no longer matches) and a foreign signature', async () => {
    const { post, text, hub } = await aliceWithPost();
    const checker = new ProofChecker(hub);
    const tampered = { ...post, claim: { ...post.claim, visibility: 'members' } };
    expect(await checker.check({ proof: tampered, content: text })).toMatchObject({ ok: false, reason: { code: 'id_mismatch' } });
    const mallory = new Issuer(9);
    const forged = { ...post, sig: (await mallory.sign('identity', { name: 'M' })).sig };
    expect(await new ProofChecker(hub).check({ proof: forged, content: text })).toMatchObject({ ok: false, reason: { code: 'bad_signature' } });
  });

  it('refuses a chain link to another issuer, a gap, and a missing prev', async () => {
    const { alice, hub } = await aliceWithPost();
    const bob = new Issuer(2);
    await bob.sign('identity', { name: 'Bob' });
    hub.add(bob);
    const text = content('linked to Bob');
    const stolenPrev = await alice.sign('post', { content_digest: digestContent(text), visibility: 'public' }, { prev: bob.head?.id ?? null });
    expect(await new ProofChecker(hub).check({ proof: stolenPrev, content: text })).toMatchObject({ ok: false, reason: { code: 'prev_mismatch' } });

    const gap = await alice.sign('post', { content_digest: digestContent(text), visibility: 'public' }, { seq: 9, prev: alice.proofs[0]?.id ?? null });
    expect(await new ProofChecker(hub).check({ proof: gap, content: text })).toMatchObject({ ok: false, reason: { code: 'seq_gap' } });

    const dangling = await alice.sign('post', { content_digest: digestContent(text), visibility: 'public' }, { seq: 12, prev: 'ab'.repeat(32) });
    expect(await new ProofChecker(hub).check({ proof: dangling, content: text })).toMatchObject({ ok: false, reason: { code: 'prev_unavailable' } });
  });

  it('checks a proof signed after a key rotation with the new key, and refuses the old one', async () => {
    const alice = new Issuer(1);
    await alice.sign('identity', { name: 'Alice' });
    const nextSigner = createSeedSigner(seed(3));
    await alice.sign('key_rotation', { next_key: publicKeyToDidKey(nextSigner.publicKey) });
    const hub = new FakeHub();
    hub.add(alice);
    const text = content('after rotation');
    const good = await alice.sign('post', { content_digest: digestContent(text), visibility: 'public' }, { signer: nextSigner });
    expect((await new ProofChecker(hub).check({ proof: good, content: text })).ok).toBe(true);
    alice.proofs.pop();
    const oldKey = await alice.sign('post', { content_digest: digestContent(text), visibility: 'public' });
    expect(await new ProofChecker(hub).check({ proof: oldKey, content: text })).toMatchObject({ ok: false, reason: { code: 'bad_signature' } });
  });

  it('fetches each prev and identity once, and uses proofs already on the page', async () => {
    const { alice, post, text, hub } = await aliceWithPost();
    const text2 = content('second');
    const post2 = await alice.sign('post', { content_digest: digestContent(text2), visibility: 'public' });
    hub.add(alice);
    const checker = new ProofChecker(hub);
    checker.remember(post);
    expect((await checker.check({ proof: post2, content: text2 })).ok).toBe(true);
    expect((await checker.check({ proof: post, content: text })).ok).toBe(true);
    expect((await checker.check({ proof: post2, content: text2 })).ok).toBe(true);
    expect(hub.requests.filter((request) => request.startsWith('proof'))).toEqual([`proof ${alice.proofs[0]?.id}`]);
    expect(hub.requests.filter((request) => request.startsWith('identity'))).toHaveLength(1);
  });

  it('throws rather than judging when the hub is unreachable, and checks again later', async () => {
    const { post, text, hub } = await aliceWithPost();
    const checker = new ProofChecker(hub);
    hub.offline = true;
    await expect(checker.check({ proof: post, content: text })).rejects.toBeInstanceOf(CheckUnavailableError);
    hub.offline = false;
    expect((await checker.check({ proof: post, content: text })).ok).toBe(true);
  });

  it('refuses garbage with the proof format code', async () => {
    const hub = new FakeHub();
    expect(await new ProofChecker(hub).check({ proof: { v: 2 }, content: null })).toMatchObject({ ok: false, reason: { code: 'unsupported_version' } });
    expect(await new ProofChecker(hub).check({ proof: 'nope', content: null })).toMatchObject({ ok: false, reason: { code: 'malformed_proof' } });
  });
});

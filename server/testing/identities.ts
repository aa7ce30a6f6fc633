// Test signers: an Ed25519 identity that builds and signs the proofs a browser would (lib/proof),
// keeping its own chain head so each call continues the chain.
import { randomBytes } from 'node:crypto';
import { createKeyPair, createSeedSigner, keyPairToDidKey } from '@/lib/crypto/keys';
import type { Signer } from '@/lib/crypto/types';
import { createContent, digestContent } from '@/lib/proof/content';
import type { Content } from '@/lib/proof/content';
import { buildUnsignedProof, signProof } from '@/lib/proof/proof';
import type { ClaimOf, ProofType, SignedProof } from '@/lib/proof/schema';

export interface SignedWithContent {
  proof: SignedProof;
  content?: Content;
}

export class TestIdentity {
  readonly did: string;
  signer: Signer;
  seq = 0;
  head: string | null = null;

  constructor(seed: Uint8Array = randomBytes(32)) {
    const keyPair = createKeyPair(seed);
    this.did = keyPairToDidKey(keyPair);
    this.signer = createSeedSigner(keyPair.seed);
  }

  /** Signs the next proof of this chain (advances seq/head unless `advance` is false). */
  async sign<T extends ProofType>(type: T, hub: string, claim: ClaimOf<T>, options: { advance?: boolean; seq?: number; prev?: string | null; createdAt?: Date } = {}): Promise<SignedProof> {
    const seq = options.seq ?? this.seq + 1;
    const prev = options.prev !== undefined ? options.prev : seq === this.seq + 1 ? this.head : null;
    const unsigned = buildUnsignedProof({ type, hub, issuer: this.did, seq, prev, created_at: options.createdAt ?? new Date(), claim });
    if (!unsigned.ok) throw new Error(`test proof does not build: ${unsigned.error.code} ${unsigned.error.message}`);
    const signed = (await signProof(unsigned.value, this.signer)) as SignedProof;
    if (options.advance !== false) {
      this.seq = seq;
      this.head = signed.id;
    }
    return signed;
  }

  identity(name = 'Tester', options: { advance?: boolean } = {}): Promise<SignedProof> {
    return this.sign('identity', 'public', { name }, options);
  }

  async post(hub: string, text: { title?: string; body: string }, options: { advance?: boolean } = {}): Promise<Required<SignedWithContent>> {
    const content = makeContent(text);
    const proof = await this.sign('post', hub, { content_digest: digestContent(content), visibility: 'public' }, options);
    return { proof, content };
  }

  async reply(hub: string, parent: SignedProof, text: string, options: { advance?: boolean } = {}): Promise<Required<SignedWithContent>> {
    const content = makeContent({ body: text });
    const root = parent.type === 'post' ? parent.id : (parent.claim as { root: string }).root;
    const proof = await this.sign('reply', hub, { parent: parent.id, root, content_digest: digestContent(content) }, options);
    return { proof, content };
  }

  /** Signs a key_rotation with the current key and signs with the new key from then on. */
  async rotate(seed: Uint8Array = randomBytes(32)): Promise<SignedProof> {
    const next = createKeyPair(seed);
    const proof = await this.sign('key_rotation', 'public', { next_key: keyPairToDidKey(next) });
    this.signer = createSeedSigner(next.seed);
    return proof;
  }

  react(hub: string, target: string, kind: 'like' | 'verified' | 'disputed', undo = false): Promise<SignedProof> {
    return this.sign('reaction', hub, undo ? { target, kind, undo: true } : { target, kind });
  }
}

export function makeContent(text: { title?: string; body: string }): Content {
  const made = createContent(text, randomBytes(16));
  if (!made.ok) throw new Error(`test content does not build: ${made.error.message}`);
  return made.value;
}

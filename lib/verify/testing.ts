// Test support: a small certified log made the way the validators make it (genesis file, chain id =
// genesis hash, real Ed25519 validator keys, headers and commit QCs signed by a quorum, an RFC 9162
// tree of the proofs' leaves). Tests of lib/verify, bundles and the browser build anchors with it.
// It is not a consensus run (lib/consensus/testing.ts drives one): only what a light client sees.
import { base64urlToBytes, bytesToHex, hexToBytes, utf8Encode } from '../bytes';
import { canonicalizeJson } from '../canonical-json';
import { headerHash, validatorSetHash, voteMessage, hashBytes } from '../consensus/encoding';
import { blockHeaderToJson, quorumCertToJson } from '../consensus/wire';
import type { BlockHeader } from '../consensus/types';
import { publicKeyToDidKey } from '../crypto/did-key';
import { publicKeyFromSeed, signEd25519 } from '../crypto/ed25519';
import { leafHash } from '../merkle/hashing';
import { consistencyProof, inclusionProof, rootOf } from '../merkle/tree';
import type { AnchorWire, CertifiedHeadWire, ValidatorSetWire } from '../protocol/chain';
import type { ConsistencyProofJson } from '../merkle/wire';
import { createContent, digestContent, type Content } from '../proof/content';
import type { SignedProof } from '../proof/schema';
import { createTestKey, ProofWriter } from '../proof/testing';

export interface TestChainOptions {
  /** Validators (3f+1). Default 4. */
  readonly n?: number;
  readonly name?: string;
  /** Which validators sign each commit QC. Default: the first quorum. */
  readonly signers?: readonly number[];
}

function unwrap<T>(result: { ok: true; value: T } | { ok: false; error: { message: string } }): T {
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

export class TestChain {
  readonly seeds: readonly Uint8Array[];
  readonly keys: readonly Uint8Array[];
  readonly genesis: Record<string, unknown>;
  readonly genesisHash: string;
  readonly validatorSet: ValidatorSetWire;
  readonly #chainId: Uint8Array;
  readonly #signers: readonly number[];
  readonly #leaves: Uint8Array[] = [];
  readonly #indexById = new Map<string, number>();
  readonly #heads: CertifiedHeadWire[] = [];
  #parent: Uint8Array = new Uint8Array(32);

  constructor(options: TestChainOptions = {}) {
    const n = options.n ?? 4;
    this.seeds = Array.from({ length: n }, (_, i) => hashBytes(utf8Encode(`proofhub/test/verify/validator/${i}`)));
    this.keys = this.seeds.map((seed) => publicKeyFromSeed(seed));
    const name = options.name ?? 'test-chain';
    this.genesis = {
      chain_id: name,
      created_at: '2026-11-23T18:00:00.000Z',
      validators: this.keys.map((key, index) => ({ index, public_key: bytesToHex(key), host: '127.0.0.1', port: 7000 + index })),
    };
    this.#chainId = hashBytes(utf8Encode(canonicalizeJson(this.genesis)));
    this.genesisHash = bytesToHex(this.#chainId);
    this.validatorSet = {
      chain_id: name,
      genesis_hash: this.genesisHash,
      validators: this.keys.map((key, index) => ({ index, public_key: bytesToHex(key), did: publicKeyToDidKey(key) })),
      genesis: this.genesis,
    };
    const f = Math.floor((n - 1) / 3);
    this.#signers = options.signers ?? Array.from({ length: n - f }, (_, i) => i);
  }

  get size(): number {
    return this.#leaves.length;
  }

  get heads(): readonly CertifiedHeadWire[] {
    return this.#heads;
  }

  /** Appends the proofs' leaves (SHA-256(0x00 ‖ id ‖ sig)) in order; a proof already in the log is skipped. */
  append(proofs: readonly { readonly id: string; readonly sig: string }[]): void {
    for (const proof of proofs) {
      if (this.#indexById.has(proof.id)) continue;
      this.#indexById.set(proof.id, this.#leaves.length);
      this.#leaves.push(leafHash(hexToBytes(proof.id), base64urlToBytes(proof.sig)));
    }
  }

  /** Commits a block naming the current tree head and returns its certified head. */
  certify(): CertifiedHeadWire {
    const height = this.#heads.length + 1;
    const header: BlockHeader = {
      chainId: this.#chainId,
      height,
      view: height * 2,
      parent: this.#parent,
      logSize: this.#leaves.length,
      logRoot: unwrap(rootOf(this.#leaves)),
      validatorSetHash: validatorSetHash(this.keys),
      payloadHash: hashBytes(utf8Encode(`payload/${height}`)),
    };
    const committed = headerHash(header);
    const child = hashBytes(utf8Encode(`child/${height}`));
    const view = header.view + 1;
    const message = voteMessage(this.#chainId, view, child, committed);
    const qc = { view, blockHash: child, committedHash: committed, signers: this.#signers, signatures: this.#signers.map((i) => signEd25519(this.seeds[i] as Uint8Array, message)) };
    this.#parent = committed;
    const head: CertifiedHeadWire = {
      height,
      block_hash: bytesToHex(committed),
      tree_size: header.logSize,
      root: bytesToHex(header.logRoot),
      certificate: { header: blockHeaderToJson(header), qc: quorumCertToJson(qc) },
    };
    this.#heads.push(head);
    return head;
  }

  /** The anchor of a logged proof against a certified head (default: the latest). */
  anchor(id: string, head: CertifiedHeadWire | undefined = this.#heads.at(-1)): AnchorWire {
    const index = this.#indexById.get(id);
    if (index === undefined || head === undefined || index >= head.tree_size) throw new Error(`proof ${id} is not under that head`);
    const proof = unwrap(inclusionProof(this.#leaves, index, head.tree_size));
    const first = this.#heads.find((h) => h.tree_size > index) ?? head;
    return {
      block_height: first.height,
      leaf_index: index,
      tree_size: head.tree_size,
      root: head.root,
      inclusion: { index, size: head.tree_size, root: head.root, path: proof.path.map(bytesToHex) },
      certificate: head.certificate,
    };
  }

  consistency(from: number, to: number): ConsistencyProofJson {
    const proof = unwrap(consistencyProof(this.#leaves, from, to));
    return { from, to, path: proof.path.map(bytesToHex) };
  }
}


export interface ThreadFixtureItem {
  proof: SignedProof;
  content?: Content | null;
  anchor?: AnchorWire | null;
}

export interface ThreadFixture {
  readonly chain: TestChain;
  readonly items: ThreadFixtureItem[];
  readonly identities: SignedProof[];
  readonly heads: CertifiedHeadWire[];
  readonly consistency: ConsistencyProofJson[];
  readonly rootId: string;
}

function saltOf(n: number): Uint8Array {
  const salt = new Uint8Array(16);
  salt[0] = n & 0xff;
  salt[1] = (n >>> 8) & 0xff;
  salt[15] = 0x77;
  return salt;
}

/**
 * A thread of `replies` replies (and a few reactions) by `authors` issuers, one of whom rotated
 * its key before replying, logged and certified in two heads (the first covering the identities
 * and the post, the second everything), with every item anchored to one of them and the
 * consistency proof between the heads.
 */
export async function createThreadFixture(options: { replies?: number; authors?: number; hub?: string } = {}): Promise<ThreadFixture> {
  const hub = options.hub ?? 'test-hub';
  const replies = options.replies ?? 6;
  const writers = Array.from({ length: Math.max(1, options.authors ?? 3) }, (_, i) => new ProofWriter(createTestKey(100 + i), { hub }));
  const identities: SignedProof[] = [];
  for (const [i, writer] of writers.entries()) identities.push(await writer.identity(`Author ${i}`));
  const rotating = writers[1];
  if (rotating !== undefined) identities.push(await rotating.rotate(createTestKey(900)));

  const items: ThreadFixtureItem[] = [];
  const postContent = unwrap(createContent({ title: 'A thread', body: 'The first post' }, saltOf(0)));
  const first = writers[0] as ProofWriter;
  const post = await first.write('post', { content_digest: digestContent(postContent), visibility: 'public' });
  items.push({ proof: post, content: postContent });
  const posts: string[] = [post.id];
  const chain = new TestChain();
  chain.append(identities);
  chain.append([post]);
  const head1 = chain.certify();

  for (let i = 0; i < replies; i++) {
    const writer = writers[(i + 1) % writers.length] as ProofWriter;
    const content = unwrap(createContent({ body: `Reply ${i}` }, saltOf(i + 1)));
    const parent = posts[Math.floor(i / 2)] ?? post.id;
    const reply = await writer.write('reply', { parent, root: post.id, content_digest: digestContent(content) });
    items.push({ proof: reply, content });
    posts.push(reply.id);
    if (i % 3 === 2) {
      const reaction = await (writers[i % writers.length] as ProofWriter).write('reaction', { target: reply.id, kind: 'like' });
      items.push({ proof: reaction });
    }
  }
  chain.append(items.map((item) => item.proof));
  const head2 = chain.certify();
  for (const item of items) item.anchor = chain.anchor(item.proof.id, item.proof.id === post.id ? head1 : head2);
  return { chain, items, identities, heads: [head1, head2], consistency: [chain.consistency(head1.tree_size, head2.tree_size)], rootId: post.id };
}

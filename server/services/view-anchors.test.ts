// Thread views carry each verified item's anchor, reassembled from the stored rows (anchor + the
// head it names) so that a light client accepts it: the test stores anchors built by a real
// certified log (lib/verify/testing.ts) and checks what GET /api/v1/threads/:id would answer with
// lib/verify verifyAnchor against the pinned genesis set.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nobleVerifier } from '@/lib/crypto/ed25519';
import { bytesToHex } from '@/lib/bytes';
import { leafHash } from '@/lib/merkle/hashing';
import { base64urlToBytes, hexToBytes } from '@/lib/bytes';
import type { AnchorWire, CertifiedHeadWire } from '@/lib/protocol/chain';
import { verifyAnchor } from '@/lib/verify/anchor';
import { TestChain } from '@/lib/verify/testing';
import { verifyValidatorSet } from '@/lib/verify/validator-set';
import { LogMirror } from '../chain/log-mirror';
import { createContext } from '../context';
import type { AppContext } from '../context';
import { createTestDatabase } from '../testing/database';
import type { TestDatabase } from '../testing/database';
import { TestIdentity } from '../testing/identities';
import type { SignedWithContent } from '../testing/identities';
import { ANONYMOUS, getThread } from './threads';

let testDb: TestDatabase;
let ctx: AppContext;

beforeAll(async () => {
  testDb = await createTestDatabase();
  ctx = await createContext({ database: testDb.db, secret: 'x'.repeat(32) });
});

afterAll(async () => {
  await testDb.destroy();
});

async function storeHead(head: CertifiedHeadWire): Promise<void> {
  await ctx.prisma.chainHead.create({
    data: {
      height: BigInt(head.height),
      blockHash: head.block_hash,
      treeSize: BigInt(head.tree_size),
      root: head.root,
      header: head.certificate.header,
      qc: head.certificate.qc,
      source: 'test',
    },
  });
}

async function storeAnchor(proof: { id: string; sig: string }, anchor: Partial<AnchorWire> & { head_height: number | null }): Promise<void> {
  const fields = {
    leafIndex: anchor.leaf_index === undefined ? null : BigInt(anchor.leaf_index),
    blockHeight: anchor.block_height === undefined ? null : BigInt(anchor.block_height),
    headHeight: anchor.head_height === null ? null : BigInt(anchor.head_height),
    inclusion: anchor.inclusion ?? undefined,
  };
  const leaf = bytesToHex(leafHash(hexToBytes(proof.id), base64urlToBytes(proof.sig)));
  await ctx.prisma.proofAnchor.upsert({ where: { proofId: proof.id }, create: { proofId: proof.id, leafHash: leaf, pub: 'test', ...fields }, update: fields });
}

describe('thread view anchors', () => {
  it('give each verified item an anchor a light client accepts, and none to the others', async () => {
    const ada = new TestIdentity();
    const identity = await ada.identity('Ada');
    const signup = await ctx.users.signup({ username: 'ada', password: 'correct horse battery', identity }, 'test');
    if (!signup.ok) throw new Error(signup.error.message);
    const submit = async (item: SignedWithContent) => {
      const result = await ctx.ingest.submit(item, signup.value.id);
      if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
    };
    const post = await ada.post('public', { title: 'Anchored', body: 'root' });
    await submit(post);
    const early = await ada.reply('public', post.proof, 'under the first head');
    await submit(early);
    const later = await ada.reply('public', post.proof, 'under the second head');
    await submit(later);
    const pending = await ada.reply('public', post.proof, 'not anchored yet');
    await submit(pending);
    const orphan = await ada.reply('public', post.proof, 'names a head the hub does not hold');
    await submit(orphan);

    // The log as the validators would hold it; two certified heads.
    const chain = new TestChain();
    chain.append([identity, post.proof, early.proof]);
    const head1 = chain.certify();
    chain.append([later.proof, pending.proof, orphan.proof]);
    const head2 = chain.certify();
    await storeHead(head1);
    await storeHead(head2);
    const anchorOf = (id: string, head: CertifiedHeadWire) => chain.anchor(id, head);
    await storeAnchor(post.proof, { ...anchorOf(post.proof.id, head1), head_height: head1.height });
    await storeAnchor(early.proof, { ...anchorOf(early.proof.id, head2), head_height: head2.height });
    await storeAnchor(later.proof, { ...anchorOf(later.proof.id, head2), head_height: head2.height });
    await storeAnchor(pending.proof, { head_height: null });
    await storeAnchor(orphan.proof, { ...anchorOf(orphan.proof.id, head2), head_height: 99 });

    const thread = await getThread(ctx.prisma, post.proof.id, ANONYMOUS);
    if (!thread.ok) throw new Error(thread.error.message);
    const byId = new Map([thread.value.root, ...thread.value.replies].map((item) => [item.proof.id, item.view.anchor]));
    expect(byId.get(post.proof.id)).toEqual(anchorOf(post.proof.id, head1));
    expect(byId.get(early.proof.id)).toEqual(anchorOf(early.proof.id, head2));
    expect(byId.get(later.proof.id)).toEqual(anchorOf(later.proof.id, head2));
    expect(byId.get(pending.proof.id)).toBeUndefined();
    expect(byId.get(orphan.proof.id)).toBeUndefined();

    // What the browser does with them: each checks against the pinned genesis set, and an anchor
    // moved onto another item does not.
    const pinned = verifyValidatorSet(chain.validatorSet);
    if (!pinned.ok) throw new Error(pinned.error.message);
    for (const item of [post, early, later]) expect(verifyAnchor(item.proof, byId.get(item.proof.id), pinned.value, nobleVerifier).ok).toBe(true);
    const swapped = verifyAnchor(later.proof, byId.get(early.proof.id), pinned.value, nobleVerifier);
    expect(swapped.ok ? null : swapped.error.code).toBe('inclusion_invalid');

    // With the hub's log mirror (as GET /api/v1/threads/:id is served by a hub with validators),
    // every verified item is anchored to the newest certified head: one certificate for the whole
    // thread, the same leaf and block as its first anchor, and the browser accepts each.
    const leaves = [identity, post.proof, early.proof, later.proof, pending.proof, orphan.proof];
    const mirror = new LogMirror(ctx.prisma);
    const mismatched = await getThread(ctx.prisma, post.proof.id, ANONYMOUS, mirror);
    if (!mismatched.ok) throw new Error(mismatched.error.message);
    // No leaves stored yet: the mirror cannot give head2's root, so the first anchors are served.
    expect([mismatched.value.root, ...mismatched.value.replies].map((item) => item.view.anchor)).toEqual([thread.value.root, ...thread.value.replies].map((item) => item.view.anchor));
    await ctx.prisma.chainLeaf.createMany({
      data: leaves.map((proof, index) => ({ leafIndex: BigInt(index), leafHash: bytesToHex(leafHash(hexToBytes(proof.id), base64urlToBytes(proof.sig))), blockHeight: BigInt(index < 3 ? head1.height : head2.height) })),
    });
    const newest = await getThread(ctx.prisma, post.proof.id, ANONYMOUS, mirror);
    if (!newest.ok) throw new Error(newest.error.message);
    const atNewest = new Map([newest.value.root, ...newest.value.replies].map((item) => [item.proof.id, item.view.anchor]));
    for (const item of [post, early, later]) {
      const anchor = atNewest.get(item.proof.id);
      const first = byId.get(item.proof.id);
      expect(anchor).toMatchObject({ tree_size: head2.tree_size, root: head2.root, leaf_index: first?.leaf_index, block_height: first?.block_height });
      expect(anchor?.certificate).toEqual(head2.certificate);
      expect(verifyAnchor(item.proof, anchor, pinned.value, nobleVerifier).ok).toBe(true);
    }
    expect(atNewest.get(post.proof.id)).not.toEqual(byId.get(post.proof.id)); // it was under head1
    expect(atNewest.get(pending.proof.id)).toBeUndefined(); // not verified: no anchor either way
  }, 120_000); // a sign-up (argon2) and five ingests on a shared 2-core machine
});

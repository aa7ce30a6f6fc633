// The ledger on a real LevelDB store: committed leaves are found by proof id and by leaf hash,
// from memory, right after a commit and after a reopen; a store written in the layout before
// session 9 (32-byte leaf entries, `id/<hex>` index keys) opens with the same answers, and one whose
// leaf has no id anywhere is refused as corrupt.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClassicLevel } from 'classic-level';
import { afterEach, describe, expect, it } from 'vitest';
import { hexToBytes } from '@/lib/bytes';
import { type Block, blockHash, leafHashOf, type LogLeaf, type QuorumCert, validatorSetHash } from '@/lib/consensus';
import { MerkleLog } from '@/lib/merkle';
import { nodeHasher } from '@/server/crypto/sha256-node';
import { makeSignedLeaves } from './client';
import { hexOf } from './hex';
import { Ledger } from './ledger';
import { StoreError, ValidatorStore } from './store';

const genesis = { hash: 'aa'.repeat(32), chainId: 'ledger-test' };
const identity = { chainId: new Uint8Array(32).fill(1), setHash: validatorSetHash([new Uint8Array(32).fill(2)]) };
const genesisHash = new Uint8Array(32).fill(3);
const dirs: string[] = [];
afterEach(async () => {
  while (dirs.length > 0) await rm(dirs.pop() as string, { recursive: true, force: true });
});

function signedLeaves(count: number): LogLeaf[] {
  return makeSignedLeaves(count).map((leaf) => ({ publicKey: hexToBytes(leaf.pub), id: hexToBytes(leaf.id), sig: hexToBytes(leaf.sig) }));
}

/** Two committed blocks of 3 and 4 leaves over the genesis, with the commit certificate of the second. */
function chain(): { blocks: Block[]; hashes: Uint8Array[]; certificate: QuorumCert; leaves: LogLeaf[] } {
  const log = new MerkleLog({ hasher: nodeHasher });
  const blocks: Block[] = [];
  const hashes: Uint8Array[] = [];
  const leaves: LogLeaf[] = [];
  let parent: Uint8Array = genesisHash;
  for (const [height, count] of [[1, 3], [2, 4]] as const) {
    const batch = signedLeaves(count);
    for (const leaf of batch) log.append(leafHashOf(leaf, nodeHasher));
    leaves.push(...batch);
    const justify: QuorumCert = { view: height - 1, blockHash: parent, committedHash: new Uint8Array(32), signers: [], signatures: [] };
    const block: Block = { height, view: height, parent, leaves: batch, treeHead: { size: log.size, root: log.root() }, justify };
    blocks.push(block);
    parent = blockHash(block, identity.chainId, identity.setHash);
    hashes.push(parent);
  }
  const certificate: QuorumCert = { view: 3, blockHash: parent, committedHash: new Uint8Array(32), signers: [], signatures: [] };
  return { blocks, hashes, certificate, leaves };
}

async function committedStore(): Promise<{ dir: string; leaves: LogLeaf[] }> {
  const dir = await mkdtemp(join(tmpdir(), 'proofhub-ledger-'));
  dirs.push(dir);
  const store = await ValidatorStore.open(dir, genesis);
  const ledger = await Ledger.open(store, identity, nodeHasher, genesisHash);
  const { blocks, hashes, certificate, leaves } = chain();
  ledger.apply(blocks, hashes, certificate);
  // Answered from memory as soon as the commit is applied, before it is on disk.
  expectLookups(ledger, leaves);
  await ledger.flush();
  await store.close();
  return { dir, leaves };
}

function expectLookups(ledger: Ledger, leaves: readonly LogLeaf[]): void {
  leaves.forEach((leaf, index) => {
    expect(ledger.isCommittedId(leaf.id)).toBe(true);
    expect(ledger.indexOfProofId(leaf.id)).toBe(index);
    expect(ledger.indexOfLeafHash(leafHashOf(leaf, nodeHasher))).toBe(index);
  });
  const stranger = signedLeaves(1)[0] as LogLeaf;
  expect(ledger.isCommittedId(stranger.id)).toBe(false);
  expect(ledger.indexOfLeafHash(leafHashOf(stranger, nodeHasher))).toBeUndefined();
  expect(ledger.committedIdCount).toBe(leaves.length);
}

async function reopen(dir: string): Promise<{ ledger: Ledger; close: () => Promise<void> }> {
  const store = await ValidatorStore.open(dir, genesis);
  try {
    return { ledger: await Ledger.open(store, identity, nodeHasher, genesisHash), close: () => store.close() };
  } catch (error) {
    await store.close();
    throw error;
  }
}

/** Rewrites a store into the layout before session 9: 32-byte leaf entries and `id/<hex>` keys. */
async function toLegacyLayout(dir: string, leaves: readonly LogLeaf[], skipId?: number): Promise<void> {
  const db = new ClassicLevel<string, Uint8Array>(dir, { keyEncoding: 'utf8', valueEncoding: 'view' });
  await db.open();
  const batch = db.batch();
  for await (const [key, value] of db.iterator({ gte: 'leaf/', lt: 'leaf0' })) {
    expect(value.length).toBe(64);
    batch.put(key, value.slice(0, 32));
  }
  leaves.forEach((leaf, index) => {
    if (index !== skipId) batch.put(`id/${hexOf(leaf.id)}`, new TextEncoder().encode(String(index)));
  });
  await batch.write();
  await db.close();
}

describe('Ledger lookups', () => {
  it('finds committed leaves by proof id and leaf hash, live and after a reopen', async () => {
    const { dir, leaves } = await committedStore();
    const { ledger, close } = await reopen(dir);
    expect(ledger.height).toBe(2);
    expectLookups(ledger, leaves);
    await close();
  });

  it('opens a store written in the layout before session 9 with the same answers', async () => {
    const { dir, leaves } = await committedStore();
    await toLegacyLayout(dir, leaves);
    const { ledger, close } = await reopen(dir);
    expectLookups(ledger, leaves);
    await close();
  });

  it('refuses a store whose leaf has no proof id in either layout', async () => {
    const { dir, leaves } = await committedStore();
    await toLegacyLayout(dir, leaves, 5);
    await expect(reopen(dir)).rejects.toThrow(StoreError);
    await expect(reopen(dir)).rejects.toThrow(/leaf 5 has no proof id/);
  });
});

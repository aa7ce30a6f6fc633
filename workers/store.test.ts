// The LevelDB store on a real directory: the safety record survives reopen, a torn or missing
// record is reported as such (never silently accepted), committed blocks and leaf indexes persist,
// and a data directory refuses to serve another genesis.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { bytesToHex, utf8Encode } from '@/lib/bytes';
import { StoreError, ValidatorStore } from './store';

const genesis = { hash: 'aa'.repeat(32), chainId: 'store-test' };
const dirs: string[] = [];
afterEach(async () => {
  while (dirs.length > 0) await rm(dirs.pop() as string, { recursive: true, force: true });
});

async function freshDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'proofhub-store-'));
  dirs.push(dir);
  return dir;
}

describe('ValidatorStore', () => {
  it('keeps the safety record across reopen and reports a fresh store', async () => {
    const dir = await freshDir();
    const store = await ValidatorStore.open(dir, genesis);
    expect(store.fresh).toBe(true);
    expect(await store.readSafety()).toEqual({ status: 'missing' });
    await store.writeSafety({ last_voted_view: 7 }, [{ height: 3, hash: 'bb'.repeat(32), bytes: utf8Encode('b3') }]);
    await store.close();
    const reopened = await ValidatorStore.open(dir, genesis);
    expect(reopened.fresh).toBe(false);
    expect(await reopened.readSafety()).toEqual({ status: 'ok', record: { last_voted_view: 7 } });
    expect(await reopened.readPendingBlocks(2)).toEqual([utf8Encode('b3')]);
    expect(await reopened.readPendingBlocks(3)).toEqual([]);
    await reopened.close();
  });

  it('reports a torn, tampered or deleted safety record instead of using it', async () => {
    const dir = await freshDir();
    const store = await ValidatorStore.open(dir, genesis);
    await store.writeSafety({ last_voted_view: 9 });
    await store.writeRawSafety(utf8Encode('PHS1 torn'));
    expect((await store.readSafety()).status).toBe('damaged');
    await store.writeSafety({ last_voted_view: 9 });
    const good = await store.readSafety();
    expect(good.status).toBe('ok');
    // A deleted record reads as missing, not as a fresh start.
    await store.writeRawSafety(null);
    expect(await store.readSafety()).toEqual({ status: 'missing' });
    await store.writeSafety({ last_voted_view: 10 });
    await store.close();
    const reopened = await ValidatorStore.open(dir, genesis);
    expect(await reopened.readSafety()).toEqual({ status: 'ok', record: { last_voted_view: 10 } });
    await reopened.close();
  });

  it('detects a flipped bit under the checksum', async () => {
    const dir = await freshDir();
    const store = await ValidatorStore.open(dir, genesis);
    const json = utf8Encode(JSON.stringify({ last_voted_view: 11 }));
    await store.writeSafety({ last_voted_view: 11 });
    // Same layout as writeSafety with one JSON byte changed after checksumming.
    const { sha256 } = await import('@/lib/crypto/sha256');
    const record = new Uint8Array(4 + 32 + json.length);
    record.set(utf8Encode('PHS1'), 0);
    record.set(sha256(json), 4);
    const tampered = json.slice();
    tampered[tampered.length - 2] = 0x32; // 11 → 12
    record.set(tampered, 36);
    await store.writeRawSafety(record);
    expect(await store.readSafety()).toEqual({ status: 'damaged', reason: 'checksum mismatch' });
    await store.close();
  });

  it('stores committed blocks and leaf indexes, and prunes pending copies at committed heights', async () => {
    const dir = await freshDir();
    const store = await ValidatorStore.open(dir, genesis);
    await store.writeSafety({}, [
      { height: 1, hash: '01'.repeat(32), bytes: utf8Encode('p1') },
      { height: 2, hash: '02'.repeat(32), bytes: utf8Encode('p2') },
    ]);
    const leaf = new Uint8Array(32).fill(7);
    const id = new Uint8Array(32).fill(9);
    await store.appendCommitted([{ height: 1, hash: '01'.repeat(32), json: '{"h":1}', firstLeafIndex: 0, leafHashes: [leaf], leafIds: [id] }]);
    expect(await store.readHead()).toEqual({ height: 1, hash: '01'.repeat(32) });
    expect(await store.readBlockJson(1)).toBe('{"h":1}');
    expect(await store.heightOfHash('01'.repeat(32))).toBe(1);
    expect(await store.readPendingBlocks(0)).toEqual([utf8Encode('p2')]);
    const leaves = [];
    for await (const stored of store.leaves()) leaves.push({ hash: bytesToHex(stored.hash), id: stored.id && bytesToHex(stored.id) });
    expect(leaves).toEqual([{ hash: bytesToHex(leaf), id: bytesToHex(id) }]);
    expect(await store.readBlocksFrom(1, 10)).toEqual(['{"h":1}']);
    await store.close();
    // Pending copies written by an earlier run are pruned by a commit of this one.
    const reopened = await ValidatorStore.open(dir, genesis);
    await reopened.appendCommitted([{ height: 2, hash: '02'.repeat(32), json: '{"h":2}', firstLeafIndex: 1, leafHashes: [], leafIds: [] }]);
    expect(await reopened.readPendingBlocks(0)).toEqual([]);
    await reopened.close();
  });

  it('refuses a data directory made for another genesis', async () => {
    const dir = await freshDir();
    await (await ValidatorStore.open(dir, genesis)).close();
    await expect(ValidatorStore.open(dir, { hash: 'cc'.repeat(32), chainId: 'other' })).rejects.toBeInstanceOf(StoreError);
  });
});

import { describe, expect, it } from 'vitest';
import { nobleVerifier } from '@/lib/crypto/ed25519';
import { bytesToBase64url, bytesToHex } from '@/lib/bytes';
import { CertificateVerifier } from '@/lib/verify/certificates';
import { verifyValidatorSet } from '@/lib/verify/validator-set';
import type { ApiResult } from '../api/client';
import type { ConsistencyResponseWire } from '@/lib/protocol/chain';
import { createChainFixture } from '../proofs/testing/chain-fixture';
import type { ChainFixture } from '../proofs/testing/chain-fixture';
import { HeadHistory } from './head-history';
import type { KeyValueStorage } from './head-history';

function fakeLeaves(count: number, salt: number): { id: string; sig: string }[] {
  return Array.from({ length: count }, (_, i) => ({
    id: bytesToHex(new Uint8Array(32).fill((i * 7 + salt) % 256)),
    sig: bytesToBase64url(new Uint8Array(64).fill((i + salt) % 256)),
  }));
}

class MemoryStorage implements KeyValueStorage {
  readonly values = new Map<string, string>();
  getItem(key: string): string | null {
    return this.values.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.values.set(key, value);
  }
}

function history(chain: ChainFixture, storage: KeyValueStorage, server: ChainFixture = chain): HeadHistory {
  const pinned = verifyValidatorSet(chain.validatorSet);
  if (!pinned.ok) throw new Error(pinned.error.message);
  return new HeadHistory({
    genesisHash: pinned.value.genesisHash,
    storage,
    certificates: new CertificateVerifier(pinned.value, nobleVerifier),
    consistency: (from, to): Promise<ApiResult<ConsistencyResponseWire>> => Promise.resolve({ ok: true, value: server.consistency(from, to) }),
  });
}

describe('HeadHistory', () => {
  it('keeps heads that extend each other, across page loads (storage)', async () => {
    const chain = createChainFixture(fakeLeaves(12, 1));
    const storage = new MemoryStorage();
    expect((await history(chain, storage).check(chain.head(5))).kind).toBe('ok');
    expect((await history(chain, storage).check(chain.head(9))).kind).toBe('ok');
    // An older head that is a prefix of what was seen is fine too.
    expect((await history(chain, storage).check(chain.head(7))).kind).toBe('ok');
    expect(history(chain, storage).seen().map((head) => head.tree_size)).toEqual([5, 7, 9]);
  });

  it('alerts on a rollback: a smaller tree that is not a prefix of what was seen', async () => {
    const honest = createChainFixture(fakeLeaves(12, 1));
    const storage = new MemoryStorage();
    await history(honest, storage).check(honest.head(10));
    // Same validators (same genesis), but the hub rewrote the log after leaf 3 and serves proofs from the rewrite.
    const rewritten = createChainFixture([...fakeLeaves(3, 1), ...fakeLeaves(9, 99)]);
    const verdict = await history(honest, storage, rewritten).check(rewritten.head(6));
    expect(verdict).toMatchObject({ kind: 'alert', code: 'rollback' });
    expect(history(honest, storage).seen().map((head) => head.tree_size)).toEqual([10]);
  });

  it('alerts on a fork: the same size with another root, or a larger tree that does not extend', async () => {
    const honest = createChainFixture(fakeLeaves(12, 1));
    const fork = createChainFixture([...fakeLeaves(4, 1), ...fakeLeaves(8, 50)]);
    const storage = new MemoryStorage();
    await history(honest, storage).check(honest.head(8));
    expect(await history(honest, storage, fork).check(fork.head(8))).toMatchObject({ kind: 'alert', code: 'fork' });
    expect(await history(honest, storage, fork).check(fork.head(11))).toMatchObject({ kind: 'alert', code: 'fork' });
  });

  it('alerts on a head whose certificate does not check, and waits when the proof cannot be fetched', async () => {
    const chain = createChainFixture(fakeLeaves(6, 3));
    const storage = new MemoryStorage();
    const weak = chain.head(4, [0, 1]);
    expect(await history(chain, storage).check(weak)).toMatchObject({ kind: 'alert', code: 'invalid_certificate' });
    const lying = { ...chain.head(4), tree_size: 5 };
    expect(await history(chain, storage).check(lying)).toMatchObject({ kind: 'alert', code: 'certificate_head_mismatch' });

    await history(chain, storage).check(chain.head(3));
    const pinned = verifyValidatorSet(chain.validatorSet);
    if (!pinned.ok) throw new Error(pinned.error.message);
    const offline = new HeadHistory({
      genesisHash: pinned.value.genesisHash,
      storage,
      certificates: new CertificateVerifier(pinned.value, nobleVerifier),
      consistency: () => Promise.resolve({ ok: false, error: { code: 'network_error', message: 'down', status: 0 } }),
    });
    expect((await offline.check(chain.head(6))).kind).toBe('unavailable');
    expect(offline.seen().map((head) => head.tree_size)).toEqual([3]);
  });
});

import { describe, expect, it } from 'vitest';
import { createSeedSigner } from '@/lib/crypto/keys';
import { publicKeyToDidKey } from '@/lib/crypto/did-key';
import { nobleVerifier } from '@/lib/crypto/ed25519';
import { buildUnsignedProof, signProof, verifyProof } from '@/lib/proof/proof';
import type { ApiResult } from '../api/client';
import type { ProofAnchorAnswer, ValidatorsAnswer } from '../chain/chain-client';
import { AnchorChecker } from './anchor-check';
import type { BrowserChecked } from './badge-state';
import { CheckUnavailableError } from './check-proof';
import { ChainPin } from './pinned-chain';
import { ProofStatusStore } from './proof-status';
import { createChainFixture } from './testing/chain-fixture';

async function checkedProofs(count: number): Promise<BrowserChecked[]> {
  const signer = createSeedSigner(new Uint8Array(32).fill(9));
  const issuer = publicKeyToDidKey(signer.publicKey);
  const out: BrowserChecked[] = [];
  let prev: string | null = null;
  for (let seq = 1; seq <= count; seq++) {
    const built = buildUnsignedProof(
      seq === 1
        ? { type: 'identity', hub: 'public', issuer, seq, prev, created_at: '2026-01-01T00:00:00.000Z', claim: { name: 'A' } }
        : { type: 'reaction', hub: 'public', issuer, seq, prev, created_at: '2026-01-01T00:00:00.000Z', claim: { target: 'a'.repeat(64), kind: 'like' } },
    );
    if (!built.ok) throw new Error(built.error.message);
    const verified = verifyProof(await signProof(built.value, signer), nobleVerifier);
    if (!verified.ok) throw new Error(verified.error.message);
    out.push({ proof: verified.value, contentPurged: false } as BrowserChecked);
    prev = verified.value.id;
  }
  return out;
}

const answer = (set: ValidatorsAnswer['set']): Promise<ApiResult<ValidatorsAnswer>> => Promise.resolve({ ok: true, value: { set, liveness: [] } });
const noFetch = (): Promise<ApiResult<ProofAnchorAnswer>> => Promise.reject(new Error('not expected'));

describe('AnchorChecker', () => {
  it('turns verified only after checking the certificate quorum and the inclusion path itself', async () => {
    const proofs = await checkedProofs(5);
    const chain = createChainFixture(proofs.map((p) => p.proof));
    const checker = new AnchorChecker(new ChainPin(() => answer(chain.validatorSet)), noFetch);
    const badge = await checker.badge(proofs[3] as BrowserChecked, { status: 'verified', anchor: chain.anchor(3) });
    expect(badge.state).toBe('verified');
    if (badge.state !== 'verified') return;
    expect(badge.anchor.leafIndex).toBe(3);
    expect(badge.anchor.treeSize).toBe(5);
    expect(badge.anchor.signers).toEqual([0, 1, 2]);
    expect(badge.anchor.wire?.inclusion.path.length).toBeGreaterThan(0);
  });

  it('says anchored, not verified, while the hub has no complete anchor', async () => {
    const proofs = await checkedProofs(1);
    const chain = createChainFixture(proofs.map((p) => p.proof));
    const checker = new AnchorChecker(new ChainPin(() => answer(chain.validatorSet)), noFetch);
    expect((await checker.badge(proofs[0] as BrowserChecked, { status: 'anchored', anchor: { block_height: 4 } })).state).toBe('anchored');
    expect((await checker.badge(proofs[0] as BrowserChecked, { status: 'signed' })).state).toBe('signed');
    expect((await checker.badge(proofs[0] as BrowserChecked, undefined)).state).toBe('signed');
  });

  it('fetches the anchor when the hub says verified without one, and retries a failed fetch', async () => {
    const proofs = await checkedProofs(3);
    const chain = createChainFixture(proofs.map((p) => p.proof));
    let calls = 0;
    const fetchAnchor = (): Promise<ApiResult<ProofAnchorAnswer>> => {
      calls += 1;
      return Promise.resolve(
        calls === 1 ? { ok: false, error: { code: 'network_error', message: 'down', status: 0 } } : { ok: true, value: { status: 'verified', anchor: chain.anchor(1) } },
      );
    };
    const checker = new AnchorChecker(new ChainPin(() => answer(chain.validatorSet)), fetchAnchor);
    await expect(checker.badge(proofs[1] as BrowserChecked, { status: 'verified' })).rejects.toBeInstanceOf(CheckUnavailableError);
    expect((await checker.badge(proofs[1] as BrowserChecked, { status: 'verified' })).state).toBe('verified');
  });

  it('shows invalid with the reason for a changed path, a short quorum, another proof and a forged validator set', async () => {
    const proofs = await checkedProofs(4);
    const chain = createChainFixture(proofs.map((p) => p.proof));
    const checker = new AnchorChecker(new ChainPin(() => answer(chain.validatorSet)), noFetch);
    const target = proofs[2] as BrowserChecked;

    const good = chain.anchor(2);
    const flipped = good.inclusion.path[0] as string;
    const badPath = { ...good, inclusion: { ...good.inclusion, path: [`${flipped[0] === '0' ? '1' : '0'}${flipped.slice(1)}`, ...good.inclusion.path.slice(1)] } };
    const bad = await checker.badge(target, { status: 'verified', anchor: badPath });
    expect(bad).toMatchObject({ state: 'invalid', reason: { code: 'inclusion_invalid' } });

    const short = await checker.badge(target, { status: 'verified', anchor: chain.anchor(2, 4, [0, 1]) });
    expect(short).toMatchObject({ state: 'invalid', reason: { code: 'invalid_certificate' } });

    const other = await checker.badge(target, { status: 'verified', anchor: chain.anchor(1) });
    expect(other).toMatchObject({ state: 'invalid', reason: { code: 'inclusion_invalid' } });

    // A hub that swaps in keys of its own: the genesis file it carries no longer hashes to its id.
    const forged = createChainFixture(proofs.map((p) => p.proof), { chainName: 'forged' });
    const mixed = { ...chain.validatorSet, validators: forged.validatorSet.validators };
    const forgedChecker = new AnchorChecker(new ChainPin(() => answer(mixed)), noFetch);
    const forgedBadge = await forgedChecker.badge(target, { status: 'verified', anchor: forged.anchor(2) });
    expect(forgedBadge).toMatchObject({ state: 'invalid', reason: { code: 'validator_set_mismatch' } });

    // A certificate from another chain against this page's pin.
    const wrongChain = await checker.badge(target, { status: 'verified', anchor: forged.anchor(2) });
    expect(wrongChain).toMatchObject({ state: 'invalid', reason: { code: 'invalid_certificate' } });
  });

  it('checks a thread of anchors from its view without a request each, one certificate per head', async () => {
    const proofs = await checkedProofs(24);
    const chain = createChainFixture(proofs.map((p) => p.proof));
    const pin = new ChainPin(() => answer(chain.validatorSet));
    const checker = new AnchorChecker(pin, noFetch);
    // As a thread view carries them: each item's anchor parsed from its own JSON (no shared objects).
    const badges = await Promise.all(proofs.map((proof, i) => checker.badge(proof, { status: 'verified', anchor: JSON.parse(JSON.stringify(chain.anchor(i))) as unknown })));
    expect(badges.map((badge) => badge.state)).toEqual(proofs.map(() => 'verified'));
    const pinned = await pin.get();
    expect(pinned.ok && pinned.pinned.certificates.checkedCount).toBe(1);
    // Under an older head too: a second certificate, checked once, and still every path is checked.
    const older = await Promise.all(proofs.slice(0, 12).map((proof, i) => checker.badge(proof, { status: 'verified', anchor: chain.anchor(i, 12) })));
    expect(older.map((badge) => badge.state)).toEqual(older.map(() => 'verified'));
    expect(pinned.ok && pinned.pinned.certificates.checkedCount).toBe(2);
    const moved = await checker.badge(proofs[13] as BrowserChecked, { status: 'verified', anchor: chain.anchor(12) });
    expect(moved).toMatchObject({ state: 'invalid', reason: { code: 'inclusion_invalid' } });
  });

  it('pins the validator set once per page and retries only when the hub was unreachable', async () => {
    const proofs = await checkedProofs(2);
    const chain = createChainFixture(proofs.map((p) => p.proof));
    let loads = 0;
    const pin = new ChainPin(() => {
      loads += 1;
      return loads === 1 ? Promise.resolve({ ok: false, error: { code: 'network_error', message: 'down', status: 0 } }) : answer(chain.validatorSet);
    });
    await expect(pin.get()).rejects.toThrow('network_error');
    expect((await pin.get()).ok).toBe(true);
    expect((await pin.get()).ok).toBe(true);
    expect(loads).toBe(2);
  });
});

describe('ProofStatusStore', () => {
  it('keeps the highest status and tells listeners of changes only', () => {
    const store = new ProofStatusStore();
    let calls = 0;
    const stop = store.subscribe('p', () => (calls += 1));
    expect(store.record('p', { status: 'anchored', anchor: { block_height: 2 } })).toBe(true);
    expect(store.record('p', { status: 'verified', anchor: { x: 1 } })).toBe(true);
    expect(store.record('p', { status: 'anchored' })).toBe(false);
    expect(store.record('p', { status: 'signed' })).toBe(false);
    expect(store.get('p')?.status).toBe('verified');
    expect(calls).toBe(2);
    stop();
    store.record('p', { status: 'invalid', reason: { code: 'x', message: 'y' } });
    expect(calls).toBe(2);
  });
});

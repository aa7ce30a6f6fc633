// The submitter reads each proof's signing key from the issuer's identity view (one query per
// batch) instead of replaying the identity chain: it must name the same key keyForSeq gives,
// across key rotations, or the validators would refuse the leaf (invalid_signature).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytesToHex } from '@/lib/bytes';
import { keyForSeq } from '@/lib/proof/identity';
import { loadIdentityState } from '../services/identities';
import { startTestHub } from '../testing/hub';
import type { TestHub } from '../testing/hub';
import { keyFromView } from './submitter';

let hub: TestHub;

beforeAll(async () => {
  hub = await startTestHub();
}, 60_000);

afterAll(async () => {
  await hub?.close();
});

describe('keyFromView', () => {
  it('gives the key keyForSeq gives for every seq, before and after two rotations', async () => {
    const user = await hub.signUp('rotator');
    const submit = async (body: unknown) => expect((await hub.fetchJson('/api/v1/proofs', { body, cookie: user.cookie })).status).toBe(201);
    await submit(await user.identity.post('public', { body: 'first key' }));
    await submit({ proof: await user.identity.rotate() });
    await submit(await user.identity.post('public', { body: 'second key' }));
    await submit({ proof: await user.identity.rotate() });
    await submit(await user.identity.post('public', { body: 'third key' }));

    const did = user.identity.did;
    const view = await hub.ctx.prisma.identityView.findUnique({ where: { did }, select: { keys: true, headSeq: true } });
    const state = await loadIdentityState(hub.ctx.prisma, did);
    if (view === null || state === null) throw new Error('no identity');
    const keys = new Set<string>();
    for (let seq = 1; seq <= view.headSeq + 1; seq++) {
      const expected = keyForSeq(state, seq);
      expect(expected).toBeDefined();
      const fromView = keyFromView(view.keys, seq);
      expect(fromView).toBe(bytesToHex(expected as Uint8Array));
      keys.add(fromView as string);
    }
    expect(keys.size).toBe(3);
  }, 60_000);

  it('answers undefined for a table it cannot read, so the submitter replays instead', () => {
    expect(keyFromView(null, 1)).toBeUndefined();
    expect(keyFromView([], 1)).toBeUndefined();
    expect(keyFromView([{ key: 'did:key:zNotAKey', from_seq: 1 }], 1)).toBeUndefined();
    expect(keyFromView([{ key: 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK', from_seq: 5 }], 4)).toBeUndefined();
    expect(keyFromView([{ from_seq: 1 }], 1)).toBeUndefined();
  });
});

import { describe, expect, it } from 'vitest';
import { IDBFactory } from 'fake-indexeddb';
import { nobleVerifier } from '@/lib/crypto/ed25519';
import { checkChainLink } from '@/lib/proof/chain';
import { checkContent } from '@/lib/proof/content';
import type { Content } from '@/lib/proof/content';
import { verifyProof } from '@/lib/proof/proof';
import type { SignedProofWire } from '@/lib/protocol/views';
import type { ApiResult, SubmitResponse } from '../api/client';
import { KeyStore } from '../keys/key-store';
import type { BrowserKey } from '../keys/key-store';
import { sendProof, signIdentityProof, withInTabLock } from './send-proof';
import type { SendEnvironment, SendSource } from './send-proof';

/** A hub that applies the real chain rule to what it is sent. */
class FakeHub implements SendSource {
  readonly stored: { proof: SignedProofWire; content: Content | undefined }[] = [];
  head: { seq: number; id: string } | null = null;
  /** Heads to report instead of the true one (another device signed meanwhile), consumed first. */
  staleHeads: { seq: number; id: string }[] = [];
  refuseWith: { code: string; message: string; status: number } | undefined;
  identity(): Promise<ApiResult<{ head: { seq: number; id: string } }>> {
    return new Promise((resolve) => {
      setTimeout(() => resolve({ ok: true, value: { head: this.staleHeads.shift() ?? { seq: this.head?.seq ?? 0, id: this.head?.id ?? '' } } }), 1);
    });
  }
  submitProof(proof: SignedProofWire, content?: Content): Promise<ApiResult<SubmitResponse>> {
    if (this.refuseWith !== undefined) return Promise.resolve({ ok: false, error: this.refuseWith as never });
    const link = checkChainLink(this.head, proof);
    if (!link.ok) return Promise.resolve({ ok: false, error: { code: link.error.code, message: link.error.message, status: 409 } });
    this.head = link.value;
    this.stored.push({ proof, content });
    return Promise.resolve({ ok: true, value: { id: proof.id, status: 'signed', log_index: this.stored.length, duplicate: false } });
  }
}

const environment: SendEnvironment = {
  now: () => new Date(),
  randomBytes: (length) => crypto.getRandomValues(new Uint8Array(length)),
  withLock: withInTabLock,
};

async function newKeyAndHub(): Promise<{ key: BrowserKey; hub: FakeHub }> {
  const created = await new KeyStore({ indexedDB: new IDBFactory() }).createKey();
  if (!created.ok) throw new Error(created.error.message);
  const key = created.value;
  const identity = await signIdentityProof(key, { name: 'Alice' }, new Date());
  if (!identity.ok) throw new Error(identity.error.message);
  const hub = new FakeHub();
  await hub.submitProof(identity.proof);
  return { key, hub };
}

describe('sendProof', () => {
  it('signs a post at the next seq with content whose digest is in the claim', async () => {
    const { key, hub } = await newKeyAndHub();
    const result = await sendProof(key, { type: 'post', hub: 'public', title: ' Hello ', body: '# hi', visibility: 'public' }, hub, environment);
    expect(result.ok).toBe(true);
    const sent = hub.stored[1];
    expect(sent?.proof.seq).toBe(2);
    expect(sent?.proof.prev).toBe(hub.stored[0]?.proof.id);
    expect(sent?.content).toMatchObject({ title: 'Hello', body: '# hi' });
    const verified = verifyProof(sent?.proof, nobleVerifier);
    expect(verified.ok).toBe(true);
    if (verified.ok) expect(checkContent(verified.value, sent?.content).ok).toBe(true);
  });

  it('serializes concurrent sends so they never share a seq', async () => {
    const { key, hub } = await newKeyAndHub();
    const results = await Promise.all(
      ['one', 'two', 'three'].map((body) => sendProof(key, { type: 'post', hub: 'public', body, visibility: 'public' }, hub, environment)),
    );
    expect(results.every((result) => result.ok)).toBe(true);
    expect(hub.stored.map((entry) => entry.proof.seq)).toEqual([1, 2, 3, 4]);
  });

  it('reports a stale head as the hub refuses it and does not sign again', async () => {
    const { key, hub } = await newKeyAndHub();
    await sendProof(key, { type: 'post', hub: 'public', body: 'first', visibility: 'public' }, hub, environment);
    hub.staleHeads = [{ seq: 1, id: hub.stored[0]?.proof.id ?? '' }];
    const result = await sendProof(key, { type: 'reaction', hub: 'public', target: hub.stored[1]?.proof.id ?? '', kind: 'like', undo: false }, hub, environment);
    expect(result).toMatchObject({ ok: false, error: { code: 'fork' } });
    expect(hub.stored).toHaveLength(2);
    const again = await sendProof(key, { type: 'reaction', hub: 'public', target: hub.stored[1]?.proof.id ?? '', kind: 'like', undo: false }, hub, environment);
    expect(again.ok).toBe(true);
    expect(hub.stored[2]?.proof.claim).toEqual({ target: hub.stored[1]?.proof.id, kind: 'like' });
  });

  it('returns the hub\'s refusal with its code and message', async () => {
    const { key, hub } = await newKeyAndHub();
    hub.refuseWith = { code: 'private_hub', message: 'you are not a member of this hub', status: 403 };
    const result = await sendProof(key, { type: 'post', hub: 'secret', body: 'hi', visibility: 'members' }, hub, environment);
    expect(result).toEqual({ ok: false, error: expect.objectContaining({ code: 'private_hub', message: 'you are not a member of this hub' }) as unknown });
  });

  it('refuses empty text before signing anything', async () => {
    const { key, hub } = await newKeyAndHub();
    const result = await sendProof(key, { type: 'reply', hub: 'public', body: '', parent: 'ab'.repeat(32), root: 'ab'.repeat(32) }, hub, environment);
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid_content' } });
    expect(hub.stored).toHaveLength(1);
  });

  it('writes undo only on a withdrawal', async () => {
    const { key, hub } = await newKeyAndHub();
    await sendProof(key, { type: 'reaction', hub: 'public', target: 'cd'.repeat(32), kind: 'verified', undo: true }, hub, environment);
    expect(hub.stored[1]?.proof.claim).toEqual({ target: 'cd'.repeat(32), kind: 'verified', undo: true });
  });
});

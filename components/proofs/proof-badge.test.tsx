import { describe, expect, it } from 'vitest';
import { renderToStaticMarkup } from 'react-dom/server';
import { createSeedSigner } from '@/lib/crypto/keys';
import { publicKeyToDidKey } from '@/lib/crypto/did-key';
import { nobleVerifier } from '@/lib/crypto/ed25519';
import { buildUnsignedProof, signProof, verifyProof } from '@/lib/proof/proof';
import type { BadgeState, BrowserChecked } from './badge-state';
import { ProofBadge, describeBadge } from './proof-badge';

async function checkedIdentity(): Promise<BrowserChecked> {
  const signer = createSeedSigner(new Uint8Array(32).fill(4));
  const built = buildUnsignedProof({ type: 'identity', hub: 'public', issuer: publicKeyToDidKey(signer.publicKey), seq: 1, prev: null, created_at: '2026-01-01T00:00:00.000Z', claim: { name: 'A' } });
  if (!built.ok) throw new Error(built.error.message);
  const verified = verifyProof(await signProof(built.value, signer), nobleVerifier);
  if (!verified.ok) throw new Error(verified.error.message);
  return { proof: verified.value, contentPurged: false } as BrowserChecked;
}

describe('ProofBadge', () => {
  it('says each state in words, not colour alone', async () => {
    const checked = await checkedIdentity();
    const states: BadgeState[] = [
      { state: 'pending' },
      { state: 'checking' },
      { state: 'signed', checked },
      { state: 'anchored', checked, anchor: { height: 7 } },
      { state: 'verified', checked, anchor: { height: 7, treeSize: 10 }, inclusionChecked: true },
      { state: 'invalid', reason: { code: 'bad_signature', message: 'the signature does not verify' } },
    ];
    const html = states.map((badge) => renderToStaticMarkup(<ProofBadge badge={badge} />));
    expect(html.map((markup) => /data-badge="([a-z]+)"/.exec(markup)?.[1])).toEqual(['pending', 'checking', 'signed', 'anchored', 'verified', 'invalid']);
    expect(html[2]).toContain('>signed<');
    expect(html[3]).toContain('height 7');
    expect(html[5]).toContain('data-reason="bad_signature"');
    expect(html[5]).toContain('(bad_signature)');
    expect(html[5]).toContain('the signature does not verify');
  });

  it('tells a purged content apart in the description', async () => {
    const checked = await checkedIdentity();
    const purged: BrowserChecked = { ...checked, contentPurged: true };
    expect(describeBadge({ state: 'signed', checked: purged })).toContain('purged');
    expect(describeBadge({ state: 'signed', checked })).toContain('content digest');
  });
});

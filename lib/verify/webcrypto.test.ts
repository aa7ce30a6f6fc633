// The WebCrypto back-end under the One Ed25519 rule must answer exactly as the reference (noble)
// on every published vector: here with Node's WebCrypto (OpenSSL); webcrypto-chromium.test.ts
// runs the same cases in Chromium (BoringSSL), the browser the UI ships to.
import { describe, expect, it } from 'vitest';
import { nobleVerifier } from '../crypto/ed25519';
import { loadCctvCases, loadEdgeCases, loadRfc8032Cases, loadWycheproofCases, loadZip215Cases, type Ed25519Case } from '@/test/crypto/ed25519-fixtures';
import { createAnsweringVerifier, createWebCryptoVerifier, verificationKey, webCryptoHasEd25519 } from './async-verifier';

function allEd25519Cases(): Ed25519Case[] {
  return [...loadRfc8032Cases(), ...loadWycheproofCases(), ...loadCctvCases(), ...loadZip215Cases(), ...loadEdgeCases()];
}

describe('createWebCryptoVerifier (Node WebCrypto)', () => {
  it('answers as noble on every vector in test/vectors/ed25519', async () => {
    expect(await webCryptoHasEd25519(globalThis.crypto.subtle)).toBe(true);
    const verifier = createWebCryptoVerifier(globalThis.crypto.subtle);
    const cases = allEd25519Cases();
    expect(cases.length).toBeGreaterThan(1000);
    const answers = await Promise.all(cases.map((c) => verifier.verify(c.signature, c.message, c.publicKey)));
    const differences = cases
      .map((c, i) => ({ label: c.label, webcrypto: answers[i], noble: nobleVerifier.verify(c.signature, c.message, c.publicKey) }))
      .filter((row) => row.webcrypto !== row.noble);
    expect(differences).toEqual([]);
    expect(answers.filter(Boolean).length).toBeGreaterThan(0);
  });

  it('never rejects on bad input', async () => {
    const verifier = createWebCryptoVerifier(globalThis.crypto.subtle);
    expect(await verifier.verify(new Uint8Array(64), new Uint8Array(0), new Uint8Array(32))).toBe(false);
    expect(await verifier.verify('x' as unknown as Uint8Array, new Uint8Array(0), new Uint8Array(32))).toBe(false);
    expect(await webCryptoHasEd25519(undefined)).toBe(false);
  });

  it('answering verifier: the recorded answer, else the fallback', () => {
    const [c] = loadRfc8032Cases();
    if (c === undefined) throw new Error('no vector');
    const recorded = new Map([[verificationKey(c.signature, c.message, c.publicKey), false]]);
    expect(createAnsweringVerifier(recorded, nobleVerifier, 'x').verify(c.signature, c.message, c.publicKey)).toBe(false);
    expect(createAnsweringVerifier(new Map(), nobleVerifier, 'x').verify(c.signature, c.message, c.publicKey)).toBe(true);
  });
});

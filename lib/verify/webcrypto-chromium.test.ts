// The WebCrypto back-end in Chromium (BoringSSL), the browser proofhub ships to: every vector in
// test/vectors/ed25519 through createWebCryptoVerifier running in the page must get noble's
// answer, or the browser could show a badge green that the server calls invalid. The module is
// bundled with esbuild (as Next would) and loaded into a blank page of the system Chromium.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytesToHex } from '../bytes';
import { nobleVerifier } from '../crypto/ed25519';
import type * as AsyncVerifierModule from './async-verifier';
import { loadCctvCases, loadEdgeCases, loadRfc8032Cases, loadWycheproofCases, loadZip215Cases } from '@/test/crypto/ed25519-fixtures';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

describe.skipIf(!existsSync(CHROMIUM))('createWebCryptoVerifier in Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('answers as noble on every vector', async () => {
    const bundle = await build({
      entryPoints: [join(import.meta.dirname, 'async-verifier.ts')],
      bundle: true,
      write: false,
      format: 'iife',
      globalName: 'proofhubVerify',
      platform: 'browser',
      target: 'es2022',
    });
    const script = bundle.outputFiles[0]?.text ?? '';
    const cases = [...loadRfc8032Cases(), ...loadWycheproofCases(), ...loadCctvCases(), ...loadZip215Cases(), ...loadEdgeCases()];
    const wire = cases.map((c) => [bytesToHex(c.signature), bytesToHex(c.message), bytesToHex(c.publicKey)]);
    const page = await browser.newPage();
    // crypto.subtle exists only in a secure context: serve the page as http://localhost (no socket).
    await page.route('http://localhost/', (route) => route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>ed25519</title>' }));
    await page.goto('http://localhost/');
    await page.addScriptTag({ content: script });
    const result = await page.evaluate(async (rows) => {
      const api = (globalThis as unknown as { proofhubVerify: typeof AsyncVerifierModule }).proofhubVerify;
      const hex = (text: string) => Uint8Array.from(text.match(/../g) ?? [], (byte) => parseInt(byte, 16));
      const verifier = api.createWebCryptoVerifier(crypto.subtle);
      return {
        secure: isSecureContext,
        supported: await api.webCryptoHasEd25519(crypto.subtle),
        userAgent: navigator.userAgent,
        answers: await Promise.all(rows.map(([sig, msg, pub]) => verifier.verify(hex(sig ?? ''), hex(msg ?? ''), hex(pub ?? '')))),
      };
    }, wire);
    expect({ secure: result.secure, supported: result.supported, userAgent: result.userAgent }).toMatchObject({ secure: true, supported: true });
    expect(result.answers).toHaveLength(cases.length);
    const differences = cases
      .map((c, i) => ({ label: c.label, chromium: result.answers[i], noble: nobleVerifier.verify(c.signature, c.message, c.publicKey) }))
      .filter((row) => row.chromium !== row.noble);
    expect(differences).toEqual([]);
  }, 120_000);
});

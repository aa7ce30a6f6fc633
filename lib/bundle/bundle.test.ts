import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseBundle, verifyBundle } from './verify';
import { createBundleFixture } from './testing';

describe('bundles', () => {
  it('a bundle of a real anchored thread survives JSON and verifies', async () => {
    const bundle = await createBundleFixture({ replies: 4 });
    const parsed = parseBundle(JSON.parse(JSON.stringify(bundle)));
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    const report = await verifyBundle(parsed.value);
    expect(report.failures).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.anchored).toBe(bundle.items.length);
    expect(report.kind).toBe('thread');
  });

  it('refuses what is not a bundle with invalid_bundle, naming where', () => {
    const result = parseBundle({ format: 'proofhub-bundle', version: 2 });
    expect(result.ok ? 'ok' : result.error.code).toBe('invalid_bundle');
    expect(result.ok ? '' : result.error.message).toContain('version');
  });

  it('a thread bundle must hold its root and only its hub\'s proofs', async () => {
    const bundle = await createBundleFixture({ replies: 2 });
    const withoutRoot = { ...bundle, items: bundle.items.slice(1) };
    const report = await verifyBundle(withoutRoot);
    expect(report.ok).toBe(false);
    expect(report.failures.map((f) => f.id)).toContain(bundle.thread);
    const elsewhere = await verifyBundle({ ...bundle, hub: 'other-hub' });
    expect(elsewhere.failures.some((f) => f.code === 'wrong_hub')).toBe(true);
  });

  it('one changed byte anywhere that matters makes the file unreadable or the check fail', async () => {
    const bundle = await createBundleFixture({ replies: 3 });
    const text = JSON.stringify(bundle);
    // Informational fields nothing can check: when it was exported, from where, and each
    // anchor's block_height (docs/bundles.md).
    const skipped: [number, number][] = [];
    for (const pattern of [/"exported_at":"[^"]*"/g, /"block_height":\d+/g]) {
      for (const match of text.matchAll(pattern)) skipped.push([match.index, match.index + match[0].length]);
    }
    const positions = [...text].map((_, i) => i).filter((i) => !skipped.some(([a, b]) => i >= a && i < b));
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...positions), fc.integer({ min: 1, max: 94 }), async (position, delta) => {
        const code = text.charCodeAt(position);
        const changed = text.slice(0, position) + String.fromCharCode(((code - 32 + delta) % 95) + 32) + text.slice(position + 1);
        let json: unknown;
        try {
          json = JSON.parse(changed);
        } catch {
          return; // unreadable: the CLI exits 2
        }
        const parsed = parseBundle(json);
        if (!parsed.ok) return;
        const report = await verifyBundle(parsed.value);
        expect(report.ok).toBe(false);
      }),
      { numRuns: 40 },
    );
  });
});

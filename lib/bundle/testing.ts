// Test support: a bundle of a real anchored thread (lib/verify/testing.ts createThreadFixture).
import { createThreadFixture } from '../verify/testing';
import { BUNDLE_FORMAT, BUNDLE_VERSION, type Bundle } from './schema';

export async function createBundleFixture(options: { replies?: number; hub?: string } = {}): Promise<Bundle> {
  const hub = options.hub ?? 'test-hub';
  const fixture = await createThreadFixture({ replies: options.replies ?? 4, hub });
  return {
    format: BUNDLE_FORMAT,
    version: BUNDLE_VERSION,
    kind: 'thread',
    hub,
    thread: fixture.rootId,
    exported_at: '2026-11-23T20:00:00.000Z',
    source: null,
    items: fixture.items.map((item) => ({ proof: { ...item.proof }, content: item.content ?? null, anchor: item.anchor ?? null })),
    identities: fixture.identities.map((proof) => ({ ...proof })),
    validators: fixture.chain.validatorSet,
    heads: fixture.heads,
    consistency: fixture.consistency,
  };
}

import { describe, expect, it } from 'vitest';
import { importOrder } from './import-order';
import { createBundleFixture } from './testing';

describe('importOrder', () => {
  it('puts each issuer\'s previous proof and every referenced proof first, each id once', async () => {
    const bundle = await createBundleFixture({ replies: 5 });
    // Shuffle: items reversed, identities after a duplicate of the first item.
    const shuffled = { items: [...bundle.items].reverse(), identities: [...bundle.identities].reverse() };
    const order = importOrder({ items: [...shuffled.items, bundle.items[0]!], identities: shuffled.identities });
    const position = new Map(order.map((entry, i) => [entry.id, i]));
    expect(order).toHaveLength(bundle.items.length + bundle.identities.length);
    for (const entry of order) {
      const proof = entry.proof as { prev: string | null; claim: { parent?: string; root?: string; target?: string } };
      const here = position.get(entry.id) as number;
      for (const dep of [proof.prev, proof.claim.parent, proof.claim.root, proof.claim.target]) {
        if (typeof dep === 'string' && position.has(dep)) expect(position.get(dep)).toBeLessThan(here);
      }
    }
    expect(order.find((entry) => entry.id === bundle.items[1]?.proof.id)?.content).toEqual(bundle.items[1]?.content);
  });
});

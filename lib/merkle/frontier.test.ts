// MerkleFrontier: the compact right edge validators keep per block.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesToHex } from '../bytes';
import { EMPTY_ROOT } from './hashing';
import { MerkleFrontier } from './frontier';
import { MerkleLog } from './log';
import { testLeaves, unwrap } from './testing/helpers';
import { rootOf } from './tree';

describe('MerkleFrontier', () => {
  it('gives the root of every size as it grows, like rootOf', () => {
    const leaves = testLeaves(70);
    const frontier = MerkleFrontier.empty();
    expect(bytesToHex(frontier.root())).toBe(bytesToHex(EMPTY_ROOT));
    leaves.forEach((leaf, i) => {
      expect(frontier.append(leaf)).toBe(i);
      expect(frontier.hashes.length).toBe([...(i + 1).toString(2)].filter((bit) => bit === '1').length);
      expect(bytesToHex(frontier.root())).toBe(bytesToHex(unwrap(rootOf(leaves, i + 1))));
    });
  });

  it('lets a validator extend a parent frontier to the next tree head, from its JSON form', () => {
    const leaves = testLeaves(300, 2);
    const log = MerkleLog.fromLeafHashes(leaves);
    const parent = unwrap(log.frontier(123));
    const wire = JSON.parse(JSON.stringify(parent)) as unknown;
    const restored = unwrap(MerkleFrontier.fromJSON(wire));
    expect(restored.toJSON()).toEqual(parent.toJSON());
    for (const leaf of leaves.slice(123, 250)) restored.append(leaf);
    expect(restored.treeHead()).toEqual({ size: 250, root: unwrap(log.rootAt(250)) });
    expect(restored.toJSON()).toEqual(unwrap(log.frontier(250)).toJSON());
    // The parent frontier is untouched; clones are independent.
    const child = parent.clone();
    child.append(leaves[123] as Uint8Array);
    expect(parent.size).toBe(123);
    expect(bytesToHex(child.root())).toBe(bytesToHex(unwrap(log.rootAt(124))));
  });

  it('refuses malformed JSON with a code and never throws', () => {
    const good = unwrap(MerkleLog.fromLeafHashes(testLeaves(5)).frontier()).toJSON();
    const code = (json: unknown): string | undefined => {
      const result = MerkleFrontier.fromJSON(json);
      return result.ok ? undefined : result.error.code;
    };
    expect(code(good)).toBeUndefined();
    expect(code({ ...good, size: 7 })).toBe('wrong_path_length');
    expect(code({ ...good, size: -1 })).toBe('malformed');
    expect(code({ ...good, size: 2 ** 53 })).toBe('malformed');
    expect(code({ ...good, hashes: [good.hashes[0], 'zz'] })).toBe('malformed');
    expect(code({ ...good, hashes: good.hashes.map((h) => h.toUpperCase()) })).toBe('malformed');
    expect(code({ ...good, extra: 1 })).toBe('malformed');
    expect(code(null)).toBe('malformed');
    expect(code('frontier')).toBe('malformed');
    fc.assert(fc.property(fc.anything(), (json) => {
      expect(() => MerkleFrontier.fromJSON(json)).not.toThrow();
    }));
    expect(MerkleFrontier.fromHashes(1, [new Uint8Array(31)]).ok).toBe(false);
  });
});

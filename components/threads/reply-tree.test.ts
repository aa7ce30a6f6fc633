import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { MAX_INDENT_DEPTH, layoutReplies } from './reply-tree';

const ROOT = 'root';

describe('layoutReplies', () => {
  it('orders depth-first with siblings in receive order', () => {
    const rows = layoutReplies(ROOT, [
      { id: 'b', parent: ROOT, order: 3 },
      { id: 'a', parent: ROOT, order: 1 },
      { id: 'a1', parent: 'a', order: 2 },
      { id: 'a2', parent: 'a', order: 4 },
      { id: 'a1x', parent: 'a1', order: 5 },
    ]);
    expect(rows.map((row) => [row.node.id, row.depth])).toEqual([
      ['a', 1],
      ['a1', 2],
      ['a1x', 3],
      ['a2', 2],
      ['b', 1],
    ]);
  });

  it('indents up to the documented depth and flattens below it', () => {
    const chain = Array.from({ length: 7 }, (_, i) => ({ id: `r${i + 1}`, parent: i === 0 ? ROOT : `r${i}`, order: i }));
    const rows = layoutReplies(ROOT, chain);
    expect(MAX_INDENT_DEPTH).toBe(4);
    expect(rows.map((row) => row.indent)).toEqual([1, 2, 3, 4, 4, 4, 4]);
    expect(rows.map((row) => row.flattened)).toEqual([false, false, false, false, true, true, true]);
  });

  it('keeps a reply whose parent is missing, under the root', () => {
    const rows = layoutReplies(ROOT, [{ id: 'x', parent: 'gone', order: 1 }]);
    expect(rows.map((row) => [row.node.id, row.depth])).toEqual([['x', 1]]);
  });

  it('shows every reply exactly once, children after their parent (property)', () => {
    const trees = fc.integer({ min: 0, max: 60 }).chain((size) =>
      fc.tuple(...Array.from({ length: size }, (_, i) => fc.integer({ min: -1, max: i - 1 }))).map((parents) =>
        parents.map((parent, i) => ({ id: `n${i}`, parent: parent < 0 ? ROOT : `n${parent}`, order: i })),
      ),
    );
    fc.assert(
      fc.property(trees, fc.integer({ min: 1, max: 6 }), (nodes, maxIndent) => {
        const rows = layoutReplies(ROOT, [...nodes].reverse(), maxIndent);
        expect(rows.map((row) => row.node.id).sort()).toEqual(nodes.map((node) => node.id).sort());
        const position = new Map(rows.map((row, index) => [row.node.id, index]));
        const depth = new Map(rows.map((row) => [row.node.id, row.depth]));
        for (const row of rows) {
          expect(row.indent).toBe(Math.min(row.depth, maxIndent));
          if (row.node.parent !== ROOT) {
            expect(position.get(row.node.parent)).toBeLessThan(position.get(row.node.id) ?? -1);
            expect(row.depth).toBe((depth.get(row.node.parent) ?? 0) + 1);
          }
        }
      }),
    );
  });
});

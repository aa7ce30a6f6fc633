// Lays out a thread's replies for reading: depth-first, siblings in receive order, indented one
// step per level up to MAX_INDENT_DEPTH and flat beyond it (a deep chain of replies would
// otherwise squeeze the text into a sliver on a phone). Rows beyond the indent depth name the
// item they answer, since their position no longer shows it. Depth is computed here from the
// parent links, not taken from the hub's view.
export const MAX_INDENT_DEPTH = 4;

export interface ReplyNode {
  readonly id: string;
  /** The item this one answers: the root or another reply. */
  readonly parent: string;
  /** Receive order (log index); ties keep input order. */
  readonly order: number;
}

export interface ReplyRow<T extends ReplyNode> {
  readonly node: T;
  /** 1 for a direct reply to the root. */
  readonly depth: number;
  /** Indentation steps: min(depth, MAX_INDENT_DEPTH). */
  readonly indent: number;
  /** True past the indent depth: show whom this answers. */
  readonly flattened: boolean;
}

export function layoutReplies<T extends ReplyNode>(rootId: string, replies: readonly T[], maxIndent: number = MAX_INDENT_DEPTH): ReplyRow<T>[] {
  const ids = new Set(replies.map((reply) => reply.id));
  const children = new Map<string, T[]>();
  for (const reply of replies) {
    // A reply whose parent is not here (not loaded yet) hangs off the root rather than vanishing.
    const parent = reply.parent === rootId || ids.has(reply.parent) ? reply.parent : rootId;
    const list = children.get(parent);
    if (list === undefined) children.set(parent, [reply]);
    else list.push(reply);
  }
  for (const list of children.values()) list.sort((a, b) => a.order - b.order);

  const rows: ReplyRow<T>[] = [];
  const visited = new Set<string>();
  // Iterative DFS: a long chain of replies must not overflow the stack.
  const stack: { node: T; depth: number }[] = [...(children.get(rootId) ?? [])].reverse().map((node) => ({ node, depth: 1 }));
  while (stack.length > 0) {
    const next = stack.pop();
    if (next === undefined || visited.has(next.node.id)) continue;
    visited.add(next.node.id);
    const indent = Math.min(next.depth, maxIndent);
    rows.push({ node: next.node, depth: next.depth, indent, flattened: next.depth > maxIndent });
    const below = children.get(next.node.id) ?? [];
    for (let i = below.length - 1; i >= 0; i--) {
      const child = below[i];
      if (child !== undefined) stack.push({ node: child, depth: next.depth + 1 });
    }
  }
  return rows;
}

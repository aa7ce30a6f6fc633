// The order a bundle's proofs must reach another hub in: a hub admits a proof only after the
// issuer's previous proof (chain link, key history), after the proofs it references (parent,
// root, target), and after the identity chain of an owner it acts for. A topological order over
// those edges, stable (ties keep the bundle's order: identity chains, then items in log order).
import type { Bundle } from './schema';

export interface ImportEntry {
  readonly id: string;
  readonly proof: Record<string, unknown>;
  /** Content for a post or reply; undefined when the bundle has none (purged). */
  readonly content?: unknown;
}

function str(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

/** Every proof of the bundle once (first copy of an id wins), in an order a hub can admit. */
export function importOrder(bundle: Pick<Bundle, 'identities' | 'items'>): ImportEntry[] {
  const entries: ImportEntry[] = [];
  const seen = new Set<string>();
  const add = (proof: Record<string, unknown>, content?: unknown) => {
    const id = str(proof.id);
    if (id === null || seen.has(id)) return;
    seen.add(id);
    entries.push(content === undefined || content === null ? { id, proof } : { id, proof, content });
  };
  for (const proof of bundle.identities) add(proof);
  for (const item of bundle.items) add(item.proof, item.content);

  const index = new Map(entries.map((entry, i) => [entry.id, i]));
  const bySeq = new Map<string, number>();
  const identityChain = new Map<string, number[]>();
  entries.forEach((entry, i) => {
    const issuer = str(entry.proof.issuer);
    const seq = entry.proof.seq;
    if (issuer !== null && typeof seq === 'number') bySeq.set(`${issuer}#${seq}`, i);
    const type = str(entry.proof.type);
    if (issuer !== null && (type === 'identity' || type === 'key_rotation' || type === 'delegation' || type === 'revocation')) {
      identityChain.set(issuer, [...(identityChain.get(issuer) ?? []), i]);
    }
  });
  const before: number[][] = entries.map(() => []);
  entries.forEach((entry, i) => {
    const deps = before[i] as number[];
    const issuer = str(entry.proof.issuer);
    const seq = entry.proof.seq;
    if (issuer !== null && typeof seq === 'number') {
      const previous = bySeq.get(`${issuer}#${seq - 1}`);
      if (previous !== undefined) deps.push(previous);
    }
    const claim = (typeof entry.proof.claim === 'object' && entry.proof.claim !== null ? entry.proof.claim : {}) as Record<string, unknown>;
    for (const ref of [claim.parent, claim.root, claim.target]) {
      const target = index.get(str(ref) ?? '');
      if (target !== undefined) deps.push(target);
    }
    const owner = str(claim.on_behalf_of);
    if (owner !== null) deps.push(...(identityChain.get(owner) ?? []));
  });

  // Depth-first: each proof after everything it depends on, otherwise in the bundle's order. The
  // walk is iterative (an issuer's chain may be 100k long). A cycle is impossible for signed proofs,
  // whose ids commit to what they name; if one is forged, its back edge is simply ignored.
  const state = new Uint8Array(entries.length); // 0 new, 1 on the stack, 2 placed
  const ordered: ImportEntry[] = [];
  for (let root = 0; root < entries.length; root++) {
    if (state[root] !== 0) continue;
    const stack: [number, number][] = [[root, 0]];
    state[root] = 1;
    while (stack.length > 0) {
      const top = stack[stack.length - 1] as [number, number];
      const [node, next] = top;
      const deps = before[node] as number[];
      if (next < deps.length) {
        top[1] = next + 1;
        const dep = deps[next] as number;
        if (state[dep] === 0) {
          state[dep] = 1;
          stack.push([dep, 0]);
        }
        continue;
      }
      stack.pop();
      state[node] = 2;
      ordered.push(entries[node] as ImportEntry);
    }
  }
  return ordered;
}

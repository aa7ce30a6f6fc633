// Tree heads seen together must be heads of one append-only log: equal sizes need equal roots,
// and between two sizes an RFC 9162 §2.1.4 consistency proof must show the larger tree extends
// the smaller. A hub that rolled its log back or showed two forks to different readers fails here.
import { bytesToHex, hexToBytes } from '../bytes';
import { EMPTY_ROOT } from '../merkle/hashing';
import { verifyConsistency } from '../merkle/verify';
import { consistencyProofJsonSchema } from '../merkle/wire';
import type { Failure } from '../errors';
import type { ChainVerifyErrorCode } from './errors';

export interface TreeHeadClaim {
  readonly tree_size: number;
  /** Lowercase hex. */
  readonly root: string;
  /** Who vouched for the head (a proof id, `head@HEIGHT`): named in failures. */
  readonly source: string;
}

export interface HeadsFailure extends Failure<ChainVerifyErrorCode> {
  /** `head@SIZE` or `heads@FROM-TO`: the item a report names. */
  readonly id: string;
}

export interface HeadsReport {
  /** Distinct heads, by size ascending. */
  readonly heads: readonly { readonly tree_size: number; readonly root: string }[];
  readonly consistent: boolean;
  readonly failures: readonly HeadsFailure[];
}

/**
 * Checks that every head is consistent with every other, given consistency proofs
 * ({from, to, path}, roots taken from the heads) between each pair of consecutive distinct sizes.
 * Proofs between other sizes are ignored; malformed ones count as missing.
 */
export function checkTreeHeads(claims: readonly TreeHeadClaim[], consistencyProofs: readonly unknown[]): HeadsReport {
  const failures: HeadsFailure[] = [];
  const bySize = new Map<number, { root: string; source: string }>();
  for (const claim of claims) {
    const seen = bySize.get(claim.tree_size);
    if (seen === undefined) bySize.set(claim.tree_size, { root: claim.root, source: claim.source });
    else if (seen.root !== claim.root) {
      failures.push({
        id: `head@${claim.tree_size}`,
        code: 'heads_inconsistent',
        message: `two roots for tree size ${claim.tree_size}: ${seen.root.slice(0, 12)}… (${seen.source}) and ${claim.root.slice(0, 12)}… (${claim.source}): the log forked`,
      });
    }
  }
  const empty = bySize.get(0);
  if (empty !== undefined && empty.root !== bytesToHex(EMPTY_ROOT)) {
    failures.push({ id: 'head@0', code: 'heads_inconsistent', message: 'a head of size 0 must have the empty root' });
  }

  const proofs = new Map<string, { from: number; to: number; path: Uint8Array[] }>();
  for (const candidate of consistencyProofs) {
    const parsed = consistencyProofJsonSchema.safeParse(candidate);
    if (!parsed.success) continue;
    proofs.set(`${parsed.data.from}-${parsed.data.to}`, { from: parsed.data.from, to: parsed.data.to, path: parsed.data.path.map(hexToBytes) });
  }
  const sizes = [...bySize.keys()].filter((size) => size > 0).sort((a, b) => a - b);
  for (let i = 1; i < sizes.length; i++) {
    const from = sizes[i - 1] as number;
    const to = sizes[i] as number;
    const id = `heads@${from}-${to}`;
    const proof = proofs.get(`${from}-${to}`);
    if (proof === undefined) {
      failures.push({ id, code: 'consistency_missing', message: `no consistency proof between tree sizes ${from} and ${to}` });
      continue;
    }
    const oldRoot = hexToBytes((bySize.get(from) as { root: string }).root);
    const newRoot = hexToBytes((bySize.get(to) as { root: string }).root);
    const verdict = verifyConsistency({ from, to, oldRoot, newRoot, path: proof.path });
    if (!verdict.ok) {
      failures.push({ id, code: 'heads_inconsistent', message: `tree ${to} does not extend tree ${from}: ${verdict.error.message}`, details: { reason: verdict.error.code } });
    }
  }
  const heads = [...bySize.entries()].sort((a, b) => a[0] - b[0]).map(([tree_size, { root }]) => ({ tree_size, root }));
  return { heads, consistent: failures.length === 0, failures };
}

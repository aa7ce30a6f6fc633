// What "Verify thread" checks, gathered from the hub: preferably the thread's bundle
// (GET /api/v1/bundles?thread=ID: items with content and anchors, the issuers' identity proofs,
// the genesis validator set, certified heads and consistency proofs), otherwise assembled from the
// ordinary endpoints (the page's items, each proof's anchor, each issuer's identity proofs,
// consistency proofs between the anchors' tree sizes). Either way nothing here is trusted:
// lib/verify checks all of it against the validator set pinned for this page.
import type { VerifyItem, VerifyItemsInput } from '@/lib/verify/items';
import { api, requestJson } from '../api/client';
import type { ApiFailure, ApiResult } from '../api/client';
import { chainApi, parseAnchor } from '../chain/chain-client';

export interface ThreadInput {
  input: VerifyItemsInput;
  /** The bundle as the hub served it (for Export), or the assembled input. */
  bundle: unknown;
  source: 'bundle' | 'assembled';
}

export interface PageItem {
  proof: unknown;
  content: unknown;
  purged?: boolean;
  anchor?: unknown;
}

const CONCURRENCY = 6;

async function mapLimited<T, R>(values: readonly T[], limit: number, run: (value: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(values.length);
  let next = 0;
  const worker = async () => {
    while (next < values.length) {
      const index = next++;
      results[index] = await run(values[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, values.length) }, worker));
  return results;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads a bundle object into lib/verify's input; null when it is not one. */
export function inputFromBundle(answer: unknown): VerifyItemsInput | null {
  // GET /api/v1/bundles answers a page {bundle, next}; a file holds the bundle itself.
  const bundle = isRecord(answer) && isRecord(answer.bundle) ? answer.bundle : answer;
  if (!isRecord(bundle) || !Array.isArray(bundle.items)) return null;
  const items: VerifyItem[] = bundle.items.map((entry: unknown) => {
    if (!isRecord(entry)) return { proof: entry };
    return {
      proof: entry.proof,
      ...('content' in entry ? { content: entry.content } : {}),
      ...(entry.purged === true ? { purged: true } : {}),
      ...('anchor' in entry ? { anchor: entry.anchor } : {}),
    };
  });
  const list = (value: unknown): unknown[] | undefined => (Array.isArray(value) ? value : undefined);
  const validators = bundle.validators ?? bundle.validator_set;
  return {
    items,
    ...(list(bundle.identities) === undefined ? {} : { identities: list(bundle.identities) }),
    ...(validators === undefined ? {} : { validators }),
    ...(list(bundle.heads) === undefined ? {} : { heads: list(bundle.heads) }),
    ...(list(bundle.consistency) === undefined ? {} : { consistency: list(bundle.consistency) }),
  };
}

async function assemble(pageItems: readonly PageItem[], onStep: (message: string) => void): Promise<ApiResult<ThreadInput>> {
  onStep('Fetching anchors…');
  let failure: ApiFailure | null = null;
  const items = await mapLimited(pageItems, CONCURRENCY, async (item): Promise<VerifyItem> => {
    const content = item.purged === true ? null : item.content;
    if (parseAnchor(item.anchor) !== null) return { proof: item.proof, content, purged: item.purged === true, anchor: item.anchor };
    const id = isRecord(item.proof) && typeof item.proof.id === 'string' ? item.proof.id : null;
    if (id === null) return { proof: item.proof, content, purged: item.purged === true };
    const answer = await chainApi.proofAnchor(id);
    if (!answer.ok) {
      // A proof the hub no longer serves is checked without an anchor (reported as unanchored).
      if (answer.error.code !== 'not_found') failure ??= answer.error;
      return { proof: item.proof, content, purged: item.purged === true };
    }
    return { proof: item.proof, content, purged: item.purged === true, ...(answer.value.anchor === null ? {} : { anchor: answer.value.anchor }) };
  });
  if (failure !== null) return { ok: false, error: failure };

  onStep('Fetching identities…');
  const issuers = [...new Set(pageItems.map((item) => (isRecord(item.proof) && typeof item.proof.issuer === 'string' ? item.proof.issuer : null)).filter((did): did is string => did !== null))];
  const identities: unknown[] = [];
  for (const answer of await mapLimited(issuers, CONCURRENCY, (did) => api.identity(did))) {
    if (!answer.ok) {
      if (answer.error.code !== 'not_found') return { ok: false, error: answer.error };
      continue;
    }
    identities.push(...answer.value.proofs);
  }

  onStep('Fetching the validator set and consistency proofs…');
  const validators = await chainApi.validators();
  const sizes = [...new Set(items.map((item) => parseAnchor(item.anchor)?.tree_size).filter((size): size is number => size !== undefined && size > 0))].sort((a, b) => a - b);
  const consistency: unknown[] = [];
  for (let i = 1; i < sizes.length; i++) {
    const answer = await chainApi.consistency(sizes[i - 1] as number, sizes[i] as number);
    if (answer.ok) consistency.push(answer.value.proof);
  }
  const input: VerifyItemsInput = { items, identities, consistency, ...(validators.ok ? { validators: validators.value.set } : {}) };
  return { ok: true, value: { input, bundle: { format: 'proofhub-thread/assembled', ...input }, source: 'assembled' } };
}

/** The thread's bundle, or the same facts gathered item by item when the hub serves no bundle. */
export async function loadThreadInput(threadId: string, pageItems: readonly PageItem[], onStep: (message: string) => void): Promise<ApiResult<ThreadInput>> {
  onStep('Fetching the thread bundle…');
  const bundle = await requestJson<unknown>(`/api/v1/bundles?thread=${encodeURIComponent(threadId)}`);
  if (bundle.ok) {
    const input = inputFromBundle(bundle.value);
    const file = isRecord(bundle.value) && isRecord(bundle.value.bundle) ? bundle.value.bundle : bundle.value;
    if (input !== null) return { ok: true, value: { input, bundle: file, source: 'bundle' } };
    return { ok: false, error: { code: 'bad_response', message: 'the hub served a bundle without items', status: 200 } };
  }
  if (bundle.error.code !== 'not_found' || bundle.error.status !== 404) return bundle;
  return assemble(pageItems, onStep);
}

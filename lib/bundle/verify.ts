// Parsing and verifying a bundle with lib/verify: the shape first (a file that is not a bundle is
// "unreadable", exit 2 in the CLI), then every item, identity chain, anchor, head and the
// consistency between heads (a failed check, exit 1), each failure naming what it is about.
import { fail, ok, type Result } from '../errors';
import { verifyItems, type VerifyItemsOptions, type VerifyReport } from '../verify/items';
import { bundleSchema, type Bundle } from './schema';

export type BundleErrorCode = 'invalid_bundle';

export function parseBundle(input: unknown): Result<Bundle, BundleErrorCode> {
  const parsed = bundleSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue === undefined || issue.path.length === 0 ? '(bundle)' : issue.path.join('.');
    return fail('invalid_bundle', `not a proofhub bundle: ${where}: ${issue?.message ?? 'invalid'}`);
  }
  return ok(parsed.data);
}

export interface BundleReport extends VerifyReport {
  readonly kind: Bundle['kind'];
  readonly hub: string;
  readonly thread: string | null;
}

/**
 * Verifies a parsed bundle. A thread bundle must be a whole thread (every reference resolves
 * inside it, the root is among the items); every proof must be for the bundle's hub.
 */
export async function verifyBundle(bundle: Bundle, options: VerifyItemsOptions = {}): Promise<BundleReport> {
  const report = await verifyItems(
    { items: bundle.items, identities: bundle.identities, validators: bundle.validators, heads: bundle.heads, consistency: bundle.consistency },
    { hub: bundle.hub, ...(bundle.kind === 'thread' ? { requireReferences: true } : {}), ...options },
  );
  const failures = [...report.failures];
  if (bundle.kind === 'thread' && bundle.thread !== null && !bundle.items.some((item) => item.proof.id === bundle.thread)) {
    failures.push({ id: bundle.thread, index: null, code: 'unknown_parent', message: 'the thread\'s root proof is not in the bundle' });
  }
  return { ...report, ok: failures.length === 0, failures, kind: bundle.kind, hub: bundle.hub, thread: bundle.thread };
}

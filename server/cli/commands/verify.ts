// `proofhub verify FILE|-`: checks a set of proofs offline, exactly as the browser's "verify
// thread" does (lib/proof verifyProofSet): schema, id, signature with the key identity replay
// assigns to each seq, per-issuer chains and forks, delegation, thread references, and the
// content beside post/reply proofs when given. Every failure is named by its stable code.
import { z } from 'zod';
import { BUNDLE_FORMAT, parseBundle, verifyBundle } from '@/lib/bundle';
import { bytesToHex } from '@/lib/bytes';
import { nobleVerifier } from '@/lib/crypto/ed25519';
import { nobleHasher } from '@/lib/crypto/sha256';
import type { Hasher } from '@/lib/crypto/sha256';
import type { SignatureVerifier } from '@/lib/crypto/types';
import type { Failure } from '@/lib/errors';
import { checkContent, parseSignedProof, verifyProofSet } from '@/lib/proof';
import type { ProofSetReport } from '@/lib/proof';
import { nodeVerifier } from '@/server/crypto/ed25519-node';
import { nodeHasher } from '@/server/crypto/sha256-node';
import { parseCommand } from '../args';
import { EXIT_CHECK_FAILED, EXIT_OK, UsageError, readInput } from '../io';
import { parseProofInput } from '../proof-input';
import type { ProofInputItem } from '../proof-input';

const HELP = `Usage: proofhub verify FILE|- [--json] [--backend node|noble] [--hub HUB] [--complete] [--thread]
                       [--require-anchors] [--genesis-hash HEX]

Verifies proofs offline: each proof's schema, id (SHA-256 of its RFC 8785 form) and Ed25519
signature with the key its issuer's identity proofs assign to that seq; each issuer's hash chain
(seq/prev links, forks); delegations (on_behalf_of); reply/reaction/moderation references to
proofs in the input; and a post's or reply's content when it comes beside the proof.

Input (FILE, or "-" for standard input):
  - one proof object
  - a JSON array of proofs
  - a bundle from \`proofhub export\` ({"format":"proofhub-bundle",…}, docs/bundles.md): every
    item, identity chain and content, each anchor's certificate (against the bundle's genesis
    validator set) and inclusion proof, the certified heads and their consistency; every
    failure names its item (proof id) and code. Unanchored items are a warning.
  - {"proofs": [...], ...}: the proofs only
  - JSON Lines: one proof per line (what repeated \`proofhub sign >> FILE\` writes)
  Any proof may be wrapped as {"proof": …, "content": …}, as \`proofhub sign --content\` prints.

Options:
  --json             print a machine-readable report instead of text
  --backend NAME     Ed25519 back-end: node (node:crypto, default) or noble (@noble/ed25519,
                     what browsers run); both accept exactly the same signatures
  --hub HUB          every proof must be for this hub (wrong_hub otherwise)
  --complete         the input holds whole chains from seq 1: a missing seq fails (seq_gap)
  --thread           the input is a whole thread: every referenced proof must be in it
                     (unknown_parent otherwise)
  --require-anchors  (bundles) an unanchored item is a failure, not a warning
  --genesis-hash HEX (bundles) the genesis hash you trust: the bundle's validator set must have it

Exit codes: 0 every proof and the set check out; 1 something failed (each failure is printed with
its code, e.g. bad_signature, id_mismatch, fork, prev_mismatch; docs/proof-format.md lists them);
2 the input is unreadable or not proofs at all.

Examples:
  proofhub verify thread.json
  proofhub sign --key alice.key --type identity --hub general --claim '{"name":"Alice"}' | proofhub verify -
  proofhub verify bundle.json --json | jq '.proofs[] | select(.ok | not)'`;

const backendSchema = z.enum(['node', 'noble'], { error: '--backend must be node or noble' });

const BACKENDS: Record<z.infer<typeof backendSchema>, { verifier: SignatureVerifier; hasher: Hasher }> = {
  node: { verifier: nodeVerifier, hasher: nodeHasher },
  noble: { verifier: nobleVerifier, hasher: nobleHasher },
};

/** The --json report: the library's report without the live objects, plus content checks. */
export interface VerifyReport {
  readonly ok: boolean;
  readonly backend: string;
  readonly input: { readonly form: string; readonly ignoredFields: readonly string[] };
  readonly counts: { readonly total: number; readonly valid: number; readonly invalid: number };
  readonly proofs: readonly {
    readonly index: number;
    readonly id: string | null;
    readonly type: string | null;
    readonly issuer: string | null;
    readonly seq: number | null;
    readonly ok: boolean;
    readonly content: 'checked' | 'absent';
    readonly errors: readonly Failure[];
  }[];
  readonly failures: readonly (Failure & { readonly issuer: string; readonly seq: number; readonly ids: readonly string[] })[];
  readonly issuers: ProofSetReport['issuers'];
}

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommand(argv, {
    help: HELP,
    options: {
      json: { type: 'boolean' },
      backend: { type: 'string' },
      hub: { type: 'string' },
      complete: { type: 'boolean' },
      thread: { type: 'boolean' },
      'require-anchors': { type: 'boolean' },
      'genesis-hash': { type: 'string' },
    },
    positionals: [1, 1],
  });
  if (parsed.help) {
    process.stdout.write(`${HELP}\n`);
    return EXIT_OK;
  }
  const { values } = parsed;
  const backendName = backendSchema.safeParse(values.backend ?? 'node');
  if (!backendName.success) throw new UsageError(backendName.error.issues[0]?.message ?? '--backend must be node or noble');
  const backend = BACKENDS[backendName.data];
  const path = parsed.positionals[0] as string;
  const text = await readInput(path);
  const bundle = bundleOf(text);
  if (bundle !== null) {
    return verifyBundleFile(bundle, backend.verifier, {
      json: values.json === true,
      requireAnchors: values['require-anchors'] === true,
      ...(values['genesis-hash'] === undefined ? {} : { genesisHash: values['genesis-hash'] }),
    });
  }
  const input = parseProofInput(text, path === '-' ? 'standard input' : path);

  const setReport = verifyProofSet(
    input.items.map((item) => item.proof),
    backend.verifier,
    {
      hasher: backend.hasher,
      complete: values.complete === true,
      requireReferences: values.thread === true,
      ...(values.hub === undefined ? {} : { hub: values.hub }),
    },
  );
  const report = buildReport(setReport, input.items, backendName.data, input.form, input.ignoredFields, backend.hasher);
  process.stdout.write(values.json === true ? `${JSON.stringify(report, jsonReplacer, 2)}\n` : formatReport(report));
  return report.ok ? EXIT_OK : EXIT_CHECK_FAILED;
}

/** The parsed JSON when it declares itself a proofhub bundle (format field), else null. */
function bundleOf(text: string): unknown {
  try {
    const json = JSON.parse(text) as unknown;
    return typeof json === 'object' && json !== null && (json as { format?: unknown }).format === BUNDLE_FORMAT ? json : null;
  } catch {
    return null;
  }
}

/**
 * A bundle (docs/bundles.md): every item, identity chain, anchor (certificate against the
 * bundle's genesis validator set, inclusion), certified head and the consistency between heads.
 */
async function verifyBundleFile(json: unknown, verifier: SignatureVerifier, options: { json: boolean; requireAnchors: boolean; genesisHash?: string }): Promise<number> {
  const parsed = parseBundle(json);
  if (!parsed.ok) throw new UsageError(parsed.error.message);
  const report = await verifyBundle(parsed.value, {
    verifier,
    requireAnchors: options.requireAnchors,
    ...(options.genesisHash === undefined ? {} : { expectedGenesisHash: options.genesisHash }),
  });
  if (options.json) {
    process.stdout.write(`${JSON.stringify(report, jsonReplacer, 2)}\n`);
    return report.ok ? EXIT_OK : EXIT_CHECK_FAILED;
  }
  const lines: string[] = [];
  for (const failure of report.failures) lines.push(`FAIL  ${failure.index === null ? '' : `item #${failure.index} `}${failure.id}: ${failure.code}: ${failure.message}`);
  const warned = new Map<string, number>();
  for (const warning of report.warnings) warned.set(warning.code, (warned.get(warning.code) ?? 0) + 1);
  for (const [code, count] of warned) lines.push(`warn  ${count} item(s) ${code}${code === 'unanchored' ? ' (use --require-anchors to make this a failure)' : ''}`);
  lines.push(`chain: ${report.genesisHash === null ? 'no validator set in the bundle' : `genesis ${report.genesisHash}`}; ${report.heads.length} tree head(s), ${report.consistent ? 'consistent' : 'NOT consistent'}`);
  lines.push(
    report.ok
      ? `verified: ${report.kind} bundle of ${report.hub}: ${report.valid} of ${report.total} item(s) valid, ${report.anchored} anchored (${report.verifier})`
      : `FAILED: ${report.kind} bundle of ${report.hub}: ${report.failures.length} failure(s); ${report.valid} of ${report.total} item(s) valid (${report.verifier})`,
  );
  process.stdout.write(`${lines.join('\n')}\n`);
  return report.ok ? EXIT_OK : EXIT_CHECK_FAILED;
}

function buildReport(
  setReport: ProofSetReport,
  items: readonly ProofInputItem[],
  backend: string,
  form: string,
  ignoredFields: readonly string[],
  hasher: Hasher,
): VerifyReport {
  const proofs = setReport.proofs.map((entry) => {
    const item = items[entry.index];
    const errors: Failure[] = [...entry.errors];
    let content: 'checked' | 'absent' = 'absent';
    if (item !== undefined && 'content' in item) {
      content = 'checked';
      // The content check needs only a parsed body; a proof that failed to parse already has its error.
      const proof = entry.verified ?? (() => {
        const reparsed = parseSignedProof(item.proof);
        return reparsed.ok ? reparsed.value : null;
      })();
      if (proof !== null) {
        const checked = checkContent(proof, item.content, hasher);
        if (!checked.ok) errors.push(checked.error);
      }
    }
    return { index: entry.index, id: entry.id, type: entry.type, issuer: entry.issuer, seq: entry.seq, ok: entry.ok && errors.length === 0, content, errors };
  });
  const valid = proofs.filter((proof) => proof.ok).length;
  return {
    ok: valid === proofs.length && setReport.failures.length === 0,
    backend,
    input: { form, ignoredFields: ignoredFields },
    counts: { total: proofs.length, valid, invalid: proofs.length - valid },
    proofs,
    failures: setReport.failures.map((failure) => ({ ...failure })),
    issuers: setReport.issuers,
  };
}

// Failure details may hold bytes; JSON shows them as hex rather than as {"0":…,"1":…}.
function jsonReplacer(_key: string, value: unknown): unknown {
  return value instanceof Uint8Array ? bytesToHex(value) : value;
}

function shortId(id: string | null): string {
  return id === null ? '(no id)' : `${id.slice(0, 12)}…`;
}

function formatReport(report: VerifyReport): string {
  const lines: string[] = [];
  for (const proof of report.proofs) {
    const what = proof.type === null ? `#${proof.index}` : `#${proof.index} ${proof.type} seq ${proof.seq ?? '?'} ${shortId(proof.id)}`;
    if (proof.ok) {
      lines.push(`ok    ${what}${proof.content === 'checked' ? ' (content matches)' : ''}`);
    } else {
      lines.push(`FAIL  ${what}`);
      for (const error of proof.errors) lines.push(`        ${error.code}: ${error.message}`);
    }
  }
  for (const failure of report.failures) {
    lines.push(`FAIL  ${failure.code} in the chain of ${failure.issuer} at seq ${failure.seq}: ${failure.message}`);
    if (failure.ids.length > 0) lines.push(`        proofs: ${failure.ids.join(', ')}`);
  }
  for (const issuer of report.issuers) {
    const name = issuer.name === null ? '' : ` "${issuer.name}"`;
    const missing = issuer.missing.length === 0 ? '' : `; seqs not in the input: ${issuer.missing.map((range) => (range.from === range.to ? `${range.from}` : `${range.from}-${range.to}`)).join(', ')}`;
    const rotated = issuer.keys.length > 1 ? `; ${issuer.keys.length - 1} key rotation(s)` : '';
    const forked = issuer.forkSeq === null ? '' : `; FORKED at seq ${issuer.forkSeq}`;
    lines.push(`issuer ${issuer.issuer}${name}${rotated}${missing}${forked}`);
  }
  if (report.input.ignoredFields.length > 0) {
    lines.push(`note: bundle fields not checked by this version: ${report.input.ignoredFields.join(', ')}`);
  }
  const { total, valid, invalid } = report.counts;
  const setFailures = report.failures.length === 0 ? '' : `, ${report.failures.length} chain failure(s)`;
  lines.push(
    report.ok
      ? `verified: ${valid} of ${total} proof(s) valid (${report.backend} back-end)`
      : `FAILED: ${invalid} of ${total} proof(s) invalid${setFailures} (${report.backend} back-end)`,
  );
  return `${lines.join('\n')}\n`;
}

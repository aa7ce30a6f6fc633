// What `proofhub verify` reads: one proof, a JSON array of proofs, a bundle ({"proofs": [...],
// plus fields later issues add: anchors, tree heads, …), or JSON Lines (one proof per line, as
// repeated `proofhub sign >> file` calls write). Any proof may come wrapped as {"proof","content"}
// (what `proofhub sign --content` prints), and then its content is checked too.
// Shape problems here are usage errors (exit 2); whether each proof is valid is verifyProofSet's
// business (exit 1).
import { z } from 'zod';
import { describeZodError } from './args';
import { UsageError } from './io';

/** Upper bound on proofs per input: far above any thread, low enough to refuse runaway files. */
export const MAX_INPUT_PROOFS = 1_000_000;

export interface ProofInputItem {
  /** The proof as given, unchecked. */
  readonly proof: unknown;
  /** Content carried beside it ({"proof","content"} wrapper), unchecked. */
  readonly content?: unknown;
}

export interface ProofInput {
  readonly form: 'proof' | 'array' | 'bundle' | 'json-lines';
  readonly items: readonly ProofInputItem[];
  /** Bundle fields this version does not read (anchors, tree heads, …): named, not checked. */
  readonly ignoredFields: readonly string[];
}

const itemArraySchema = z.array(z.unknown()).min(1, 'holds no proofs').max(MAX_INPUT_PROOFS, `holds more than ${MAX_INPUT_PROOFS} proofs`);

// A bundle is recognised by its `proofs` member and keeps any other member for later versions.
const bundleSchema = z.looseObject({ proofs: itemArraySchema });

const wrapperSchema = z.strictObject({
  proof: z.record(z.string(), z.unknown()),
  content: z.unknown().optional(),
});

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An item is a {"proof","content"} wrapper when it has a `proof` object and no `v`. */
function toItem(value: unknown): ProofInputItem {
  if (isRecord(value) && !('v' in value) && 'proof' in value) {
    const wrapper = wrapperSchema.safeParse(value);
    if (wrapper.success) return wrapper.data.content === undefined ? { proof: wrapper.data.proof } : { proof: wrapper.data.proof, content: wrapper.data.content };
  }
  return { proof: value };
}

type JsonLines = { ok: true; values: unknown[] } | { ok: false; line: number; message: string };

/** Each non-blank line as JSON; the first line that is not, by its 1-based number. */
function parseJsonLines(text: string): JsonLines {
  const values: unknown[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line.trim() === '') continue;
    try {
      values.push(JSON.parse(line) as unknown);
    } catch (error) {
      return { ok: false, line: i + 1, message: (error as Error).message };
    }
  }
  return { ok: true, values };
}

function firstContentLine(text: string): number {
  const lines = text.split('\n');
  const index = lines.findIndex((line) => line.trim() !== '');
  return index + 1;
}

/** Parses the text of a verify input. Throws UsageError naming what is wrong with its shape. */
export function parseProofInput(text: string, source: string): ProofInput {
  if (text.trim() === '') throw new UsageError(`${source} is empty: expected a proof, an array of proofs or a bundle`);
  let json: unknown;
  let form: ProofInput['form'] | undefined;
  try {
    json = JSON.parse(text) as unknown;
  } catch (error) {
    // Not one JSON value: JSON Lines when the first line is a JSON value on its own.
    const lines = parseJsonLines(text);
    if (lines.ok && lines.values.length >= 2) {
      json = lines.values;
      form = 'json-lines';
    } else if (!lines.ok && lines.line > firstContentLine(text)) {
      throw new UsageError(`${source} line ${lines.line} is not valid JSON (reading JSON Lines): ${lines.message}`);
    } else {
      throw new UsageError(`${source} is not valid JSON: ${(error as Error).message}`);
    }
  }
  if (Array.isArray(json)) {
    const items = itemArraySchema.safeParse(json);
    if (!items.success) throw new UsageError(`${source}: the array ${describeZodError(items.error)}`);
    return { form: form ?? 'array', items: items.data.map(toItem), ignoredFields: [] };
  }
  if (!isRecord(json)) throw new UsageError(`${source}: expected a proof object, an array of proofs or a bundle, got ${json === null ? 'null' : typeof json}`);
  if ('proofs' in json) {
    const bundle = bundleSchema.safeParse(json);
    if (!bundle.success) throw new UsageError(`${source}: not a bundle: ${describeZodError(bundle.error)}`);
    return { form: 'bundle', items: bundle.data.proofs.map(toItem), ignoredFields: Object.keys(json).filter((key) => key !== 'proofs').sort() };
  }
  return { form: 'proof', items: [toItem(json)], ignoredFields: [] };
}

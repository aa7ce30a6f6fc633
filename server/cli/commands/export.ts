// `proofhub export --url URL (--thread ID | --hub HUB) -o FILE`: writes a self-contained bundle
// (docs/bundles.md) from a running hub's GET /api/v1/bundles. A hub comes page by page; the pages
// are merged and consistency proofs between heads of different pages are asked of
// GET /api/v1/log/consistency, so the file verifies offline as one.
import { writeFile } from 'node:fs/promises';
import { bundlePageSchema, type Bundle } from '@/lib/bundle/schema';
import { consistencyResponseSchema } from '@/lib/protocol/chain';
import { parseCommand, requireOption } from '../args';
import { EXIT_CHECK_FAILED, EXIT_OK, UsageError } from '../io';

const HELP = `Usage: proofhub export --url URL (--thread ID | --hub HUB) -o FILE [--cookie-env NAME]

Writes a bundle anyone can verify offline with \`proofhub verify FILE\`: the proofs with their
content, the identity chains of every issuer, each proof's anchor, the certified tree heads with
consistency proofs between them, and the genesis validator set.

Options:
  --url URL          the hub, e.g. http://127.0.0.1:3000
  --thread ID        export one thread (its root proof id)
  --hub HUB          export a whole hub, page by page (progress on stderr)
  -o, --output FILE  where to write the bundle ("-" for standard output)
  --cookie-env NAME  send the session cookie held in environment variable NAME (private hubs)

Exit codes: 0 written; 1 the hub refused (not_found, …) or could not be reached; 2 usage.

Examples:
  proofhub export --url http://127.0.0.1:3000 --thread 3f2a… -o thread.json
  proofhub export --url https://hub.example --hub general -o general.json`;

async function getJson(url: string, cookie: string | undefined): Promise<unknown> {
  const response = await fetch(url, { headers: cookie === undefined ? {} : { cookie } });
  const body = (await response.json().catch(() => null)) as unknown;
  if (!response.ok) {
    const error = (body as { error?: { code?: string; message?: string } } | null)?.error;
    throw new ExportError(`${url}: ${response.status} ${error?.code ?? ''} ${error?.message ?? ''}`.trim());
  }
  return body;
}

class ExportError extends Error {}

/** Merges pages into one bundle: items in page order, identities and heads once each. */
export function mergePages(pages: readonly Bundle[]): Bundle {
  const [first] = pages;
  if (first === undefined) throw new ExportError('no page');
  const identities = new Map<string, Record<string, unknown>>();
  const heads = new Map<number, Bundle['heads'][number]>();
  const consistency = new Map<string, Bundle['consistency'][number]>();
  for (const page of pages) {
    for (const proof of page.identities) identities.set(String(proof.id), proof);
    for (const head of page.heads) heads.set(head.height, head);
    for (const proof of page.consistency) consistency.set(`${proof.from}-${proof.to}`, proof);
  }
  return {
    ...first,
    items: pages.flatMap((page) => page.items),
    identities: [...identities.values()],
    heads: [...heads.values()].sort((a, b) => a.height - b.height),
    consistency: [...consistency.values()],
  };
}

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommand(argv, {
    help: HELP,
    options: { url: { type: 'string' }, thread: { type: 'string' }, hub: { type: 'string' }, output: { type: 'string', short: 'o' }, 'cookie-env': { type: 'string' } },
    positionals: [0, 0],
  });
  if (parsed.help) {
    process.stdout.write(`${HELP}\n`);
    return EXIT_OK;
  }
  const { values } = parsed;
  const base = requireOption(values.url, '--url').replace(/\/$/, '');
  const output = requireOption(values.output, '--output');
  if ((values.thread === undefined) === (values.hub === undefined)) throw new UsageError('give exactly one of --thread ID or --hub HUB');
  const cookieEnv = values['cookie-env'];
  const cookie = cookieEnv === undefined ? undefined : process.env[cookieEnv];
  if (cookieEnv !== undefined && cookie === undefined) throw new UsageError(`environment variable ${cookieEnv} is not set`);
  try {
    const pages: Bundle[] = [];
    let cursor: string | null = null;
    do {
      const query: string = values.thread !== undefined ? `thread=${encodeURIComponent(values.thread)}` : `hub=${encodeURIComponent(values.hub ?? '')}${cursor === null ? '' : `&cursor=${cursor}`}`;
      const page = bundlePageSchema.safeParse(await getJson(`${base}/api/v1/bundles?${query}`, cookie));
      if (!page.success) throw new ExportError('the hub answered something that is not a bundle page');
      pages.push(page.data.bundle);
      cursor = page.data.next;
      if (values.hub !== undefined) process.stderr.write(`exported ${pages.reduce((n, p) => n + p.items.length, 0)} proofs\n`);
    } while (cursor !== null);
    const bundle = mergePages(pages);
    // Heads named by different pages need consistency proofs between them.
    const sizes = [...new Set(bundle.heads.map((head) => head.tree_size))].filter((size) => size > 0).sort((a, b) => a - b);
    for (let i = 1; i < sizes.length; i++) {
      const [from, to] = [sizes[i - 1] as number, sizes[i] as number];
      if (bundle.consistency.some((proof) => proof.from === from && proof.to === to)) continue;
      const answer = consistencyResponseSchema.safeParse(await getJson(`${base}/api/v1/log/consistency?from=${from}&to=${to}`, cookie));
      if (!answer.success) throw new ExportError(`the hub's consistency proof ${from}→${to} is malformed`);
      bundle.consistency.push(answer.data.proof);
    }
    const text = `${JSON.stringify(bundle)}\n`;
    if (output === '-') process.stdout.write(text);
    else await writeFile(output, text, 'utf8');
    const anchored = bundle.items.filter((item) => item.anchor !== null).length;
    process.stderr.write(`bundle: ${bundle.items.length} proofs (${anchored} anchored), ${bundle.identities.length} identity proofs, ${bundle.heads.length} certified heads${output === '-' ? '' : ` → ${output}`}\n`);
    return EXIT_OK;
  } catch (error) {
    if (error instanceof ExportError || error instanceof TypeError) {
      process.stderr.write(`proofhub export: ${error.message}\n`);
      return EXIT_CHECK_FAILED;
    }
    throw error;
  }
}

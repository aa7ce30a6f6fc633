// `proofhub import --url URL FILE`: loads a bundle into a running hub through POST /api/v1/import
// (admin session), in import order (lib/bundle importOrder) and batches under the hub's body limit.
// Proofs the hub already holds are skipped by the hub, so running it again resumes or does nothing.
import { importOrder, parseBundle, type ImportEntry } from '@/lib/bundle';
import { parseCommand, parseJsonText, requireOption } from '../args';
import { EXIT_CHECK_FAILED, EXIT_OK, UsageError, readInput } from '../io';

const HELP = `Usage: proofhub import --url URL FILE [--cookie-env NAME] [--batch N]

Loads a bundle (from \`proofhub export\`) into another hub: every proof goes through the same
admission checks as a submission (id, signature with the key of its seq, chain link, references,
content digest, delegation), except that the importing admin need not be its issuer and its
created_at is not compared with the clock. Identity chains first, each issuer's proofs in seq
order, parents before replies. Proofs the hub already has are skipped: run it again to resume.
Hubs the bundle names that the target lacks are created private, owned by the importing admin.
A moderation proof (hide, unhide, flag) takes effect only if its signer's account on the target
hub is a moderator there; otherwise it is stored (still verifiable) without effect and listed as
NO EFFECT. Progress goes to stderr.

Options:
  --url URL          the target hub
  --cookie-env NAME  environment variable holding an admin's session cookie
                     (default PROOFHUB_COOKIE), e.g. "next-auth.session-token=…"
  --batch N          proofs per request (default 200, at most 500)

Exit codes: 0 every proof imported or already present; 1 some proof refused (each is printed
with its code) or the hub refused the session; 2 usage or an unreadable bundle.`;

const MAX_BATCH_BYTES = 200 * 1024;

interface Outcome {
  id: string | null;
  status: 'imported' | 'present' | 'refused';
  code?: string;
  message?: string;
}

function batches(entries: readonly ImportEntry[], size: number): ImportEntry[][] {
  const out: ImportEntry[][] = [];
  let current: ImportEntry[] = [];
  let bytes = 0;
  for (const entry of entries) {
    const length = JSON.stringify(entry).length;
    if (current.length > 0 && (current.length >= size || bytes + length > MAX_BATCH_BYTES)) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(entry);
    bytes += length;
  }
  if (current.length > 0) out.push(current);
  return out;
}

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommand(argv, {
    help: HELP,
    options: { url: { type: 'string' }, 'cookie-env': { type: 'string' }, batch: { type: 'string' } },
    positionals: [1, 1],
  });
  if (parsed.help) {
    process.stdout.write(`${HELP}\n`);
    return EXIT_OK;
  }
  const { values } = parsed;
  const base = requireOption(values.url, '--url').replace(/\/$/, '');
  const size = values.batch === undefined ? 200 : Number(values.batch);
  if (!Number.isInteger(size) || size < 1 || size > 500) throw new UsageError('--batch must be an integer from 1 to 500');
  const cookieEnv = values['cookie-env'] ?? 'PROOFHUB_COOKIE';
  const cookie = process.env[cookieEnv];
  if (cookie === undefined || cookie === '') throw new UsageError(`set ${cookieEnv} to an admin's session cookie`);
  const path = parsed.positionals[0] as string;
  const bundle = parseBundle(parseJsonText(await readInput(path), path));
  if (!bundle.ok) throw new UsageError(bundle.error.message);

  const entries = importOrder(bundle.value);
  let done = 0;
  const totals = { imported: 0, present: 0, refused: 0 };
  const refused: Outcome[] = [];
  const withoutEffect: Outcome[] = [];
  for (const batch of batches(entries, size)) {
    let response: Response;
    try {
      response = await fetch(`${base}/api/v1/import`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie },
        body: JSON.stringify({ proofs: batch.map((entry) => (entry.content === undefined ? { proof: entry.proof } : { proof: entry.proof, content: entry.content })) }),
      });
    } catch (error) {
      process.stderr.write(`proofhub import: ${base}: ${(error as Error).message}; ${done} of ${entries.length} sent, run again to resume\n`);
      return EXIT_CHECK_FAILED;
    }
    const body = (await response.json().catch(() => null)) as { results?: Outcome[]; error?: { code: string; message: string } } | null;
    if (!response.ok || body?.results === undefined) {
      process.stderr.write(`proofhub import: the hub refused: ${body?.error?.code ?? response.status} ${body?.error?.message ?? ''}\n`);
      return EXIT_CHECK_FAILED;
    }
    for (const outcome of body.results) {
      totals[outcome.status]++;
      if (outcome.status === 'refused') refused.push(outcome);
      else if (outcome.code === 'moderation_without_effect') withoutEffect.push(outcome);
    }
    done += batch.length;
    process.stderr.write(`imported ${done}/${entries.length} (${totals.imported} new, ${totals.present} already there, ${totals.refused} refused)\n`);
  }
  for (const outcome of refused) process.stdout.write(`REFUSED ${outcome.id ?? '(no id)'} ${outcome.code ?? ''}: ${outcome.message ?? ''}\n`);
  for (const outcome of withoutEffect) process.stdout.write(`NO EFFECT ${outcome.id ?? '(no id)'} ${outcome.code ?? ''}: ${outcome.message ?? ''}\n`);
  process.stdout.write(`${totals.imported} imported, ${totals.present} already present, ${totals.refused} refused\n`);
  if (withoutEffect.length > 0) process.stdout.write(`${withoutEffect.length} moderation proofs stored without effect (signer not a moderator of the target hub)\n`);
  return totals.refused === 0 ? EXIT_OK : EXIT_CHECK_FAILED;
}

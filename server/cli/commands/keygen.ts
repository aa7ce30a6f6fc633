// `proofhub keygen --out FILE`: a fresh Ed25519 key (32 random bytes from the OS CSPRNG), written
// as a 0600 key file; prints the key's did:key, the issuer of the proofs it will sign.
import { generateSeed } from '@/server/crypto/ed25519-node';
import { parseCommand, requireOption } from '../args';
import { formatKeyFile, writeSecretFile } from '../key-file';
import { EXIT_OK } from '../io';

const HELP = `Usage: proofhub keygen --out FILE [--force]

Generates an Ed25519 signing key and writes it to FILE as JSON
{"type":"ed25519","seed":"<64 hex>","did":"did:key:z6Mk…"}, readable by you only (mode 0600).
Prints the key's did:key: the issuer of every proof signed with it.

Options:
  --out FILE   where to write the key file (refuses to overwrite an existing file)
  --force      replace FILE if it exists

Keep the file secret: anyone who reads it can sign as you.

Example:
  proofhub keygen --out alice.key`;

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommand(argv, {
    help: HELP,
    options: { out: { type: 'string', short: 'o' }, force: { type: 'boolean' } },
    positionals: [0, 0],
  });
  if (parsed.help) {
    process.stdout.write(`${HELP}\n`);
    return EXIT_OK;
  }
  const out = requireOption(parsed.values.out, '--out');
  const { text, did } = formatKeyFile(generateSeed());
  await writeSecretFile(out, text, { force: parsed.values.force === true });
  process.stdout.write(`${did}\n`);
  return EXIT_OK;
}

import { readFile } from 'node:fs/promises';

export async function run(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write('Usage: proofhub version\n\nPrints the installed proofhub version.\n');
    return 0;
  }
  const pkg = JSON.parse(await readFile(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  process.stdout.write(`${pkg.version}\n`);
  return 0;
}

// `proofhub devnet [--dir DIR] [--base-port P]`: a 4-validator devnet on loopback in the foreground.
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { DEFAULT_BASE_PORT, DEFAULT_DEVNET_DIR, startDevnet } from './devnet';

export const DEVNET_USAGE = `Usage: proofhub devnet [--dir DIR] [--base-port P]

Runs a 4-validator proofhub chain on 127.0.0.1, each validator its own process. The first run makes
a genesis file and one key per validator in DIR; later runs reuse them and continue the chain.
Validator i serves RPC (and its peer links) on port P+i.

Options:
  --dir DIR           genesis, keys, data and logs (default ${DEFAULT_DEVNET_DIR})
  --base-port P       port of validator 0 (default ${DEFAULT_BASE_PORT})
  --timeout-ms N      base view timeout of every validator in ms (default 2000)
  --log-level LEVEL   validators' log level (default info); logs go to DIR/validator-<i>/validator.log
  -h, --help          show this help

Stops every validator on SIGINT (Ctrl-C) or SIGTERM.`;

const optionsSchema = z.object({
  dir: z.string().min(1).optional(),
  'base-port': z.string().regex(/^[0-9]+$/, 'expected a port number').transform(Number).pipe(z.number().int().min(1).max(65_532)).optional(),
  'timeout-ms': z.string().regex(/^[0-9]+$/, 'expected a whole number').transform(Number).pipe(z.number().int().min(100).max(600_000)).optional(),
  'log-level': z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).optional(),
});

export async function runDevnetCommand(argv: string[]): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        dir: { type: 'string' },
        'base-port': { type: 'string' },
        'timeout-ms': { type: 'string' },
        'log-level': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    process.stderr.write(`proofhub devnet: ${(error as Error).message}\n\n${DEVNET_USAGE}\n`);
    return 2;
  }
  if (values.help === true) {
    process.stdout.write(`${DEVNET_USAGE}\n`);
    return 0;
  }
  const parsed = optionsSchema.safeParse({ ...values, help: undefined });
  if (!parsed.success) {
    const message = parsed.error.issues.map((issue) => `--${issue.path.join('.')}: ${issue.message}`).join('; ');
    process.stderr.write(`proofhub devnet: ${message}\n\n${DEVNET_USAGE}\n`);
    return 2;
  }
  const options = parsed.data;
  process.stdout.write('starting 4 validators…\n');
  let devnet;
  try {
    devnet = await startDevnet({
      ...(options.dir === undefined ? {} : { dir: options.dir }),
      ...(options['base-port'] === undefined ? {} : { basePort: options['base-port'] }),
      ...(options['timeout-ms'] === undefined ? {} : { timeoutMs: options['timeout-ms'] }),
      ...(options['log-level'] === undefined ? {} : { logLevel: options['log-level'] }),
    });
  } catch (error) {
    process.stderr.write(`proofhub devnet: ${(error as Error).message}\n`);
    return 1;
  }
  const rows = await Promise.all(
    devnet.validators.map(async (validator) => {
      try {
        const status = (await (await fetch(`${validator.url}/status`)).json()) as { height: number; view: number; tree_size: number; peers: number };
        return `  ${String(validator.index).padEnd(3)} ${validator.url.padEnd(24)} height ${String(status.height).padEnd(6)} view ${String(status.view).padEnd(6)} tree ${String(status.tree_size).padEnd(8)} peers ${status.peers}`;
      } catch {
        return `  ${String(validator.index).padEnd(3)} ${validator.url.padEnd(24)} (no answer)`;
      }
    }),
  );
  process.stdout.write(
    [`devnet "${devnet.genesis.chainId}" running from ${devnet.dir}`, `genesis ${devnet.genesisPath}`, ...rows, 'Ctrl-C stops every validator.', ''].join('\n'),
  );
  await new Promise<void>((resolveSignal) => {
    process.once('SIGINT', () => resolveSignal());
    process.once('SIGTERM', () => resolveSignal());
  });
  process.stdout.write('stopping validators…\n');
  await devnet.stop();
  return 0;
}

// `proofhub validator`: one validator process from a genesis file and a key file.
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { GenesisError, readGenesisFile, validatorIndexOf } from './genesis';
import { KeyFileError, readKeyFile } from './keys';
import { createLogger } from './logger';
import { ValidatorNode } from './validator';

export const VALIDATOR_USAGE = `Usage: proofhub validator --genesis FILE --key FILE [options]

Runs one proofhub validator: HotStuff-2 consensus with the peers named in the genesis file, its
own LevelDB store, and the RPC (HTTP + WebSocket) on the port genesis gives this validator.

Options:
  --genesis FILE          genesis file (chain id and validator set)           required
  --key FILE              this validator's key file (mode 0600)              required
  --data DIR              data directory (default ./data/validator-<index>)
  --listen HOST           address to bind (default: this validator's host in genesis)
  --timeout-ms N          base view timeout in ms (default 2000)
  --block-time-ms N       wait for more leaves before cutting a partial block (default 20)
  --idle-block-ms N       propose an empty block after this long idle (default min(1000, timeout/4))
  --max-block-leaves N    leaves per block at most (default 1024)
  --log-level LEVEL       trace|debug|info|warn|error|silent (default info; env PROOFHUB_LOG_LEVEL)
  -h, --help              show this help

Prints "proofhub validator <index> listening on http://HOST:PORT" when it serves RPC and has joined
consensus. SIGINT/SIGTERM stop it cleanly. Exit codes: 0 stopped, 1 failed, 2 bad usage or an unreadable or
invalid genesis or key file.`;

const intOption = (min: number, max: number) =>
  z
    .string()
    .regex(/^[0-9]+$/, 'expected a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max))
    .optional();

const optionsSchema = z.object({
  genesis: z.string().min(1, '--genesis is required'),
  key: z.string().min(1, '--key is required'),
  data: z.string().min(1).optional(),
  listen: z.string().min(1).optional(),
  'timeout-ms': intOption(50, 600_000),
  'block-time-ms': intOption(0, 60_000),
  'idle-block-ms': intOption(1, 300_000),
  'max-block-leaves': intOption(1, 4096),
  'log-level': z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).optional(),
});

export class ValidatorUsageError extends Error {}

export function parseValidatorArgs(argv: string[]): z.infer<typeof optionsSchema> | 'help' {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        genesis: { type: 'string' },
        key: { type: 'string' },
        data: { type: 'string' },
        listen: { type: 'string' },
        'timeout-ms': { type: 'string' },
        'block-time-ms': { type: 'string' },
        'idle-block-ms': { type: 'string' },
        'max-block-leaves': { type: 'string' },
        'log-level': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw new ValidatorUsageError((error as Error).message);
  }
  if (values.help === true) return 'help';
  const parsed = optionsSchema.safeParse({ genesis: '', key: '', ...values, help: undefined });
  if (!parsed.success) {
    throw new ValidatorUsageError(
      parsed.error.issues.map((issue) => (issue.message.startsWith('--') ? issue.message : `--${issue.path.join('.')}: ${issue.message}`)).join('; '),
    );
  }
  return parsed.data;
}

/** Runs a validator until SIGINT/SIGTERM (or, as a devnet child, until the parent goes away). */
export async function runValidatorProcess(argv: string[]): Promise<number> {
  let options: ReturnType<typeof parseValidatorArgs>;
  try {
    options = parseValidatorArgs(argv);
  } catch (error) {
    process.stderr.write(`proofhub validator: ${(error as Error).message}\n\n${VALIDATOR_USAGE}\n`);
    return 2;
  }
  if (options === 'help') {
    process.stdout.write(`${VALIDATOR_USAGE}\n`);
    return 0;
  }
  let node: ValidatorNode | undefined;
  try {
    const genesis = await readGenesisFile(options.genesis);
    const key = await readKeyFile(options.key);
    const log = createLogger('validator', options['log-level']);
    let fatal: unknown = null;
    const index = validatorIndexOf(genesis, key.publicKey);
    if (index < 0) throw new KeyFileError('key_file_mismatch', `the key in ${options.key} is not one of the validators in ${options.genesis}`);
    const dataDir = resolve(options.data ?? `./data/validator-${index}`);
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    const running = new ValidatorNode({
      genesis,
      key,
      dataDir,
      log,
      ...(options.listen === undefined ? {} : { listenHost: options.listen }),
      ...(options['timeout-ms'] === undefined ? {} : { baseTimeoutMs: options['timeout-ms'] }),
      ...(options['block-time-ms'] === undefined ? {} : { blockTimeMs: options['block-time-ms'] }),
      ...(options['idle-block-ms'] === undefined ? {} : { idleBlockMs: options['idle-block-ms'] }),
      ...(options['max-block-leaves'] === undefined ? {} : { maxBlockLeaves: options['max-block-leaves'] }),
      onFatal: (error) => {
        fatal = error;
        process.kill(process.pid, 'SIGTERM');
      },
    });
    node = running;
    const stopped = new Promise<number>((resolveStop) => {
      let stopping = false;
      const stop = (signal: string): void => {
        if (stopping) return;
        stopping = true;
        log.info({ signal }, 'stopping');
        void running.stop().finally(() => resolveStop(fatal === null ? 0 : 1));
      };
      process.once('SIGINT', () => stop('SIGINT'));
      process.once('SIGTERM', () => stop('SIGTERM'));
      // A devnet child: die with the parent rather than linger as an orphan.
      if (process.send !== undefined) process.once('disconnect', () => stop('parent exited'));
    });
    await running.start();
    process.stdout.write(`proofhub validator ${running.index} listening on ${running.url}\n`);
    const code = await stopped;
    // The devnet's IPC channel would keep the event loop alive.
    if (process.connected) process.disconnect();
    return code;
  } catch (error) {
    process.stderr.write(`proofhub validator: ${(error as Error).message}\n`);
    // A start that failed half-way (e.g. its port taken) must not leave the process running: close
    // what was opened, and let go of a devnet parent's IPC channel so the parent sees the exit.
    await node?.stop().catch(() => undefined);
    if (process.connected) process.disconnect();
    // Unreadable or invalid input files are usage errors (docs/cli.md); anything else failed.
    return error instanceof GenesisError || error instanceof KeyFileError ? 2 : 1;
  }
}

// proofhub CLI dispatcher. Each command lives in server/cli/commands/<name>.ts and exports
// `run(argv): Promise<number>` returning the exit code: 0 success, 1 a check failed, 2 bad usage
// or unreadable input. Every command answers --help.
import { EXIT_INTERNAL, EXIT_USAGE, UsageError, printError } from './io';

type CommandModule = { run: (argv: string[]) => Promise<number> };

interface CommandEntry {
  summary: string;
  load: () => Promise<CommandModule>;
}

// Commands are loaded lazily so `proofhub merkle …` does not pay for the web server's imports.
const COMMANDS: Record<string, CommandEntry> = {};

export function registerCommand(name: string, entry: CommandEntry): void {
  COMMANDS[name] = entry;
}

function usage(): string {
  const rows = Object.entries(COMMANDS)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, entry]) => `  ${name.padEnd(14)}${entry.summary}`);
  return ['Usage: proofhub <command> [options]', '', 'Commands:', ...rows, '', 'Run `proofhub <command> --help` for a command\'s options.', 'Exit codes: 0 success, 1 a check failed, 2 bad usage or unreadable input.'].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  await import('./commands/index');
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${usage()}\n`);
    return name === undefined ? EXIT_USAGE : 0;
  }
  const entry = COMMANDS[name];
  if (!entry) {
    printError(`unknown command "${name}"\n\n${usage()}`);
    return EXIT_USAGE;
  }
  const command = await entry.load();
  try {
    return await command.run(rest);
  } catch (error) {
    // Commands throw UsageError for bad usage and unreadable input anywhere in their work; one
    // place turns it into the message and exit code 2. Anything else is a bug: its stack is
    // printed and the exit code is 70, never 1, which means "a check failed".
    if (error instanceof UsageError) {
      printError(`${name}: ${error.message}`);
      return EXIT_USAGE;
    }
    printError(`${name}: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return EXIT_INTERNAL;
  }
}

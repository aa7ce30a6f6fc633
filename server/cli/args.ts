// Argument parsing shared by every command: node:util parseArgs in strict mode (an unknown flag or
// a missing value is a usage error, exit 2), a uniform --help, and zod checks of option values so
// every refusal names the option and what was expected.
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { UsageError } from './io';

export type OptionSpec = { type: 'string'; short?: string } | { type: 'boolean'; short?: string };

export interface CommandSpec<Options extends Record<string, OptionSpec>> {
  /** Full help text printed for --help (usage, options, examples). */
  help: string;
  options: Options;
  /** How many positional arguments the command takes: [min, max]. */
  positionals: readonly [number, number];
}

type OptionValues<Options extends Record<string, OptionSpec>> = {
  [K in keyof Options]?: Options[K] extends { type: 'boolean' } ? boolean : string;
};

export type ParsedCommand<Options extends Record<string, OptionSpec>> =
  | { help: true }
  | { help: false; values: OptionValues<Options>; positionals: string[] };

/**
 * Parses argv against spec. `--help`/`-h` anywhere wins (so a half-typed command still gets its
 * help). Throws UsageError on an unknown option, a missing option value or a wrong positional
 * count.
 */
export function parseCommand<Options extends Record<string, OptionSpec>>(
  argv: string[],
  spec: CommandSpec<Options>,
): ParsedCommand<Options> {
  if (argv.includes('--help') || argv.includes('-h')) return { help: true };
  let parsed: { values: Record<string, unknown>; positionals: string[] };
  try {
    parsed = parseArgs({ args: argv, options: spec.options, strict: true, allowPositionals: true });
  } catch (error) {
    throw new UsageError(cleanParseArgsMessage(error));
  }
  const [min, max] = spec.positionals;
  const count = parsed.positionals.length;
  if (count < min) throw new UsageError(`missing argument (expected ${describeCount(min, max)}, got ${count})`);
  if (count > max) throw new UsageError(`unexpected argument "${parsed.positionals[max] ?? ''}" (expected ${describeCount(min, max)})`);
  return { help: false, values: parsed.values as OptionValues<Options>, positionals: parsed.positionals };
}

function describeCount(min: number, max: number): string {
  if (min === max) return `${min} positional argument${min === 1 ? '' : 's'}`;
  return `${min} to ${max} positional arguments`;
}

// parseArgs messages end with hints about "--" that do not apply to us; keep the first sentence.
function cleanParseArgsMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/\. To specify a positional argument.*$/s, '').replace(/\.$/, '');
}

/** The value of a required option, or a UsageError naming it. */
export function requireOption(value: string | undefined, flag: string): string {
  if (value === undefined) throw new UsageError(`missing required option ${flag}`);
  return value;
}

const decimalInteger = z.string().regex(/^(0|[1-9][0-9]*)$/, 'expected a non-negative decimal integer');

/** A non-negative safe integer option (--seq, --index, --size, …). */
export function parseIntegerOption(text: string, flag: string, { min = 0 }: { min?: number } = {}): number {
  const result = decimalInteger
    .transform(Number)
    .pipe(z.number().int().min(min, `must be at least ${min}`).max(Number.MAX_SAFE_INTEGER, 'is too large'))
    .safeParse(text);
  if (!result.success) throw new UsageError(`${flag} ${JSON.stringify(text)}: ${result.error.issues[0]?.message ?? 'invalid'}`);
  return result.data;
}

/** Parses JSON text, naming what it was when it is not JSON. */
export function parseJsonText(text: string, what: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new UsageError(`${what} is not valid JSON: ${(error as Error).message}`);
  }
}

/** Formats the first zod issues of a failed parse as one line: `path: message; …`. */
export function describeZodError(error: z.ZodError, limit = 3): string {
  const parts = error.issues.slice(0, limit).map((issue) => {
    return issue.path.length > 0 ? `${issue.path.map(String).join('.')}: ${issue.message}` : issue.message;
  });
  if (error.issues.length > limit) parts.push(`and ${error.issues.length - limit} more`);
  return parts.join('; ');
}

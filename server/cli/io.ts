// Shared CLI plumbing: exit codes, error printing and input reading.
import { readFile } from 'node:fs/promises';

export const EXIT_OK = 0;
export const EXIT_CHECK_FAILED = 1;
export const EXIT_USAGE = 2;
/** A bug, not a verdict: kept apart from 1 so a script never reads a crash as "check failed" (sysexits EX_SOFTWARE). */
export const EXIT_INTERNAL = 70;

export class UsageError extends Error {}

export function printError(message: string): void {
  process.stderr.write(`proofhub: ${message}\n`);
}

/** Reads a file, or standard input when path is "-". Throws UsageError when unreadable. */
export async function readInput(path: string): Promise<string> {
  try {
    if (path === '-') {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    }
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${path === '-' ? 'standard input' : path}: ${(error as Error).message}`);
  }
}

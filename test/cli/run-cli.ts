// Runs the real `proofhub` command (bin/proofhub.mjs, as `npx proofhub` does) in a child process.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/proofhub.mjs', import.meta.url));

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `proofhub ...args` with optional standard input; never rejects on a non-zero exit. */
export function runCli(args: readonly string[], options: { input?: string; cwd?: string } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(process.execPath, [BIN, ...args], { cwd: options.cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error === null) {
        resolve({ code: 0, stdout, stderr });
      } else if (typeof error.code === 'number') {
        resolve({ code: error.code, stdout, stderr });
      } else {
        reject(new Error(`proofhub did not run: ${error.message}`));
      }
    });
    child.stdin?.end(options.input ?? '');
  });
}

/** Parses stdout as JSON, failing with the whole output when it is not. */
export function parseStdout(result: CliResult): unknown {
  try {
    return JSON.parse(result.stdout) as unknown;
  } catch {
    throw new Error(`stdout is not JSON (exit ${result.code}):\n${result.stdout}\n${result.stderr}`);
  }
}

/**
 * Runs the CLI's main() in this process with stdout and stderr captured: the same code as the
 * binary minus process start-up (~0.5 s under tsx), for the long matrices of inputs. Runs must not
 * overlap (they share process.stdout). Standard input is not available here.
 */
export async function runMain(args: readonly string[]): Promise<CliResult> {
  const { main } = await import('@/server/cli/main');
  let stdout = '';
  let stderr = '';
  const originalOut = process.stdout.write.bind(process.stdout);
  const originalErr = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((chunk: string | Uint8Array) => {
    stdout += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return true;
  });
  process.stderr.write = ((chunk: string | Uint8Array) => {
    stderr += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return true;
  });
  try {
    const code = await main([...args]);
    return { code, stdout, stderr };
  } finally {
    process.stdout.write = originalOut;
    process.stderr.write = originalErr;
  }
}

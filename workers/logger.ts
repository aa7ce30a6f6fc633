// Structured logs (pino, JSON lines on stderr) for the validator process. Tests and the devnet
// pass a quieter level; `silentLogger` serves in-process unit tests.
import { destination, pino } from 'pino';

export interface Logger {
  debug(object: object, message?: string): void;
  info(object: object, message?: string): void;
  warn(object: object, message?: string): void;
  error(object: object, message?: string): void;
}

export function createLogger(name: string, level = process.env.PROOFHUB_LOG_LEVEL ?? 'info'): Logger {
  return pino({ name, level, base: { pid: process.pid } }, destination(2));
}

const ignore = (): void => {};
export const silentLogger: Logger = { debug: ignore, info: ignore, warn: ignore, error: ignore };

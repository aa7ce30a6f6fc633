// Structured JSON logs (pino) that carry the id of the HTTP request or Socket.IO connection they
// happen in. The id lives in an AsyncLocalStorage store, and the logger's mixin adds it to every
// line, so code deep in the services logs with the plain logger and still names its request.
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import type { DestinationStream, Level, Logger } from 'pino';

export interface LogScope {
  /** X-Request-Id of the HTTP request (echoed back), or the socket's id for Socket.IO work. */
  reqId?: string;
  socketId?: string;
}

const scope = new AsyncLocalStorage<LogScope>();

/** Runs fn with `fields` added to every log line written inside it (and its async continuations). */
export function withLogScope<T>(fields: LogScope, fn: () => T): T {
  return scope.run({ ...scope.getStore(), ...fields }, fn);
}

export function currentLogScope(): LogScope | undefined {
  return scope.getStore();
}

/** The web process's logger: JSON lines on stdout (or `destination`), request ids mixed in. */
export function createLogger(level: Level | 'silent', destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { pid: process.pid, service: 'proofhub-web' },
    timestamp: pino.stdTimeFunctions.isoTime,
    mixin: () => ({ ...scope.getStore() }),
  };
  return destination === undefined ? pino(options) : pino(options, destination);
}

// A client may name its request (a proxy or an agent tracing a call), but only with a short,
// printable id: it goes into logs and a response header unchanged.
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The request id to use: the client's X-Request-Id when it is sane, otherwise a new UUID. */
export function requestIdFrom(header: string | string[] | undefined): string {
  const given = Array.isArray(header) ? header[0] : header;
  return given !== undefined && REQUEST_ID.test(given) ? given : randomUUID();
}

// The admin socket server (inside the running hub) and client (the CLI). See protocol.ts.
import { chmod, rm } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import type { Logger } from 'pino';
import type { AdminDeps } from './operations';
import { runAdminRequest } from './operations';
import { MAX_ADMIN_REQUEST_BYTES } from './protocol';
import type { AdminRequest, AdminResponse } from './protocol';

export interface AdminSocket {
  path: string;
  close(): Promise<void>;
}

function reply(socket: Socket, response: AdminResponse): void {
  socket.end(`${JSON.stringify(response)}\n`);
}

/**
 * Listens on a unix socket at path (mode 0600). Precondition: the caller holds the data dir lock,
 * so a socket file left there is stale (a crash) and is replaced.
 */
export async function startAdminSocket(path: string, deps: AdminDeps, logger: Logger): Promise<AdminSocket> {
  await rm(path, { force: true });
  const server: Server = createServer((socket) => {
    let buffer = '';
    socket.setEncoding('utf8');
    socket.on('error', () => socket.destroy());
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      if (buffer.length > MAX_ADMIN_REQUEST_BYTES) {
        reply(socket, { ok: false, error: { code: 'too_large', message: 'request too large' } });
        return;
      }
      const newline = buffer.indexOf('\n');
      if (newline < 0) return;
      socket.removeAllListeners('data');
      let request: unknown;
      try {
        request = JSON.parse(buffer.slice(0, newline)) as unknown;
      } catch {
        reply(socket, { ok: false, error: { code: 'invalid_request', message: 'not JSON' } });
        return;
      }
      runAdminRequest(deps, request).then(
        (response) => {
          logger.info({ op: (request as { op?: unknown }).op, ok: response.ok }, 'admin request');
          reply(socket, response);
        },
        (error: unknown) => {
          logger.error({ err: error }, 'admin request failed');
          reply(socket, { ok: false, error: { code: 'internal', message: 'internal error (see the hub log)' } });
        },
      );
    });
  });
  // Owner-only from the first instant: umask would leave a window between listen and chmod.
  const previousUmask = process.umask(0o177);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(path, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } finally {
    process.umask(previousUmask);
  }
  await chmod(path, 0o600);
  return {
    path,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
      }),
  };
}

export class AdminSocketUnavailable extends Error {
  override readonly name = 'AdminSocketUnavailable';
}

/** Sends one request to the running hub; AdminSocketUnavailable when no hub listens there. */
export function sendAdminRequest(path: string, request: AdminRequest, timeoutMs = 30_000): Promise<AdminResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(path);
    let buffer = '';
    let connected = false;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the hub did not answer on ${path} within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    socket.setEncoding('utf8');
    socket.on('connect', () => {
      connected = true;
      socket.write(`${JSON.stringify(request)}\n`);
    });
    socket.on('data', (chunk: string) => {
      buffer += chunk;
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (!connected && (error.code === 'ENOENT' || error.code === 'ECONNREFUSED')) reject(new AdminSocketUnavailable(`no hub is listening on ${path}`));
      else reject(error);
    });
    socket.on('end', () => {
      clearTimeout(timer);
      try {
        resolve(JSON.parse(buffer) as AdminResponse);
      } catch {
        reject(new Error('the hub sent an unreadable answer'));
      }
    });
  });
}

// The one HTTP server of the web process: Socket.IO (/socket.io), the REST API (/api/v1,
// /health), then Next.js for everything else, all on one port. Upgrades are routed here too:
// /socket.io to Socket.IO, anything else (HMR in dev) to Next, so Next's own upgrade listener
// never sees Socket.IO's connections (vercel/next.js#64128: two listeners fighting over one
// upgrade break one of them).
import { EventEmitter } from 'node:events';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { SOCKET_PATH } from '@/lib/protocol/events';
import type { AppContext } from './context';
import { createApiRouter, isApiPath } from './http/routes';
import { observeRequest } from './observability/http';
import { instrumentRealtime } from './observability/realtime';
import { createRealtime } from './realtime/realtime';
import type { Realtime } from './realtime/realtime';
import { listenOn } from './listen';

export interface NextHandlers {
  handleRequest: (req: IncomingMessage, res: ServerResponse) => Promise<void>;
  /**
   * Next attaches its upgrade listener (dev HMR) to the `httpServer` it was given on its first
   * request. Give it this emitter instead of the real server; the web server forwards it the
   * upgrades that are not Socket.IO's.
   */
  upgrades: EventEmitter;
}

export interface WebServer {
  server: Server;
  realtime: Realtime;
  listen(port: number, host: string): Promise<{ port: number }>;
  /** Stops accepting, disconnects sockets, waits for open requests (at most timeoutMs). */
  close(timeoutMs?: number): Promise<void>;
}

export function createNextUpgradeBus(): EventEmitter {
  return new EventEmitter();
}

function isSocketPath(url: string | undefined): boolean {
  return url !== undefined && (url === SOCKET_PATH || url.startsWith(`${SOCKET_PATH}/`) || url.startsWith(`${SOCKET_PATH}?`));
}

export function createWebServer(ctx: AppContext, next: NextHandlers | null): WebServer {
  const router = createApiRouter(ctx);
  const server = createServer((req, res) => {
    observeRequest(ctx, req, res, () => handle(req, res)).catch((error: unknown) => {
      ctx.logger.error({ err: error, url: req.url }, 'request failed');
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'internal', message: 'internal error' } }));
    });
  });

  // Node closes an idle keep-alive connection after 5 s by default; a client that sends its next
  // request on it at that moment gets ECONNRESET with no answer (a non-idempotent POST is then
  // lost to it). 65 s outlasts the idle timeouts of common proxies and load balancers (60 s), so
  // the client or proxy closes first. server.close() still drops idle connections at once.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (await router.handle(req, res)) return;
    if (isApiPath(req) || next === null) {
      res.writeHead(404, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify({ error: { code: 'not_found', message: `no route for ${req.method ?? ''} ${(req.url ?? '').split('?')[0] ?? ''}` } }));
      return;
    }
    await next.handleRequest(req, res);
  }

  // Socket.IO intercepts its own path on 'request' and 'upgrade' (engine.io attach); this
  // listener passes every other upgrade to Next, or closes it.
  const realtime = createRealtime(server, { prisma: ctx.prisma, secret: ctx.secret, ingest: ctx.ingest, events: ctx.events, logger: ctx.logger, redis: ctx.redis, agents: ctx.agents });
  const stopInstrumenting = instrumentRealtime(realtime.io, ctx.events);
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (isSocketPath(req.url)) return;
    if (next !== null && next.upgrades.listenerCount('upgrade') > 0) next.upgrades.emit('upgrade', req, socket, head);
    else socket.destroy();
  });

  return {
    server,
    realtime,
    listen: (port, host) => listenOn(server, port, host),
    close: async (timeoutMs = 5000) => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      stopInstrumenting();
      await realtime.close();
      server.closeIdleConnections();
      const timer = setTimeout(() => server.closeAllConnections(), timeoutMs);
      await closed;
      clearTimeout(timer);
    },
  };
}

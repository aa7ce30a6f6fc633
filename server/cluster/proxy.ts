// The small front proxy of `npm run cluster`: one port in front of N web instances, carrying
// HTTP and WebSocket upgrades (docs/operations.md, "Cluster").
//
// Stickiness: Socket.IO's long-polling transport sends several HTTP requests per session, and
// they must reach the instance that holds the session. The proxy pins a browser to an instance
// with a cookie (`proofhub_node=<index>`) that it sets on the first response (the page load,
// before the socket connects). A WebSocket is one TCP connection, so it needs no stickiness; a
// client without cookies (an agent, a test) should use the websocket transport. When the pinned
// instance refuses connections, the proxy marks it down for a while, picks the next live one and
// re-pins the client.
import { createServer, request as httpRequest, Agent } from 'node:http';
import type { IncomingMessage, OutgoingHttpHeaders, Server, ServerResponse } from 'node:http';
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { listenOn } from '../listen';

export const STICKY_COOKIE = 'proofhub_node';
/** How long a backend that refused a connection is skipped. */
const DOWN_FOR_MS = 2000;

export interface Backend {
  host: string;
  port: number;
}

export interface StickyProxy {
  server: Server;
  listen(port: number, host: string): Promise<{ port: number }>;
  close(): Promise<void>;
}

function stickyIndex(cookieHeader: string | undefined, count: number): number | null {
  if (cookieHeader === undefined) return null;
  for (const part of cookieHeader.split(';')) {
    const [name, value] = part.trim().split('=');
    if (name === STICKY_COOKIE && value !== undefined && /^\d+$/.test(value)) {
      const index = Number(value);
      return index < count ? index : null;
    }
  }
  return null;
}

function isRefusal(error: NodeJS.ErrnoException): boolean {
  return error.code === 'ECONNREFUSED' || error.code === 'ECONNRESET' || error.code === 'EHOSTUNREACH';
}

export function createStickyProxy(backends: readonly Backend[]): StickyProxy {
  if (backends.length === 0) throw new Error('the proxy needs at least one backend');
  const downUntil = backends.map(() => 0);
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const upgraded = new Set<Duplex>();
  let next = 0;

  /** The pinned backend when it is up, else the next live one round-robin (all down: the pinned or next anyway). */
  function choose(pinned: number | null, exclude: ReadonlySet<number>): number | null {
    const now = Date.now();
    if (pinned !== null && !exclude.has(pinned) && downUntil[pinned]! <= now) return pinned;
    for (let i = 0; i < backends.length; i++) {
      const index = (next + i) % backends.length;
      if (!exclude.has(index) && downUntil[index]! <= now) {
        next = (index + 1) % backends.length;
        return index;
      }
    }
    for (let i = 0; i < backends.length; i++) if (!exclude.has(i)) return i;
    return null;
  }

  function forwardedHeaders(req: IncomingMessage): OutgoingHttpHeaders {
    const previous = req.headers['x-forwarded-for'];
    const address = req.socket.remoteAddress ?? '';
    return { ...req.headers, 'x-forwarded-for': previous === undefined ? address : `${String(previous)}, ${address}`, 'x-forwarded-proto': 'http' };
  }

  function proxyRequest(req: IncomingMessage, res: ServerResponse, tried: Set<number>): void {
    const pinned = stickyIndex(req.headers.cookie, backends.length);
    const index = choose(pinned, tried);
    if (index === null) {
      res.writeHead(502, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'unavailable', message: 'no web instance is reachable' } }));
      return;
    }
    const backend = backends[index]!;
    const outgoing = httpRequest({ host: backend.host, port: backend.port, method: req.method, path: req.url, headers: forwardedHeaders(req), agent });
    outgoing.on('response', (incoming) => {
      const headers = { ...incoming.headers };
      if (pinned !== index) {
        const cookie = `${STICKY_COOKIE}=${index}; Path=/; HttpOnly; SameSite=Lax`;
        const existing = headers['set-cookie'] ?? [];
        headers['set-cookie'] = [...existing, cookie];
      }
      res.writeHead(incoming.statusCode ?? 502, incoming.statusMessage, headers);
      incoming.pipe(res);
    });
    outgoing.on('error', (error: NodeJS.ErrnoException) => {
      // A refused connection before anything was sent: try another instance. The request body
      // was not consumed yet only for bodiless requests, so retry those alone.
      if (isRefusal(error) && !res.headersSent) {
        downUntil[index] = Date.now() + DOWN_FOR_MS;
        tried.add(index);
        if ((req.method === 'GET' || req.method === 'HEAD') && tried.size < backends.length) {
          proxyRequest(req, res, tried);
          return;
        }
      }
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'unavailable', message: `web instance ${index} failed: ${error.code ?? error.message}` } }));
    });
    req.pipe(outgoing);
  }

  function proxyUpgrade(req: IncomingMessage, client: Duplex, head: Buffer, tried: Set<number>): void {
    const index = choose(stickyIndex(req.headers.cookie, backends.length), tried);
    if (index === null) {
      client.end('HTTP/1.1 502 Bad Gateway\r\nConnection: close\r\n\r\n');
      return;
    }
    const backend = backends[index]!;
    const upstream: Socket = connect(backend.port, backend.host);
    let connected = false;
    upstream.once('connect', () => {
      connected = true;
      const lines = [`${req.method ?? 'GET'} ${req.url ?? '/'} HTTP/1.1`];
      for (const [name, value] of Object.entries(forwardedHeaders(req))) {
        if (value === undefined) continue;
        for (const item of Array.isArray(value) ? value : [value]) lines.push(`${name}: ${String(item)}`);
      }
      upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
      upgraded.add(client);
    });
    upstream.on('error', (error: NodeJS.ErrnoException) => {
      if (!connected && isRefusal(error)) {
        downUntil[index] = Date.now() + DOWN_FOR_MS;
        tried.add(index);
        if (tried.size < backends.length) {
          proxyUpgrade(req, client, head, tried);
          return;
        }
      }
      client.destroy();
    });
    // A refused attempt closes too: only the connection that carries the client may end it.
    upstream.on('close', () => {
      if (connected) client.destroy();
    });
    client.on('error', () => upstream.destroy());
    client.on('close', () => {
      upgraded.delete(client);
      upstream.destroy();
    });
  }

  const server = createServer((req, res) => proxyRequest(req, res, new Set()));
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => proxyUpgrade(req, socket, head, new Set()));

  return {
    server,
    listen: (port, host) => listenOn(server, port, host),
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of upgraded) socket.destroy();
      server.closeAllConnections();
      agent.destroy();
      await closed;
    },
  };
}

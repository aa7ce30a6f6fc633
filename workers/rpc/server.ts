// The validator's RPC: one node:http server that also carries the peer links (WS /p2p) and the
// commit stream (WS /commits). Every input goes through a zod schema (schemas.ts); every failure is
// {error:{code,message}} with a fitting status. Routes (docs/validator.md has the contract):
//
//   GET  /status                         {chain_id, validator, height, view, tree_size, root, peers, …}
//   GET  /head                           the certified tree head with its commit certificate
//   GET  /blocks/:height                 a committed block with its certificate
//   GET  /blocks?from=H&limit=N          up to 100 committed blocks from height H (catch-up)
//   GET  /sync?from=H&target=HASH        blocks H… up to the (possibly uncommitted) block HASH
//   GET  /proofs/inclusion?leaf=|id=|index=[&size=]
//   GET  /proofs/consistency?from=&to=
//   POST /leaves                         {leaves:[{pub,id,sig}]} → per-leaf results
//   GET  /metrics                        Prometheus text
//   WS   /commits[?from=H]               committed blocks (backfilled from H), one JSON per message
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import WebSocket, { WebSocketServer } from 'ws';
import type { Registry } from 'prom-client';
import type { Logger } from '../logger';
import type { Leaf } from '../mempool';
import { PEER_PATH } from '../links/peer-links';
import { parseWith, readJsonBody, RpcError, sendError, sendJson, sendJsonText } from './http';
import {
  blocksQuerySchema,
  commitsQuerySchema,
  consistencyQuerySchema,
  heightParamSchema,
  inclusionQuerySchema,
  MAX_BLOCKS_PER_REQUEST,
  MAX_BODY_BYTES,
  parseSubmitLeavesFast,
  submitLeavesSchema,
  syncQuerySchema,
} from './schemas';

export interface LeafSubmitResult {
  readonly leaf_hash: string;
  readonly status: 'accepted' | 'duplicate' | 'committed';
  /** Log index when already committed. */
  readonly index?: number;
}
export interface LeafSubmitFailure {
  readonly leaf_hash: string;
  readonly error: { readonly code: string; readonly message: string };
}

export interface InclusionTarget {
  readonly leaf?: string;
  readonly id?: string;
  readonly index?: number;
  readonly size?: number;
}

/** What the RPC needs from the validator. Views are plain JSON-ready objects. */
export interface RpcBackend {
  status(): object;
  /** The certified tree head, or null before the first commit. */
  head(): object | null;
  /** JSON text of the committed block at height, or null. */
  readBlock(height: number): Promise<string | null>;
  readBlocks(from: number, limit: number): Promise<string[]>;
  /** Blocks from height `from` up to and including the block `target` (hex), as wire JSON. */
  readSync(from: number, target: string): Promise<object | null>;
  inclusionProof(target: InclusionTarget): Promise<object>;
  consistencyProof(from: number, to: number | undefined): object;
  submitLeaves(leaves: readonly Leaf[]): Promise<(LeafSubmitResult | LeafSubmitFailure)[]>;
  /** Committed height now (for the commit stream's backfill). */
  committedHeight(): number;
  /** Calls listener with (height, JSON text) for every block committed from now on. */
  onCommit(listener: (height: number, json: string) => void): () => void;
  readonly registry: Registry;
  countRequest(route: string, status: number): void;
}

export interface RpcServerOptions {
  readonly backend: RpcBackend;
  readonly log: Logger;
  /** Hands /p2p upgrades to the peer links. */
  readonly onPeerUpgrade: (request: IncomingMessage, socket: Duplex, head: Buffer) => void;
  /** Commit-stream clients at once (default 64). */
  readonly maxStreamClients?: number;
}

/** A stream client that lets this much pile up unsent is cut (it can reconnect with ?from=). */
const STREAM_HIGH_WATER = 16 * 1024 * 1024;

export function createRpcServer(options: RpcServerOptions): Server {
  const { backend, log } = options;
  const server = createServer((req, res) => {
    handleRequest(backend, req, res).catch((error: unknown) => {
      if (error instanceof RpcError) {
        sendError(res, error);
        backend.countRequest(routeName(req), error.status);
        return;
      }
      log.error({ err: error, url: req.url }, 'RPC handler failed');
      sendError(res, new RpcError('internal', 'internal error'));
      backend.countRequest(routeName(req), 500);
    });
  });
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  server.keepAliveTimeout = 5_000;

  const commits = new WebSocketServer({ noServer: true, maxPayload: 1024, perMessageDeflate: false });
  const maxClients = options.maxStreamClients ?? 64;
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (url.pathname === PEER_PATH) {
      options.onPeerUpgrade(request, socket, head);
      return;
    }
    if (url.pathname === '/commits') {
      let from: number | undefined;
      try {
        from = parseWith(commitsQuerySchema, Object.fromEntries(url.searchParams), 'invalid_query').from;
      } catch {
        socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
        return;
      }
      if (commits.clients.size >= maxClients) {
        socket.end('HTTP/1.1 503 Service Unavailable\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
        return;
      }
      commits.handleUpgrade(request, socket, head, (ws) => streamCommits(backend, ws, from, log));
      return;
    }
    socket.end('HTTP/1.1 404 Not Found\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
  });
  server.on('close', () => {
    for (const client of commits.clients) client.terminate();
    commits.close();
  });
  return server;
}

function routeName(req: IncomingMessage): string {
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  if (path.startsWith('/blocks/')) return '/blocks/:height';
  return ['/status', '/head', '/blocks', '/sync', '/proofs/inclusion', '/proofs/consistency', '/leaves', '/metrics'].includes(path) ? path : 'other';
}

function queryOf(url: URL): Record<string, string> {
  const query: Record<string, string> = {};
  for (const [key, value] of url.searchParams) {
    if (key in query) throw new RpcError('invalid_query', `parameter ${key} given twice`);
    query[key] = value;
  }
  return query;
}

function requireMethod(req: IncomingMessage, method: 'GET' | 'POST'): void {
  const actual = req.method === 'HEAD' && method === 'GET' ? 'GET' : req.method;
  if (actual !== method) throw new RpcError('method_not_allowed', `use ${method}`);
}

async function handleRequest(backend: RpcBackend, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const path = url.pathname;
  const done = (status: number): void => backend.countRequest(routeName(req), status);

  if (path === '/status') {
    requireMethod(req, 'GET');
    sendJson(res, 200, backend.status());
    return done(200);
  }
  if (path === '/head') {
    requireMethod(req, 'GET');
    const head = backend.head();
    if (!head) throw new RpcError('not_found', 'nothing committed yet');
    sendJson(res, 200, head);
    return done(200);
  }
  if (path.startsWith('/blocks/')) {
    requireMethod(req, 'GET');
    const height = parseWith(heightParamSchema, decodeURIComponent(path.slice('/blocks/'.length)), 'invalid_query');
    const json = await backend.readBlock(height);
    if (json === null) throw new RpcError('not_found', `no committed block at height ${height}`);
    sendJsonText(res, 200, json);
    return done(200);
  }
  if (path === '/blocks') {
    requireMethod(req, 'GET');
    const query = parseWith(blocksQuerySchema, queryOf(url), 'invalid_query');
    const blocks = await backend.readBlocks(query.from, query.limit ?? MAX_BLOCKS_PER_REQUEST);
    sendJsonText(res, 200, `{"blocks":[${blocks.join(',')}]}`);
    return done(200);
  }
  if (path === '/sync') {
    requireMethod(req, 'GET');
    const query = parseWith(syncQuerySchema, queryOf(url), 'invalid_query');
    const answer = await backend.readSync(query.from, query.target);
    if (!answer) throw new RpcError('not_found', 'target block unknown here');
    sendJson(res, 200, answer);
    return done(200);
  }
  if (path === '/proofs/inclusion') {
    requireMethod(req, 'GET');
    const query = parseWith(inclusionQuerySchema, queryOf(url), 'invalid_query');
    sendJson(res, 200, await backend.inclusionProof(query));
    return done(200);
  }
  if (path === '/proofs/consistency') {
    requireMethod(req, 'GET');
    const query = parseWith(consistencyQuerySchema, queryOf(url), 'invalid_query');
    sendJson(res, 200, backend.consistencyProof(query.from, query.to));
    return done(200);
  }
  if (path === '/leaves') {
    requireMethod(req, 'POST');
    const json = await readJsonBody(req, MAX_BODY_BYTES);
    // The common shape decodes without zod; anything else gets the schema and its error answer.
    const leaves = parseSubmitLeavesFast(json) ?? parseWith(submitLeavesSchema, json, 'invalid_body').leaves;
    const results = await backend.submitLeaves(leaves);
    sendJson(res, 200, { results });
    return done(200);
  }
  if (path === '/metrics') {
    requireMethod(req, 'GET');
    const text = await backend.registry.metrics();
    res.writeHead(200, { 'content-type': backend.registry.contentType });
    res.end(text);
    return done(200);
  }
  throw new RpcError('not_found', `no route ${path}`);
}

/**
 * Sends committed blocks from `from` (default: from now on) and then every new commit. Backfill
 * reads the store in pages while live commits queue; a client that falls too far behind is cut.
 */
function streamCommits(backend: RpcBackend, ws: WebSocket, from: number | undefined, log: Logger): void {
  let next = from ?? backend.committedHeight() + 1;
  let backfilling = true;
  const live: { height: number; json: string }[] = [];
  const push = (json: string): void => {
    if (ws.readyState !== WebSocket.OPEN) return;
    if (ws.bufferedAmount > STREAM_HIGH_WATER) {
      ws.close(1013, 'consumer too slow; reconnect with ?from=');
      return;
    }
    ws.send(`{"type":"commit","block":${json}}`);
  };
  const unsubscribe = backend.onCommit((height, json) => {
    if (backfilling) {
      live.push({ height, json });
      if (live.length > 10_000) ws.close(1013, 'consumer too slow; reconnect with ?from=');
      return;
    }
    if (height >= next) {
      push(json);
      next = height + 1;
    }
  });
  ws.on('close', unsubscribe);
  ws.on('error', () => ws.terminate());
  ws.on('message', () => {
    // The stream is one-way; anything a client sends is ignored (maxPayload caps it).
  });
  const backfill = async (): Promise<void> => {
    while (ws.readyState === WebSocket.OPEN && next <= backend.committedHeight()) {
      const page = await backend.readBlocks(next, MAX_BLOCKS_PER_REQUEST);
      if (page.length === 0) break;
      for (const json of page) {
        push(json);
        next++;
      }
      while (ws.bufferedAmount > STREAM_HIGH_WATER / 2 && ws.readyState === WebSocket.OPEN) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    backfilling = false;
    for (const entry of live) {
      if (entry.height >= next) {
        push(entry.json);
        next = entry.height + 1;
      }
    }
    live.length = 0;
  };
  backfill().catch((error: unknown) => {
    log.warn({ err: error }, 'commit stream backfill failed');
    ws.close(1011, 'backfill failed');
  });
}

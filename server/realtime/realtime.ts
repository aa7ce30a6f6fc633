// Socket.IO on the web process's HTTP server (DESIGN.md, "Realtime contract"; docs/api.md). Typed
// by lib/protocol/events.ts; every client payload is parsed with its zod schema; rooms per hub
// and per thread; the session comes from the next-auth cookie of the handshake. Services publish
// stored proofs on HubEvents, and this module fans them out to the rooms.
import type { Server as HttpServer } from 'node:http';
import { createAdapter } from '@socket.io/redis-adapter';
import { Server } from 'socket.io';
import type { Socket } from 'socket.io';
import type { Logger } from 'pino';
import { SOCKET_PATH, hubRoom, subscribeSchema, submitProofSchema, threadRoom, unsubscribeSchema } from '@/lib/protocol/events';
import type { Ack, ClientToServerEvents, InterServerEvents, ServerToClientEvents, SocketData, SubscribeResult } from '@/lib/protocol/events';
import { readSessionUserId } from '../auth/session';
import type { Db } from '../db/types';
import type { ServiceFailure } from '../errors';
import type { HubEvents } from '../services/events';
import { hubAccess } from '../services/hubs';
import type { ProofIngest } from '../services/proof-ingest';
import { MAX_BODY_BYTES } from '../http/router';
import { metrics } from '../observability/metrics';
import type { RedisConnection } from '../redis';
import type { AgentFeatures } from '../services/agents-setup';
import { attachAgentSockets, checkAgentRead } from './agent-sockets';
import { latestIndexes, replayRoom } from './catch-up';
import { coalesceReads } from './coalesce';

export { MAX_REPLAY } from './catch-up';

export type HubServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
type HubSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

export interface RealtimeDeps {
  prisma: Db;
  secret: string;
  ingest: ProofIngest;
  events: HubEvents;
  logger: Logger;
  /** With Redis, rooms span every web instance (@socket.io/redis-adapter). */
  redis?: RedisConnection | null;
  /** Agents' access tokens in the handshake (auth.token) and revocation disconnects. */
  agents?: AgentFeatures;
}

export interface Realtime {
  io: HubServer;
  close(): Promise<void>;
}

function failed(failure: Pick<ServiceFailure, 'code' | 'message' | 'retryAfter'>): Ack<never> {
  return failure.retryAfter === undefined
    ? { ok: false, error: { code: failure.code, message: failure.message } }
    : { ok: false, error: { code: failure.code, message: failure.message, retry_after: failure.retryAfter } };
}

function invalid(message: string): Ack<never> {
  return failed({ code: 'invalid_request', message });
}

/**
 * Browsers send Origin on WebSocket and polling requests; a page on another site must not ride
 * the user's session cookie into our sockets. Clients without Origin (agents, tests) pass.
 */
function sameOrigin(origin: string | undefined, host: string | undefined): boolean {
  if (origin === undefined) return true;
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

export function createRealtime(httpServer: HttpServer, deps: RealtimeDeps): Realtime {
  const io: HubServer = new Server(httpServer, {
    path: SOCKET_PATH,
    serveClient: false,
    // Next.js handles every other upgrade (HMR in dev): server/main.ts routes them.
    destroyUpgrade: false,
    maxHttpBufferSize: MAX_BODY_BYTES,
    allowRequest: (req, callback) => callback(null, sameOrigin(req.headers.origin, req.headers.host)),
    connectionStateRecovery: { maxDisconnectionDuration: 2 * 60 * 1000, skipMiddlewares: false },
  });

  if (deps.redis) io.adapter(createAdapter(deps.redis.client, deps.redis.subscriber, { key: `${deps.redis.prefix}:io` }));

  io.use((socket, next) => {
    readSessionUserId(socket.handshake.headers.cookie, deps.secret).then(
      (userId) => {
        socket.data.userId = userId;
        next();
      },
      (error: unknown) => next(error instanceof Error ? error : new Error(String(error))),
    );
  });

  const detachAgents = deps.agents === undefined ? () => undefined : attachAgentSockets(io, deps.agents, deps.logger);

  io.on('connection', (socket) => {
    socket.on('subscribe', (payload, ack) => {
      if (typeof ack !== 'function') return;
      subscribe(socket, payload).then(ack, (error: unknown) => {
        deps.logger.error({ err: error }, 'subscribe failed');
        ack(failed({ code: 'internal', message: 'internal error' }));
      });
    });
    socket.on('unsubscribe', (payload, ack) => {
      const parsed = unsubscribeSchema.safeParse(payload);
      if (!parsed.success) {
        if (typeof ack === 'function') ack(invalid('expected {hub} or {thread}'));
        return;
      }
      const room = 'hub' in parsed.data ? hubRoom(parsed.data.hub) : threadRoom(parsed.data.thread);
      void socket.leave(room);
      if (typeof ack === 'function') ack({ ok: true, data: { room } });
    });
    socket.on('proof:submit', (payload, ack) => {
      if (typeof ack !== 'function') return;
      const parsed = submitProofSchema.safeParse(payload);
      if (!parsed.success) {
        ack(invalid('expected {proof, content?} with JSON objects'));
        return;
      }
      deps.ingest.submit(parsed.data, socket.data.agent ?? socket.data.userId).then(
        (result) => ack(result.ok ? { ok: true, data: result.value } : failed(result.error)),
        (error: unknown) => {
          deps.logger.error({ err: error }, 'proof:submit failed');
          ack(failed({ code: 'internal', message: 'internal error' }));
        },
      );
    });
  });

  // Subscribes arriving together share these reads (server/realtime/coalesce.ts: each shared read
  // starts after every caller's call, so it is as fresh as the caller's own would have been).
  const readHubAccess = coalesceReads(
    (key: { hub: string; userId: string | null }) => hubAccess(deps.prisma, key.hub, key.userId),
    (key) => JSON.stringify([key.hub, key.userId]),
  );
  const readLatestIndexes = coalesceReads(
    (_: void) => latestIndexes(deps.prisma),
    () => 'latest',
  );

  async function subscribe(socket: HubSocket, payload: unknown): Promise<Ack<SubscribeResult>> {
    const parsed = subscribeSchema.safeParse(payload);
    if (!parsed.success) return invalid('expected {hub, since?} or {thread, since?}');
    const request = parsed.data;
    const agentRefusal = deps.agents === undefined ? null : await checkAgentRead(deps.agents, socket.data.agent);
    if (agentRefusal !== null) return failed(agentRefusal);
    let hub: string;
    let room: string;
    if ('hub' in request) {
      hub = request.hub;
      room = hubRoom(hub);
    } else {
      const thread = await deps.prisma.threadView.findUnique({ where: { rootId: request.thread }, select: { hub: true } });
      if (thread === null) return failed({ code: 'not_found', message: `there is no thread ${request.thread}` });
      hub = thread.hub;
      room = threadRoom(request.thread);
    }
    const access = await readHubAccess({ hub, userId: socket.data.userId });
    if (access === null) return failed({ code: 'unknown_hub', message: `there is no hub "${hub}"` });
    if (!access.readable) return failed({ code: 'private_hub', message: `hub "${hub}" is private and you are not a member` });
    // Join first, then replay (server/realtime/catch-up.ts): what commits after the replay's
    // reads reaches the room live.
    await socket.join(room);
    if (request.since === undefined && request.status_since === undefined) {
      // Nothing to replay: the client only needs both cursors, read after the join (shared).
      const latest = await readLatestIndexes();
      return { ok: true, data: { room, replayed: 0, log_index: latest.logIndex, status_replayed: 0, status_index: latest.statusIndex } };
    }
    const caughtUp = await replayRoom(deps.prisma, 'hub' in request ? { hub } : { thread: request.thread }, { since: request.since, statusSince: request.status_since }, {
      proofNew: (event) => socket.emit('proof:new', event),
      proofStatus: (event) => socket.emit('proof:status', event),
    });
    metrics.proofsReplayed.inc(caughtUp.replayed);
    const latest = await readLatestIndexes();
    return { ok: true, data: { room, replayed: caughtUp.replayed, log_index: latest.logIndex, status_replayed: caughtUp.statusReplayed, status_index: caughtUp.statusIndex } };
  }

  const unsubscribe = deps.events.on('proof:stored', (event) => {
    const rooms = [hubRoom(event.view.hub)];
    if (event.view.thread !== null) rooms.push(threadRoom(event.view.thread));
    const { reaction, ...proofNew } = event;
    io.to(rooms).emit('proof:new', proofNew);
    if (reaction !== null) io.to(rooms).emit('reaction:count', reaction);
  });

  return {
    io,
    close: async () => {
      unsubscribe();
      detachAgents();
      io.disconnectSockets(true);
      // Not io.close(): that also closes the HTTP server, which the caller owns and closes.
      io.engine.close();
      await Promise.resolve();
    },
  };
}

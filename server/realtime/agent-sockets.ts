// Agents on Socket.IO (docs/agents.md): the handshake's `auth.token` (an access token from
// POST /api/oauth/token) authenticates the socket as the agent; the socket joins the agent's own
// room, so a revocation disconnects it on every web instance (with Redis the adapter carries
// `disconnectSockets` to the others). Every later use re-checks the registry.
import type { Server } from 'socket.io';
import type { Logger } from 'pino';
import { agentRoom } from '@/lib/protocol/agents';
import type { AgentSocketData } from '@/lib/protocol/agents';
import type { ClientToServerEvents, InterServerEvents, ServerToClientEvents, SocketData } from '@/lib/protocol/events';
import type { ServiceFailure } from '../errors';
import type { AgentFeatures } from '../services/agents-setup';

type Io = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

/** Error sent with connect_error when the handshake's token is refused (err.message, err.data). */
export class HandshakeRefused extends Error {
  readonly data: { code: string; message: string };
  constructor(code: string, message: string) {
    super(code);
    this.data = { code, message };
  }
}

/**
 * Installs the token middleware (after the cookie one: a token wins) and the revocation fan-out.
 * Returns the function that detaches the revocation listener.
 */
export function attachAgentSockets(io: Io, agents: AgentFeatures, logger: Logger): () => void {
  io.use((socket, next) => {
    const auth = socket.handshake.auth as { token?: unknown } | undefined;
    const token = auth?.token;
    if (token === undefined) return next();
    if (typeof token !== 'string' || token.length > 4096) return next(new HandshakeRefused('invalid_token', 'auth.token must be an access token string'));
    agents.oauth.verify(token).then(
      async (verified) => {
        if (!verified.ok) return next(new HandshakeRefused(verified.error.code, verified.error.message));
        socket.data.agent = verified.value;
        socket.data.userId = verified.value.userId;
        await socket.join(agentRoom(verified.value.agentId));
        next();
      },
      (error: unknown) => {
        logger.error({ err: error }, 'agent handshake failed');
        next(new HandshakeRefused('internal', 'internal error'));
      },
    );
  });

  return agents.onRevoked((agentId) => {
    io.in(agentRoom(agentId)).disconnectSockets(true);
  });
}

/**
 * For subscribe on an agent's socket: the token has not expired, carries `read`, and the agent is
 * still live. null when the socket is a person's, or the agent may read.
 */
export async function checkAgentRead(agents: AgentFeatures, agent: AgentSocketData | undefined, now: Date = new Date()): Promise<Pick<ServiceFailure, 'code' | 'message'> | null> {
  if (agent === undefined) return null;
  if (agent.expiresAtMs <= now.getTime()) return { code: 'invalid_token', message: 'the access token expired: fetch a new one and reconnect' };
  if (!agent.scopes.includes('read')) return { code: 'insufficient_scope', message: 'the access token lacks the "read" scope' };
  if ((await agents.findLive(agent.clientId, agent.did)) === null) return { code: 'agent_revoked', message: 'this agent was revoked by its owner' };
  return null;
}

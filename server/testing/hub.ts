// A running hub for tests: the real context and HTTP server (REST + Socket.IO) on a free port of
// 127.0.0.1, without Next.js, over a fresh test database. Sessions are minted as next-auth would
// mint them (same secret, same JWE), so REST and sockets see real session cookies.
import { randomBytes } from 'node:crypto';
import { io as connectSocket } from 'socket.io-client';
import type { Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '@/lib/protocol/events';
import { SOCKET_PATH } from '@/lib/protocol/events';
import { createSessionCookie } from '../auth/session';
import { createContext } from '../context';
import type { AppContext } from '../context';
import type { RateLimitConfig } from '../rate-limit';
import type { RedisConnection } from '../redis';
import type { AgentLimitConfig } from '../services/agents';
import { createWebServer } from '../web-server';
import type { WebServer } from '../web-server';
import { createTestDatabase } from './database';
import type { TestDatabase } from './database';
import { TestIdentity } from './identities';

export type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export interface TestUser {
  id: string;
  username: string;
  identity: TestIdentity;
  cookie: string;
}

export interface FetchInit {
  method?: string;
  body?: unknown;
  cookie?: string;
  headers?: Record<string, string>;
}

export interface TestHub {
  ctx: AppContext;
  testDb: TestDatabase;
  web: WebServer;
  url: string;
  /** Signs up through POST /api/v1/auth/signup and returns a session cookie for the account. */
  signUp(username: string): Promise<TestUser>;
  /** body is the parsed JSON (typed by the caller: the contract types of lib/protocol) or the text. */
  fetchJson<T = Record<string, unknown>>(path: string, init?: FetchInit): Promise<{ status: number; body: T; headers: Headers }>;
  connect(cookie?: string, options?: { extraHeaders?: Record<string, string> }): Promise<ClientSocket>;
  close(): Promise<void>;
}

export async function startTestHub(options: { rateLimits?: RateLimitConfig; testDb?: TestDatabase; redis?: RedisConnection; secret?: string; agentLimits?: Partial<AgentLimitConfig> } = {}): Promise<TestHub> {
  const testDb = options.testDb ?? (await createTestDatabase());
  const ctx = await createContext({ database: testDb.db, secret: options.secret ?? randomBytes(32).toString('base64url'), redis: options.redis ?? null, ...(options.rateLimits === undefined ? {} : { rateLimits: options.rateLimits }), ...(options.agentLimits === undefined ? {} : { agentLimits: options.agentLimits }) });
  const secret = ctx.secret;
  const web = createWebServer(ctx, null);
  const { port } = await web.listen(0, '127.0.0.1');
  const url = `http://127.0.0.1:${port}`;
  const sockets: ClientSocket[] = [];

  const fetchJson = async <T,>(path: string, init: FetchInit = {}): Promise<{ status: number; body: T; headers: Headers }> => {
    const headers: Record<string, string> = { ...init.headers };
    if (init.body !== undefined) headers['content-type'] ??= 'application/json';
    if (init.cookie !== undefined) headers.cookie = init.cookie;
    const response = await fetch(`${url}${path}`, {
      method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
      headers,
      ...(init.body === undefined ? {} : { body: typeof init.body === 'string' ? init.body : JSON.stringify(init.body) }),
    });
    const text = await response.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    return { status: response.status, body: body as T, headers: response.headers };
  };

  return {
    ctx,
    testDb,
    web,
    url,
    fetchJson,
    async signUp(username) {
      const identity = new TestIdentity();
      const response = await fetchJson('/api/v1/auth/signup', { body: { username, password: 'correct horse battery', identity: await identity.identity(username) } });
      if (response.status !== 201) throw new Error(`sign-up failed: ${JSON.stringify(response.body)}`);
      const user = (response.body as { user: { id: string } }).user;
      return { id: user.id, username, identity, cookie: await createSessionCookie(user.id, username, secret) };
    },
    connect(cookie, connectOptions = {}) {
      const socket: ClientSocket = connectSocket(url, {
        path: SOCKET_PATH,
        transports: ['websocket'],
        reconnection: false,
        extraHeaders: { ...(cookie === undefined ? {} : { cookie }), ...connectOptions.extraHeaders },
      });
      sockets.push(socket);
      return new Promise((resolve, reject) => {
        socket.once('connect', () => resolve(socket));
        socket.once('connect_error', reject);
      });
    },
    async close() {
      for (const socket of sockets) socket.disconnect();
      await web.close();
      if (options.testDb === undefined) await testDb.destroy();
    },
  };
}

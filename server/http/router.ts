// A small JSON router for /api/v1 and /health, in the Node process in front of Next.js. Why not
// Next route handlers: REST, Socket.IO and the admin socket then share one module graph (one
// Prisma client, one PGlite handle, one event bus) instead of a second copy bundled by Next, and
// the API is tested on a real HTTP server without building Next (docs/server.md).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import type { WireError } from '@/lib/protocol/events';
import type { ServiceFailure, ServiceResult } from '../errors';
import { httpStatusOf } from './status';
import { clientAddress } from '../observability/client-address';

/** Request bodies above this are refused with too_large before parsing. */
export const MAX_BODY_BYTES = 256 * 1024;

export interface ApiRequest {
  method: string;
  url: URL;
  params: Record<string, string>;
  headers: IncomingMessage['headers'];
  /** Client address (for per-address limits). */
  address: string;
  readBody(): Promise<unknown>;
  /** The body's bytes whatever the content type (bounded like readBody): form bodies (OAuth2). */
  readRawBody(): Promise<Buffer>;
}

export interface ApiResponse {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export type ApiHandler = (request: ApiRequest) => Promise<ApiResponse>;

interface Route {
  method: string;
  segments: string[];
  handler: ApiHandler;
}

/** A refusal raised inside a handler (bad body, bad query): answered like a service failure. */
export class ApiFailure extends Error {
  constructor(readonly failure: ServiceFailure) {
    super(failure.message);
  }
}

export function failureResponse(failure: ServiceFailure): ApiResponse {
  const error: WireError = { code: failure.code, message: failure.message };
  const headers: Record<string, string> = {};
  if (failure.retryAfter !== undefined) {
    error.retry_after = failure.retryAfter;
    headers['retry-after'] = String(failure.retryAfter);
  }
  return { status: httpStatusOf(failure.code), body: { error }, headers };
}

/** ok → status with the value (or map(value)); failure → its code's status and error body. */
export function respond<T>(result: ServiceResult<T>, status = 200, map: (value: T) => unknown = (value) => value): ApiResponse {
  return result.ok ? { status, body: map(result.value) } : failureResponse(result.error);
}

/** Parses with a zod schema or throws ApiFailure(invalid_request) naming the first issue. */
export function parseWith<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue === undefined || issue.path.length === 0 ? '' : `${issue.path.map(String).join('.')}: `;
  throw new ApiFailure({ code: 'invalid_request', message: `${where}${issue?.message ?? 'invalid request'}` });
}

export class Router {
  readonly #routes: Route[] = [];

  /** logError receives every unexpected error (a bug or an outage) a handler throws. */
  constructor(private readonly logError: (error: unknown) => void) {}

  add(method: string, pattern: string, handler: ApiHandler): this {
    this.#routes.push({ method, segments: pattern.split('/').filter(Boolean), handler });
    return this;
  }

  /** Handles the request if a route's path matches (405 for a known path, other method); false otherwise. */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const segments = url.pathname.split('/').filter(Boolean);
    let pathMatched = false;
    for (const route of this.#routes) {
      const params = matchSegments(route.segments, segments);
      if (params === null) continue;
      pathMatched = true;
      if (route.method !== req.method) continue;
      const request: ApiRequest = {
        method: req.method,
        url,
        params,
        headers: req.headers,
        address: clientAddress(req),
        readBody: () => readJsonBody(req),
        readRawBody: () => readBoundedBody(req),
      };
      send(res, await runHandler(route.handler, request, this.logError));
      return true;
    }
    if (pathMatched) {
      send(res, { status: 405, body: { error: { code: 'invalid_request', message: `${req.method ?? ''} is not allowed on ${url.pathname}` } } });
      return true;
    }
    return false;
  }
}

function matchSegments(pattern: string[], path: string[]): Record<string, string> | null {
  if (pattern.length !== path.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const expected = pattern[i] ?? '';
    const actual = path[i] ?? '';
    if (expected.startsWith(':')) {
      try {
        params[expected.slice(1)] = decodeURIComponent(actual);
      } catch {
        return null;
      }
    } else if (expected !== actual) return null;
  }
  return params;
}

async function runHandler(handler: ApiHandler, request: ApiRequest, logError: (error: unknown) => void): Promise<ApiResponse> {
  try {
    return await handler(request);
  } catch (error) {
    if (error instanceof ApiFailure) return failureResponse(error.failure);
    // One boundary hides internals: the error is logged, never sent.
    logError(error);
    return failureResponse({ code: 'internal', message: 'internal error' });
  }
}


function send(res: ServerResponse, response: ApiResponse): void {
  const body = JSON.stringify(response.body);
  res.writeHead(response.status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    ...response.headers,
  });
  res.end(body);
}

async function readBoundedBody(req: IncomingMessage): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? '0');
  if (declared > MAX_BODY_BYTES) throw new ApiFailure({ code: 'too_large', message: `request body over ${MAX_BODY_BYTES} bytes` });
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new ApiFailure({ code: 'too_large', message: `request body over ${MAX_BODY_BYTES} bytes` });
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const type = req.headers['content-type'] ?? '';
  if (!/^application\/json\b/i.test(type)) {
    throw new ApiFailure({ code: 'invalid_request', message: 'send a JSON body with content-type: application/json' });
  }
  const body = await readBoundedBody(req);
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch {
    throw new ApiFailure({ code: 'invalid_request', message: 'the body is not valid JSON' });
  }
}

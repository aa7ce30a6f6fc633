// Small HTTP plumbing for the validator RPC: JSON answers, the {error:{code,message}} shape, and
// request bodies read with a hard size cap (the socket is cut past it, nothing is buffered beyond).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ZodType } from 'zod';

export type RpcErrorCode =
  | 'bad_request'
  | 'invalid_query'
  | 'invalid_body'
  | 'invalid_json'
  | 'unsupported_media_type'
  | 'payload_too_large'
  | 'not_found'
  | 'method_not_allowed'
  | 'not_ready'
  | 'index_out_of_range'
  | 'bad_size'
  | 'leaf_not_found'
  | 'internal';

const STATUS: Record<RpcErrorCode, number> = {
  bad_request: 400,
  invalid_query: 400,
  invalid_body: 400,
  invalid_json: 400,
  unsupported_media_type: 415,
  payload_too_large: 413,
  not_found: 404,
  method_not_allowed: 405,
  not_ready: 503,
  index_out_of_range: 400,
  bad_size: 400,
  leaf_not_found: 404,
  internal: 500,
};

export class RpcError extends Error {
  constructor(
    readonly code: RpcErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }

  get status(): number {
    return STATUS[this.code];
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  sendJsonText(res, status, JSON.stringify(body));
}

export function sendJsonText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  res.end(text);
}

export function sendError(res: ServerResponse, error: RpcError): void {
  const body: { error: { code: string; message: string; details?: unknown } } = { error: { code: error.code, message: error.message } };
  if (error.details !== undefined) body.error.details = error.details;
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, error.status, body);
}

/** Reads a JSON body of at most maxBytes. Throws RpcError on a wrong type, oversize or bad JSON. */
export async function readJsonBody(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') throw new RpcError('unsupported_media_type', 'send content-type: application/json');
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) throw new RpcError('payload_too_large', `body exceeds ${maxBytes} bytes`);
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    total += buffer.length;
    if (total > maxBytes) throw new RpcError('payload_too_large', `body exceeds ${maxBytes} bytes`);
    chunks.push(buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw new RpcError('invalid_json', 'body is not valid JSON');
  }
}

/** zod parse with the first issues turned into one readable message. */
export function parseWith<T>(schema: ZodType<T>, value: unknown, code: 'invalid_query' | 'invalid_body'): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.slice(0, 5).map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
  throw new RpcError(code, issues.join('; '), parsed.error.issues.slice(0, 20).map((issue) => ({ path: issue.path.map(String), message: issue.message })));
}

// HTTP calls to the validators' RPC (docs/validator.md) with a time limit and a byte cap on every
// answer. Nothing a validator answers is trusted: callers parse with zod and check certificates.
import { z } from 'zod';

const MAX_ANSWER_BYTES = 16 * 1024 * 1024;

export class RpcError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
  ) {
    super(message);
  }
}

async function readCapped(response: Response): Promise<string> {
  const length = Number(response.headers.get('content-length') ?? '0');
  if (length > MAX_ANSWER_BYTES) throw new RpcError(`answer of ${length} bytes is too large`, response.status);
  const text = await response.text();
  if (text.length > MAX_ANSWER_BYTES) throw new RpcError('answer is too large', response.status);
  return text;
}

/** GET url and parse the JSON answer with schema; RpcError on any failure (network, status, shape). */
export async function rpcGet<S extends z.ZodType>(url: string, schema: S, timeoutMs = 3000): Promise<z.infer<S>> {
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    throw new RpcError(`GET ${url}: ${(error as Error).message}`, null);
  }
  const text = await readCapped(response);
  if (response.status !== 200) throw new RpcError(`GET ${url} answered ${response.status}: ${text.slice(0, 200)}`, response.status);
  return parseAnswer(url, text, schema, response.status);
}

export async function rpcPost<S extends z.ZodType>(url: string, body: unknown, schema: S, timeoutMs = 10_000): Promise<z.infer<S>> {
  let response: Response;
  try {
    response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    throw new RpcError(`POST ${url}: ${(error as Error).message}`, null);
  }
  const text = await readCapped(response);
  if (response.status !== 200) throw new RpcError(`POST ${url} answered ${response.status}: ${text.slice(0, 200)}`, response.status);
  return parseAnswer(url, text, schema, response.status);
}

function parseAnswer<S extends z.ZodType>(url: string, text: string, schema: S, status: number): z.infer<S> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new RpcError(`${url}: the answer is not JSON`, status);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new RpcError(`${url}: unexpected answer (${parsed.error.issues[0]?.message ?? 'invalid'})`, status);
  return parsed.data;
}

const hex64 = z.string().regex(/^[0-9a-f]{64}$/);

/** POST /leaves answer. */
export const leavesAnswerSchema = z.object({
  results: z.array(
    z.union([
      z.object({ leaf_hash: hex64, status: z.enum(['accepted', 'duplicate', 'committed']), index: z.number().int().nonnegative().optional() }),
      z.object({ leaf_hash: hex64, error: z.object({ code: z.string(), message: z.string().optional() }) }),
    ]),
  ),
});
export type LeavesAnswer = z.infer<typeof leavesAnswerSchema>;

/** GET /status (the fields the hub reads; validators may add more). */
export const validatorStatusSchema = z.object({
  chain_id: z.string(),
  genesis_hash: hex64,
  validator: z.number().int().nonnegative(),
  height: z.number().int().nonnegative(),
  view: z.number().int().nonnegative(),
  tree_size: z.number().int().nonnegative(),
  root: hex64,
  peers: z.number().int().nonnegative(),
  mempool: z.number().int().nonnegative().optional(),
  joined: z.boolean().optional(),
  can_sign: z.boolean().optional(),
  catching_up: z.boolean().optional(),
});
export type ValidatorStatusWire = z.infer<typeof validatorStatusSchema>;

/** GET /head: a certified tree head as one validator presents it (checked by the caller). */
export const validatorHeadSchema = z.object({
  height: z.number().int().nonnegative(),
  block_hash: hex64,
  tree_size: z.number().int().nonnegative(),
  root: hex64,
  header: z.unknown(),
  certificate: z.unknown(),
});

/** GET /proofs/consistency. */
export const validatorConsistencySchema = z.object({
  proof: z.unknown(),
  from_root: hex64,
  to_root: hex64,
});

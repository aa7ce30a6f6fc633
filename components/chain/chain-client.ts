// The browser's reader for the chain endpoints (docs/api.md, lib/protocol/chain.ts). Every answer
// is parsed with the shared zod schemas before anything uses it: a hub that answers in another
// shape gets `bad_response`, never a half-read object. What these answers claim is then checked
// by lib/verify (validator set against its genesis file, certificates against the pinned keys).
import { z } from 'zod';
import { anchorSchema, certifiedHeadSchema, consistencyResponseSchema, validatorSetSchema } from '@/lib/protocol/chain';
import type { AnchorWire, CertifiedHeadWire, ConsistencyResponseWire, ValidatorSetWire } from '@/lib/protocol/chain';
import { requestJson } from '../api/client';
import type { ApiResult } from '../api/client';

function parsed<T>(result: ApiResult<unknown>, schema: z.ZodType<T>, what: string): ApiResult<T> {
  if (!result.ok) return result;
  const checked = schema.safeParse(result.value);
  if (checked.success) return { ok: true, value: checked.data };
  const issue = checked.error.issues[0];
  const where = issue === undefined || issue.path.length === 0 ? '' : ` at ${issue.path.join('.')}`;
  return { ok: false, error: { code: 'bad_response', message: `the hub's ${what} does not have the expected shape${where}: ${issue?.message ?? 'invalid'}`, status: 200 } };
}

/** The liveness the hub reports for a validator (what it observed; not part of any proof). */
const livenessSchema = z
  .object({
    index: z.number().int().nonnegative(),
    /** Whether the hub heard from it recently. */
    live: z.boolean().optional(),
    status: z.string().max(40).optional(),
    last_seen_at: z.string().max(40).nullable().optional(),
    height: z.number().int().nonnegative().nullable().optional(),
    view: z.number().int().nonnegative().nullable().optional(),
    tree_size: z.number().int().nonnegative().nullable().optional(),
    peers: z.number().int().nonnegative().nullable().optional(),
    can_sign: z.boolean().nullable().optional(),
    error: z.string().max(500).nullable().optional(),
  })
  .loose();
export type ValidatorLiveness = z.infer<typeof livenessSchema>;

/** GET /api/v1/chain/validators: the genesis set, plus liveness beside it when the hub reports it. */
const validatorsAnswerSchema = z.union([
  validatorSetSchema.transform((set) => ({ set, liveness: [] as ValidatorLiveness[] })),
  z
    .object({ liveness: z.array(livenessSchema).max(100).optional(), validators: z.unknown() })
    .loose()
    .transform((answer, context) => {
      const { liveness, ...rest } = answer;
      // The set may be the whole answer minus liveness, or nested under `set`/`validator_set`.
      const nested = (rest as Record<string, unknown>).set ?? (rest as Record<string, unknown>).validator_set ?? rest;
      const set = validatorSetSchema.safeParse(nested);
      if (!set.success) {
        context.addIssue({ code: 'custom', message: 'no validator set in the answer' });
        return z.NEVER;
      }
      return { set: set.data, liveness: liveness ?? [] };
    }),
]);

export interface ValidatorsAnswer {
  /** Exactly the object verifyValidatorSet checks (unverified until then). */
  set: ValidatorSetWire;
  liveness: ValidatorLiveness[];
}

/** One committed block as the explorer lists it. */
const blockSummarySchema = z
  .object({
    height: z.number().int().nonnegative(),
    block_hash: z.string().max(64).optional(),
    hash: z.string().max(64).optional(),
    view: z.number().int().nonnegative().optional(),
    tree_size: z.number().int().nonnegative().optional(),
    log_size: z.number().int().nonnegative().optional(),
    root: z.string().max(64).optional(),
    log_root: z.string().max(64).optional(),
    leaves: z.number().int().nonnegative().optional(),
    leaf_count: z.number().int().nonnegative().optional(),
    proposer: z.number().int().nonnegative().nullable().optional(),
    signers: z.array(z.number().int().nonnegative()).max(256).nullable().optional(),
    certified_by: z.number().int().nonnegative().nullable().optional(),
    committed_at: z.string().max(40).nullable().optional(),
  })
  .loose();
export type BlockSummary = z.infer<typeof blockSummarySchema>;

const blocksPageSchema = z
  .object({
    blocks: z.array(blockSummarySchema).max(1_000),
    next_cursor: z.union([z.string(), z.number()]).nullable().optional(),
    cursor: z.union([z.string(), z.number()]).nullable().optional(),
  })
  .loose();
export interface BlocksPage {
  blocks: BlockSummary[];
  /** Pass back to get the next (older) page; null at the genesis end. */
  nextCursor: string | null;
}

/** GET /api/v1/proofs/:id: only the parts the badge needs. */
const proofAnchorAnswerSchema = z
  .object({
    status: z.enum(['signed', 'anchored', 'verified', 'invalid']).optional(),
    anchor: z.unknown().optional(),
  })
  .loose();

export interface ProofAnchorAnswer {
  status: 'signed' | 'anchored' | 'verified' | 'invalid' | undefined;
  /** The anchor as the hub sent it (parsed and checked by the caller), or null. */
  anchor: unknown;
}

function query(params: Record<string, string | number | null | undefined>): string {
  const parts = Object.entries(params).filter((entry): entry is [string, string | number] => entry[1] !== null && entry[1] !== undefined);
  return parts.length === 0 ? '' : `?${parts.map(([key, value]) => `${key}=${encodeURIComponent(String(value))}`).join('&')}`;
}

export const chainApi = {
  validators: async (): Promise<ApiResult<ValidatorsAnswer>> => parsed(await requestJson<unknown>('/api/v1/chain/validators'), validatorsAnswerSchema, 'validator set'),
  head: async (): Promise<ApiResult<CertifiedHeadWire>> => {
    const answer = await requestJson<unknown>('/api/v1/chain/head');
    // Accept the head itself or {head: …}.
    if (answer.ok && typeof answer.value === 'object' && answer.value !== null && 'head' in answer.value) {
      return parsed({ ok: true, value: (answer.value).head }, certifiedHeadSchema, 'chain head');
    }
    return parsed(answer, certifiedHeadSchema, 'chain head');
  },
  consistency: async (from: number, to: number): Promise<ApiResult<ConsistencyResponseWire>> =>
    parsed(await requestJson<unknown>(`/api/v1/log/consistency${query({ from, to })}`), consistencyResponseSchema, 'consistency proof'),
  blocks: async (cursor: string | null, limit = 20): Promise<ApiResult<BlocksPage>> => {
    const answer = parsed(await requestJson<unknown>(`/api/v1/chain/blocks${query({ cursor, limit })}`), blocksPageSchema, 'block list');
    if (!answer.ok) return answer;
    const next = answer.value.next_cursor ?? answer.value.cursor ?? null;
    return { ok: true, value: { blocks: answer.value.blocks, nextCursor: next === null ? null : String(next) } };
  },
  proofAnchor: async (id: string): Promise<ApiResult<ProofAnchorAnswer>> => {
    const answer = parsed(await requestJson<unknown>(`/api/v1/proofs/${encodeURIComponent(id)}`), proofAnchorAnswerSchema, 'proof');
    if (!answer.ok) return answer;
    return { ok: true, value: { status: answer.value.status, anchor: answer.value.anchor ?? null } };
  },
};

export type ChainApi = typeof chainApi;

/** Parses an anchor as the hub sent it; null when absent or of another shape. */
export function parseAnchor(anchor: unknown): AnchorWire | null {
  const result = anchorSchema.safeParse(anchor);
  return result.success ? result.data : null;
}

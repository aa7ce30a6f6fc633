// Bundle import (docs/bundles.md): an admin loads proofs from another hub's bundle through the
// same admission checks as any submission (proof-ingest admitImported), in batches the client
// sends in import order (lib/bundle importOrder). Proofs the hub already holds are skipped
// without work, so an interrupted import is resumed by sending the bundle again. A moderation
// proof takes effect only when its signer is a moderator here (moderation.ts
// importedModerationSubmitter); otherwise it is stored without effect and reported.
import { z } from 'zod';
import { parseSignedProof } from '@/lib/proof/proof';
import { hubIdSchema } from '@/lib/proof/schema';
import type { AppContext } from '../context';
import { nodeVerifier } from '../crypto/ed25519-node';
import { nodeHasher } from '../crypto/sha256-node';
import type { ServiceResult } from '../errors';
import { createProofIngest } from './proof-ingest';
import type { ImportAdmission } from './proof-ingest';
import { importedModerationSubmitter, requireAdmin } from './moderation';

export const IMPORT_BATCH_MAX = 500;

export const importRequestSchema = z.strictObject({
  proofs: z
    .array(z.strictObject({ proof: z.record(z.string(), z.unknown()), content: z.unknown().optional() }))
    .min(1)
    .max(IMPORT_BATCH_MAX),
  /** Create hubs the bundle names that this hub lacks (private, owned by the importing admin). */
  create_hubs: z.boolean().default(true),
});
export type ImportRequest = z.infer<typeof importRequestSchema>;

export interface ImportOutcome {
  id: string | null;
  status: 'imported' | 'present' | 'refused';
  /** A refusal's code, or for an imported proof a note: `moderation_without_effect`. */
  code?: string;
  message?: string;
}

export interface ImportResult {
  results: ImportOutcome[];
  imported: number;
  present: number;
  refused: number;
  /** Moderation proofs stored without effect (their signer is not a moderator here). */
  without_effect: number;
  created_hubs: string[];
}

const admissions = new WeakMap<AppContext, ImportAdmission>();

/** The admission path with the context's own stores, events and agent rules. */
function admissionOf(ctx: AppContext): ImportAdmission {
  let admission = admissions.get(ctx);
  if (admission === undefined) {
    admission = createProofIngest({
      db: ctx.prisma,
      verifier: nodeVerifier,
      hasher: nodeHasher,
      events: ctx.events,
      rateLimiter: ctx.limits.proofs,
      now: () => new Date(),
      agents: ctx.agents.ingest,
      onBroadcastError: (error) => ctx.logger.error({ err: error }, 'broadcast failed'),
    });
    admissions.set(ctx, admission);
  }
  return admission;
}

function idOf(proof: Record<string, unknown>): string | null {
  return typeof proof.id === 'string' && /^[0-9a-f]{64}$/.test(proof.id) ? proof.id : null;
}

/** Admits one batch in the order given; each proof's outcome is reported, none stops the batch. */
export async function importBatch(ctx: AppContext, userId: string | null, request: ImportRequest): Promise<ServiceResult<ImportResult>> {
  const admin = await requireAdmin(ctx.prisma, userId);
  if (!admin.ok) return admin;
  const importer = userId as string;
  const ids = request.proofs.map((entry) => idOf(entry.proof)).filter((id): id is string => id !== null);
  const present = new Set((await ctx.prisma.proof.findMany({ where: { id: { in: ids } }, select: { id: true } })).map((row) => row.id));

  const createdHubs: string[] = [];
  if (request.create_hubs) {
    const hubs = new Set(request.proofs.map((entry) => entry.proof.hub).filter((hub): hub is string => typeof hub === 'string' && hubIdSchema.safeParse(hub).success));
    const known = new Set((await ctx.prisma.hub.findMany({ where: { id: { in: [...hubs] } }, select: { id: true } })).map((hub) => hub.id));
    for (const hub of hubs) {
      if (known.has(hub)) continue;
      await ctx.prisma.$transaction(async (tx) => {
        await tx.hub.create({ data: { id: hub, name: hub, visibility: 'private', ownerId: importer } });
        await tx.membership.create({ data: { hubId: hub, userId: importer, role: 'owner' } });
      });
      createdHubs.push(hub);
    }
  }

  const admission = admissionOf(ctx);
  const results: ImportOutcome[] = [];
  for (const entry of request.proofs) {
    const id = idOf(entry.proof);
    if (id !== null && present.has(id)) {
      results.push({ id, status: 'present' });
      continue;
    }
    // A moderation proof takes effect only if an account it speaks for is a moderator here (the
    // live rule); otherwise it is stored without effect and the outcome says so.
    const parsed = entry.proof.type === 'moderation' ? parseSignedProof(entry.proof) : undefined;
    const moderation = parsed?.ok === true && parsed.value.type === 'moderation' ? await importedModerationSubmitter(ctx.prisma, parsed.value, importer) : undefined;
    const admitted = await admission.admitImported(entry.content === undefined ? { proof: entry.proof } : { proof: entry.proof, content: entry.content }, moderation?.submitter ?? importer);
    if (admitted.ok) {
      if (!admitted.value.duplicate && moderation?.takesEffect === false) {
        results.push({ id, status: 'imported', code: 'moderation_without_effect', message: `stored without effect: no account of its signer here is a moderator who can read hub "${String(entry.proof.hub)}"` });
      } else results.push({ id, status: admitted.value.duplicate ? 'present' : 'imported' });
      if (id !== null) present.add(id);
    } else results.push({ id, status: 'refused', code: admitted.error.code, message: admitted.error.message });
  }
  return {
    ok: true,
    value: {
      results,
      imported: results.filter((r) => r.status === 'imported').length,
      present: results.filter((r) => r.status === 'present').length,
      refused: results.filter((r) => r.status === 'refused').length,
      without_effect: results.filter((r) => r.code === 'moderation_without_effect').length,
      created_hubs: createdHubs,
    },
  };
}


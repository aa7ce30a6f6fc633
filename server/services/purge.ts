// Content purge (a legal takedown, DESIGN.md "Deletion"): the text beside a post or reply is
// removed; the proof stays, and still verifies, because its claim commits to the content only by
// a salted digest. Readers then get content null and view.purged true.
import type { Db } from '../db/types';
import { refuse } from '../errors';
import type { ServiceResult } from '../errors';

export async function purgeContent(db: Db, proofId: string, reason: string): Promise<ServiceResult<{ id: string; purged_at: string }>> {
  const purgedAt = new Date();
  const updated = await db.proofContent.updateMany({ where: { proofId, purgedAt: null }, data: { raw: null, purgedAt, purgeReason: reason } });
  if (updated.count === 1) return { ok: true, value: { id: proofId, purged_at: purgedAt.toISOString() } };
  const existing = await db.proofContent.findUnique({ where: { proofId }, select: { purgedAt: true } });
  if (existing?.purgedAt != null) return { ok: true, value: { id: proofId, purged_at: existing.purgedAt.toISOString() } };
  return refuse('not_found', `no content stored beside proof ${proofId}`);
}

// Issuers' identity state, replayed from their stored identity, key_rotation, delegation and
// revocation proofs with lib/proof's rules (the same code the browser and validators run), and
// the public identity view (GET /api/v1/identities/:did).
import { replayIdentity } from '@/lib/proof/identity';
import type { IdentityState } from '@/lib/proof/identity';
import type { SignedProof } from '@/lib/proof/schema';
import type { IdentityKeyView, IdentityView, SignedProofWire } from '@/lib/protocol/views';
import type { DbOrTx } from '../db/types';

const STATE_TYPES = ['identity', 'key_rotation', 'delegation', 'revocation'];

/** The replayed state of an issuer, or null when the hub holds no proof of it. */
export async function loadIdentityState(db: DbOrTx, did: string): Promise<IdentityState | null> {
  const rows = await db.proof.findMany({ where: { issuer: did, type: { in: STATE_TYPES } }, orderBy: { seq: 'asc' }, select: { raw: true } });
  if (rows.length === 0) return null;
  const replayed = replayIdentity(did, rows.map((row) => JSON.parse(row.raw) as SignedProof));
  // Stored proofs passed admission (one per seq, signatures checked): replay cannot fail.
  if (!replayed.ok) throw new Error(`stored proofs of ${did} do not replay: ${replayed.error.message}`);
  return replayed.value;
}

/**
 * An issuer's replayed state and chain head in one statement: the identity view (its head) with
 * the issuer's state proofs. Both null when the hub holds no identity of it (an agent's inception).
 */
export async function loadIssuerState(db: DbOrTx, did: string): Promise<{ identity: IdentityState | null; head: { seq: number; id: string } | null }> {
  const rows = await db.$queryRaw<{ head_seq: number; head_id: string; raw: string | null }[]>`
    SELECT iv.head_seq, iv.head_id, p.raw FROM identity_views iv
    LEFT JOIN proofs p ON p.issuer = iv.did AND p.type IN ('identity', 'key_rotation', 'delegation', 'revocation')
    WHERE iv.did = ${did}
    ORDER BY p.seq`;
  const first = rows[0];
  if (first === undefined) return { identity: null, head: null };
  const proofs = rows.flatMap((row) => (row.raw === null ? [] : [JSON.parse(row.raw) as SignedProof]));
  const head = { seq: first.head_seq, id: first.head_id };
  if (proofs.length === 0) return { identity: null, head };
  const replayed = replayIdentity(did, proofs);
  if (!replayed.ok) throw new Error(`stored proofs of ${did} do not replay: ${replayed.error.message}`);
  return { identity: replayed.value, head };
}

export async function getIdentityView(db: DbOrTx, did: string): Promise<IdentityView | null> {
  const view = await db.identityView.findUnique({ where: { did } });
  if (view === null) return null;
  const [user, proofs] = await Promise.all([
    db.user.findUnique({ where: { did }, select: { username: true } }),
    db.proof.findMany({ where: { issuer: did, type: { in: ['identity', 'key_rotation'] } }, orderBy: { seq: 'asc' }, select: { raw: true } }),
  ]);
  return {
    did,
    username: user?.username ?? null,
    display_name: view.displayName,
    head: { seq: view.headSeq, id: view.headId },
    keys: view.keys as unknown as IdentityKeyView[],
    proofs: proofs.map((row) => JSON.parse(row.raw) as SignedProofWire),
  };
}

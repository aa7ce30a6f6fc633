// A proof stored by an instance that died before its broadcast (kill -9 between the commit and
// the emit) would never reach clients that stayed connected elsewhere: they have no reason to
// catch up. The submitter got no answer and retries; the retry is answered as a duplicate, and
// this wrapper broadcasts the stored proof again at that moment. Clients drop a proof id they
// already have (docs/operations.md, "Reconnect catch-up"), so a second copy costs nothing.
import type { Logger } from 'pino';
import type { ProofNewEvent } from '@/lib/protocol/events';
import type { Db } from '../db/types';
import type { HubEvents } from '../services/events';
import type { ProofIngest } from '../services/proof-ingest';
import { buildProofViews, contentOf, proofRowSelect } from '../services/read-model';

async function rebroadcast(db: Db, events: HubEvents, id: string): Promise<void> {
  const row = await db.proof.findUnique({ where: { id }, select: proofRowSelect });
  if (row === null) return;
  const view = (await buildProofViews(db, [row])).get(id);
  if (view === undefined) return;
  events.emit('proof:stored', { proof: JSON.parse(row.raw) as ProofNewEvent['proof'], content: contentOf(row), view, reaction: null });
}

/** The same ingest; a submission answered as a duplicate is broadcast again. */
export function rebroadcastDuplicates(ingest: ProofIngest, deps: { db: Db; events: HubEvents; logger: Logger }): ProofIngest {
  return {
    ...ingest,
    async submit(...args: Parameters<ProofIngest['submit']>) {
      const result = await ingest.submit(...args);
      if (result.ok && result.value.duplicate) {
        rebroadcast(deps.db, deps.events, result.value.id).catch((error: unknown) => deps.logger.error({ err: error }, 'rebroadcast failed'));
      }
      return result;
    },
  };
}

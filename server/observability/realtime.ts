// Socket.IO and ingest instrumentation: sockets connected, broadcasts emitted, proofs accepted and
// refused by code, and a log scope per socket so every line written while handling one of its
// events names it. Attached from outside the modules it observes (server/web-server.ts and
// server/context.ts call these once).
import type { Server } from 'socket.io';
import { PROOF_TYPES } from '@/lib/proof/schema';
import type { HubEvents } from '../services/events';
import type { ProofIngest } from '../services/proof-ingest';
import { withLogScope } from './logging';
import { metrics } from './metrics';

// Socket.IO's Server is generic in the event maps; nothing here depends on them.
type AnyServer = Server<never, never, never, unknown>;

/** Counts connections and broadcasts of `io`; returns a function that stops counting broadcasts. */
export function instrumentRealtime(io: AnyServer, events: HubEvents): () => void {
  io.on('connection', (socket) => {
    metrics.socketsConnected.inc();
    metrics.socketConnections.inc({ recovered: String(socket.recovered) });
    socket.once('disconnect', () => metrics.socketsConnected.dec());
    // Middlewares run the event's handler inside next(): the scope covers the handler and what it awaits.
    socket.use((_packet, next) => withLogScope({ socketId: socket.id }, () => next()));
  });
  return events.on('proof:stored', (event) => {
    metrics.eventsEmitted.inc({ event: 'proof:new' });
    if (event.reaction !== null) metrics.eventsEmitted.inc({ event: 'reaction:count' });
  });
}

// The label set is the protocol's proof types (bounded); anything else is `other`.
const PROOF_TYPE_LABELS: ReadonlySet<string> = new Set(PROOF_TYPES);

function proofType(input: unknown): string {
  const proof = typeof input === 'object' && input !== null && 'proof' in input ? input.proof : input;
  const type = typeof proof === 'object' && proof !== null && 'type' in proof ? proof.type : undefined;
  return typeof type === 'string' && PROOF_TYPE_LABELS.has(type) ? type : 'other';
}

/** The same ingest, counting every answer in proofhub_proofs_accepted_total / _refused_total. */
export function instrumentIngest(ingest: ProofIngest): ProofIngest {
  return {
    async submit(input, userId) {
      const result = await ingest.submit(input, userId);
      if (result.ok) metrics.proofsAccepted.inc({ type: proofType(input), duplicate: String(result.value.duplicate) });
      else metrics.proofsRefused.inc({ code: result.error.code });
      return result;
    },
    async admitIdentity(input, binding) {
      const result = await ingest.admitIdentity(input, binding);
      if (result.ok) metrics.proofsAccepted.inc({ type: 'identity', duplicate: 'false' });
      else metrics.proofsRefused.inc({ code: result.error.code });
      return result;
    },
  };
}

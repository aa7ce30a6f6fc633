// How the chain service tells browsers and agents: proof:status to the proof's hub and thread
// rooms, chain:head to everyone (lib/protocol/events.ts). With the Redis adapter the emits reach
// the clients of every web instance, so one follower is enough.
import type { Logger } from 'pino';
import { hubRoom, threadRoom } from '@/lib/protocol/events';
import type { ChainHeadEvent, ProofStatusEvent } from '@/lib/protocol/events';
import type { DbOrTx } from '../db/types';
import { stampStatusEvents } from '../realtime/catch-up';
import type { HubServer } from '../realtime/realtime';

export interface StatusChange {
  event: ProofStatusEvent;
  /** Thread root of the proof (itself for a post), or null. */
  thread: string | null;
}

export interface ChainBroadcaster {
  proofStatus(changes: readonly StatusChange[]): void;
  chainHead(event: ChainHeadEvent): void;
}

/**
 * With `db`, each proof:status carries its status_index (server/realtime/catch-up.ts), looked up
 * before the emit unless the writer stamped it; the events leave in the order they were given.
 */
export function socketBroadcaster(io: HubServer, db?: DbOrTx, logger?: Logger): ChainBroadcaster {
  const emit = (changes: readonly StatusChange[], events: readonly ProofStatusEvent[]) => {
    changes.forEach(({ thread }, i) => {
      const event = events[i];
      if (event === undefined) return;
      const rooms = [hubRoom(event.hub)];
      if (thread !== null) rooms.push(threadRoom(thread));
      io.to(rooms).emit('proof:status', event);
    });
  };
  let queue = Promise.resolve();
  return {
    proofStatus(changes) {
      const events = changes.map((change) => change.event);
      if (db === undefined) return emit(changes, events);
      // Events stamped by their writer (the follower reads status_index in its transaction) need
      // no lookup; they still take the queue, behind any batch being stamped. Unstamped if the
      // lookup fails; and whatever happens to one batch, the queue goes on (a rejected link would
      // silence every later proof:status).
      // The lookup starts now (the change is committed), not when the queue reaches the batch.
      const stamp = events.every((event) => event.status_index !== undefined) ? Promise.resolve(events) : stampStatusEvents(db, events).catch(() => events);
      queue = queue
        .then(() => stamp.then((stamped) => emit(changes, stamped)))
        .catch((error: unknown) => logger?.error({ err: error }, 'chain: a proof:status broadcast failed'));
    },
    chainHead(event) {
      io.emit('chain:head', event);
    },
  };
}

/** Thread of a proof row: a post is its own thread, replies and reactions name theirs. */
export function threadOf(row: { id: string; type: string; refRoot: string | null }): string | null {
  return row.type === 'post' ? row.id : row.refRoot;
}

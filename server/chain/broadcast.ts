// How the chain service tells browsers and agents: proof:status to the proof's hub and thread
// rooms, chain:head to everyone (lib/protocol/events.ts). With the Redis adapter the emits reach
// the clients of every web instance, so one follower is enough.
import { hubRoom, threadRoom } from '@/lib/protocol/events';
import type { ChainHeadEvent, ProofStatusEvent } from '@/lib/protocol/events';
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

export function socketBroadcaster(io: HubServer): ChainBroadcaster {
  return {
    proofStatus(changes) {
      for (const { event, thread } of changes) {
        const rooms = [hubRoom(event.hub)];
        if (thread !== null) rooms.push(threadRoom(thread));
        io.to(rooms).emit('proof:status', event);
      }
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

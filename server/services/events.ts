// In-process events from the services to the realtime layer: services never import Socket.IO, the
// realtime module subscribes here and fans out to rooms (and, with Redis, to other instances).
import { EventEmitter } from 'node:events';
import type { ProofNewEvent, ReactionCountEvent } from '@/lib/protocol/events';

export interface HubEventMap {
  /** A proof was stored (after its transaction committed). */
  'proof:stored': [event: ProofNewEvent & { reaction: ReactionCountEvent | null }];
}

export class HubEvents {
  readonly #emitter = new EventEmitter();

  on<K extends keyof HubEventMap>(name: K, listener: (...args: HubEventMap[K]) => void): () => void {
    this.#emitter.on(name, listener as (...args: unknown[]) => void);
    return () => this.#emitter.off(name, listener as (...args: unknown[]) => void);
  }

  emit<K extends keyof HubEventMap>(name: K, ...args: HubEventMap[K]): void {
    this.#emitter.emit(name, ...args);
  }
}

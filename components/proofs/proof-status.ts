'use client';
// What the hub says about each proof's place in the chain, as proof:status events bring it
// (signed → anchored → verified, with the anchor). One store per page, keyed by proof id, fed by
// one socket listener however many badges watch; a badge reads its entry and re-checks the
// anchor itself (anchor-check.ts) before it turns green. Events can arrive out of order (a
// replay after a reconnect): a lower status never replaces a higher one.
import { useEffect, useSyncExternalStore } from 'react';
import type { ProofStatus, ProofStatusEvent } from '@/lib/protocol/events';
import { useRealtime } from '../realtime/realtime-provider';
import type { HubSocket } from '../realtime/realtime-provider';

export interface StatusEntry {
  readonly status: ProofStatus;
  /** The anchor as the hub sent it: unchecked. */
  readonly anchor?: unknown;
  readonly reason?: { code: string; message: string };
}

const RANK: Record<ProofStatus, number> = { signed: 0, anchored: 1, verified: 2, invalid: 3 };

export class ProofStatusStore {
  readonly #entries = new Map<string, StatusEntry>();
  readonly #listeners = new Map<string, Set<() => void>>();

  get(id: string): StatusEntry | undefined {
    return this.#entries.get(id);
  }

  /** Records a status; ignored when it is lower than what is known. Returns whether it changed. */
  record(id: string, entry: StatusEntry): boolean {
    const known = this.#entries.get(id);
    if (known !== undefined && (RANK[entry.status] < RANK[known.status] || (RANK[entry.status] === RANK[known.status] && entry.anchor === undefined))) return false;
    this.#entries.set(id, entry);
    for (const listener of this.#listeners.get(id) ?? []) listener();
    return true;
  }

  recordEvent(event: ProofStatusEvent): boolean {
    const entry: StatusEntry = { status: event.status, ...(event.anchor === undefined ? {} : { anchor: event.anchor }), ...(event.reason === undefined ? {} : { reason: event.reason }) };
    return this.record(event.id, entry);
  }

  subscribe(id: string, listener: () => void): () => void {
    let set = this.#listeners.get(id);
    if (set === undefined) {
      set = new Set();
      this.#listeners.set(id, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.#listeners.delete(id);
    };
  }
}

export const proofStatusStore = new ProofStatusStore();

const attached = new WeakMap<HubSocket, number>();
const onStatus = (event: ProofStatusEvent) => {
  proofStatusStore.recordEvent(event);
};

/** Keeps one proof:status listener on the page's socket while any component uses it. */
export function useProofStatusFeed(): void {
  const { socket } = useRealtime();
  useEffect(() => {
    if (socket === null) return;
    const count = attached.get(socket) ?? 0;
    if (count === 0) socket.on('proof:status', onStatus);
    attached.set(socket, count + 1);
    return () => {
      const left = (attached.get(socket) ?? 1) - 1;
      attached.set(socket, left);
      if (left === 0) socket.off('proof:status', onStatus);
    };
  }, [socket]);
}

/** The hub's latest word on a proof (live), or undefined before any event. */
export function useProofStatus(id: string | null): StatusEntry | undefined {
  return useSyncExternalStore(
    (listener) => (id === null ? () => undefined : proofStatusStore.subscribe(id, listener)),
    () => (id === null ? undefined : proofStatusStore.get(id)),
    () => undefined,
  );
}

'use client';
// The latest certified tree head, live: fetched once, then again on every chain:head event
// (throttled; an event carrying the whole certified head is used as is). Each head goes through
// the page's HeadHistory (rollback / fork detection against the heads this browser kept) before
// anyone shows it; an inconsistent head raises the page's chain alert instead.
import { useEffect, useSyncExternalStore } from 'react';
import { certifiedHeadSchema } from '@/lib/protocol/chain';
import type { CertifiedHeadWire } from '@/lib/protocol/chain';
import { browserChainPin } from '../proofs/pinned-chain';
import { useRealtime } from '../realtime/realtime-provider';
import { chainApi } from './chain-client';
import { HeadHistory } from './head-history';
import type { HeadVerdict } from './head-history';

export type ChainAlertState = Extract<HeadVerdict, { kind: 'alert' }>;

interface HeadState {
  head: CertifiedHeadWire | null;
  /** Why the chain could not be read (no chain on this hub, offline); null when fine. */
  problem: string | null;
  alert: ChainAlertState | null;
  /** Bumps on every head accepted, for subscribers that refresh lists. */
  version: number;
}

const THROTTLE_MS = 1_000;

/** One watcher per page: every component sees the same head and the same alert. */
class ChainHeadWatcher {
  #state: HeadState = { head: null, problem: null, alert: null, version: 0 };
  readonly #listeners = new Set<() => void>();
  #history: Promise<HeadHistory | null> | undefined;
  #running = false;
  #again = false;
  #lastRun = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;

  snapshot = (): HeadState => this.#state;

  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  #set(next: Partial<HeadState>): void {
    this.#state = { ...this.#state, ...next };
    for (const listener of this.#listeners) listener();
  }

  #historyOf(): Promise<HeadHistory | null> {
    this.#history ??= browserChainPin()
      .get()
      .then(
        (pin) => {
          if (!pin.ok) {
            this.#set({ problem: `${pin.reason.code}: ${pin.reason.message}` });
            return null;
          }
          const storage = typeof window === 'undefined' ? { getItem: () => null, setItem: () => undefined } : window.localStorage;
          return new HeadHistory({ genesisHash: pin.pinned.chain.genesisHash, storage, certificates: pin.pinned.certificates, consistency: chainApi.consistency });
        },
        (error: unknown) => {
          this.#history = undefined;
          this.#set({ problem: error instanceof Error ? error.message : String(error) });
          return null;
        },
      );
    return this.#history;
  }

  /** Asks for the head now (or soon, when a check is running or one ran less than a second ago). */
  refresh = (offered?: CertifiedHeadWire): void => {
    if (this.#running) {
      this.#again = true;
      return;
    }
    const wait = this.#lastRun + THROTTLE_MS - Date.now();
    if (wait > 0 && offered === undefined) {
      if (this.#timer === undefined) {
        this.#timer = setTimeout(() => {
          this.#timer = undefined;
          this.refresh();
        }, wait);
      }
      return;
    }
    this.#running = true;
    this.#lastRun = Date.now();
    void this.#run(offered).finally(() => {
      this.#running = false;
      if (this.#again) {
        this.#again = false;
        this.refresh();
      }
    });
  };

  async #run(offered?: CertifiedHeadWire): Promise<void> {
    const history = await this.#historyOf();
    if (history === null) return;
    let head = offered;
    if (head === undefined) {
      const answer = await chainApi.head();
      if (!answer.ok) {
        this.#set({ problem: `${answer.error.code}: ${answer.error.message}` });
        return;
      }
      head = answer.value;
    }
    const verdict = await history.check(head);
    if (verdict.kind === 'alert') this.#set({ alert: verdict });
    else if (verdict.kind === 'ok' && (this.#state.head === null || head.height >= this.#state.head.height)) {
      this.#set({ head, problem: null, version: this.#state.version + 1 });
    }
  }
}

let watcher: ChainHeadWatcher | undefined;

function pageWatcher(): ChainHeadWatcher {
  watcher ??= new ChainHeadWatcher();
  return watcher;
}

const SERVER_STATE: HeadState = { head: null, problem: null, alert: null, version: 0 };

/** The page's checked certified head and chain alert, live on chain:head. */
export function useChainHead(): HeadState {
  const { socket } = useRealtime();
  const current = pageWatcher();
  useEffect(() => {
    current.refresh();
  }, [current]);
  useEffect(() => {
    if (socket === null) return;
    const onHead = (event: unknown) => {
      const full = certifiedHeadSchema.safeParse(event);
      current.refresh(full.success ? full.data : undefined);
    };
    socket.on('chain:head', onHead);
    return () => {
      socket.off('chain:head', onHead);
    };
  }, [socket, current]);
  return useSyncExternalStore(current.subscribe, current.snapshot, () => SERVER_STATE);
}

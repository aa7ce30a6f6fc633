// Where a proof is on its way to `verified`, as the chain service sees it: for benchmarks
// (bench/e2e.ts prints the time between stages) and anyone who wants per-stage timings without
// parsing logs. Listeners run synchronously on the service's path: keep them cheap.
//
//   submitted  the submitter sends the leaf in a POST /leaves batch
//   admitted   a validator answered accepted / duplicate / committed for it
//   received   the follower read the committed block carrying the leaf from the commit stream
//   certified  the follower verified the commit certificate covering that block
//   adopted    the follower's transaction stored the anchor (the proof is `verified`); the
//              proof:status event is sent right after
export type ChainStage = 'submitted' | 'admitted' | 'received' | 'certified' | 'adopted';

export interface ChainTraceEvent {
  readonly stage: ChainStage;
  /** Proof ids (lowercase hex). */
  readonly ids: readonly string[];
  /** performance.now() of this process. */
  readonly at: number;
}

export type ChainTrace = (event: ChainTraceEvent) => void;

/** Fans trace events out to listeners; a listener that throws is dropped from this event only. */
export class ChainTracer {
  readonly #listeners = new Set<ChainTrace>();

  get active(): boolean {
    return this.#listeners.size > 0;
  }

  on(listener: ChainTrace): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  emit(stage: ChainStage, ids: () => readonly string[]): void {
    if (this.#listeners.size === 0) return;
    const event: ChainTraceEvent = { stage, ids: ids(), at: performance.now() };
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch {
        // A listener's failure is its own; the chain path goes on.
      }
    }
  }
}

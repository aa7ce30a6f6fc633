// bench:e2e's stall finder (docs/performance.md "Badges"): what holds the hub's one event loop.
// PGlite runs each protocol message synchronously in WebAssembly (execProtocolRawSync), so a slow
// statement blocks the whole process, every request and timer included, for as long as it runs.
// This wraps that call on the PGlite prototype (before the hub opens its database) and notes the
// statement text (the Parse or Query message's SQL) and its time; beside it an event-loop gap timer
// and a GC observer. Bench-only: nothing in server/ imports it.
import { PGlite } from '@electric-sql/pglite';
import { monitorEventLoopDelay, performance, PerformanceObserver } from 'node:perf_hooks';

export interface StallEvent {
  /** ms since the monitor started */
  at: number;
  ms: number;
  what: string;
}

export interface StallReport {
  /** Event-loop gaps over the threshold (the loop did not run a 10 ms timer for that long). */
  loopGaps: StallEvent[];
  /** Single PGlite protocol calls over the threshold, with their statement. */
  slowQueries: StallEvent[];
  /** GC pauses over 50 ms. */
  gcPauses: StallEvent[];
  /** Time in PGlite per statement text (top entries), ms and calls. */
  topStatements: { sql: string; ms: number; calls: number; maxMs: number }[];
  /** Total ms inside PGlite's synchronous calls (wall; a starved process inflates it). */
  pgliteMs: number;
  /** Process CPU ms inside those calls (survives the load of a shared machine). */
  pgliteCpuMs: number;
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
}

const decoder = new TextDecoder();

/** The SQL of a frontend message: Parse ('P': name\0 query\0 …) or simple Query ('Q': query\0). */
function statementOf(message: Uint8Array): string | null {
  const kind = message[0];
  if (kind !== 0x50 && kind !== 0x51) return null;
  let start = 5;
  if (kind === 0x50) {
    while (start < message.length && message[start] !== 0) start++;
    start++;
  }
  let end = start;
  while (end < message.length && message[end] !== 0) end++;
  return decoder.decode(message.subarray(start, end)).replace(/\s+/g, ' ').trim();
}

export interface StallMonitor {
  /** Clears what was recorded (call when the measured phase starts). */
  reset(): void;
  report(): StallReport;
  stop(): void;
}

/** Installs the probes; thresholdMs applies to loop gaps and single PGlite calls. */
export function startStallMonitor(thresholdMs = 200): StallMonitor {
  let origin = performance.now();
  let loopGaps: StallEvent[] = [];
  let slowQueries: StallEvent[] = [];
  let gcPauses: StallEvent[] = [];
  let statements = new Map<string, { ms: number; calls: number; maxMs: number }>();
  let pgliteMs = 0;
  let pgliteCpuMs = 0;
  let lastSql = '(none)';

  const proto = PGlite.prototype as unknown as { execProtocolRawSync: (message: Uint8Array) => Uint8Array };
  const original = proto.execProtocolRawSync;
  proto.execProtocolRawSync = function wrapped(this: unknown, message: Uint8Array): Uint8Array {
    const sql = statementOf(message);
    if (sql !== null) lastSql = sql;
    const start = performance.now();
    const cpuStart = process.cpuUsage();
    try {
      return original.call(this, message);
    } finally {
      const ms = performance.now() - start;
      const cpu = process.cpuUsage(cpuStart);
      pgliteCpuMs += (cpu.user + cpu.system) / 1000;
      pgliteMs += ms;
      const key = lastSql.slice(0, 160);
      gapStatements.set(key, (gapStatements.get(key) ?? 0) + ms);
      const entry = statements.get(key) ?? { ms: 0, calls: 0, maxMs: 0 };
      entry.ms += ms;
      entry.calls += message[0] === 0x53 || message[0] === 0x51 ? 1 : 0; // Sync or simple Query ends a statement
      entry.maxMs = Math.max(entry.maxMs, ms);
      statements.set(key, entry);
      if (ms >= thresholdMs) slowQueries.push({ at: start - origin, ms, what: `${String.fromCharCode(message[0] ?? 63)} ${lastSql.slice(0, 300)}` });
    }
  };

  // Each gap says what the process did meanwhile: CPU time about equal to the gap is a loop kept
  // busy (by PGlite, or by JavaScript); much less CPU than the gap is a process the OS did not run
  // (the other processes of a loaded machine).
  const TICK = 10;
  let last = performance.now();
  let lastCpu = process.cpuUsage();
  let lastPglite = 0;
  let gapStatements = new Map<string, number>();
  const timer = setInterval(() => {
    const now = performance.now();
    const gap = now - last - TICK;
    const cpu = process.cpuUsage(lastCpu);
    if (gap >= thresholdMs) {
      const top = [...gapStatements.entries()].sort((a, b) => b[1] - a[1]).slice(0, 2).map(([sql, ms]) => `${Math.round(ms)} ms ${sql.slice(0, 70)}`).join(' | ');
      loopGaps.push({ at: last - origin, ms: gap, what: `cpu ${Math.round((cpu.user + cpu.system) / 1000)} ms, PGlite ${Math.round(pgliteMs - lastPglite)} ms${top === '' ? '' : ` (${top})`}` });
    }
    last = now;
    lastCpu = process.cpuUsage();
    lastPglite = pgliteMs;
    gapStatements = new Map();
  }, TICK);
  timer.unref();
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  const gc = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if (entry.duration >= 50) gcPauses.push({ at: entry.startTime - origin, ms: entry.duration, what: `gc kind ${String((entry as { detail?: { kind?: number } }).detail?.kind ?? '?')}` });
    }
  });
  gc.observe({ entryTypes: ['gc'] });

  return {
    reset() {
      origin = performance.now();
      loopGaps = [];
      slowQueries = [];
      gcPauses = [];
      statements = new Map();
      pgliteMs = 0;
      pgliteCpuMs = 0;
      lastPglite = 0;
      histogram.reset();
    },
    report() {
      const topStatements = [...statements.entries()]
        .map(([sql, entry]) => ({ sql, ms: Math.round(entry.ms), calls: entry.calls, maxMs: Math.round(entry.maxMs) }))
        .sort((a, b) => b.ms - a.ms)
        .slice(0, 12);
      return {
        loopGaps,
        slowQueries,
        gcPauses,
        topStatements,
        pgliteMs: Math.round(pgliteMs),
        pgliteCpuMs: Math.round(pgliteCpuMs),
        loopDelayP99Ms: Math.round(histogram.percentile(99) / 1e6),
        loopDelayMaxMs: Math.round(histogram.max / 1e6),
      };
    },
    stop() {
      clearInterval(timer);
      histogram.disable();
      gc.disconnect();
      proto.execProtocolRawSync = original;
    },
  };
}

// CPU steal time: the share of the machine's CPU time the hypervisor gave to other guests. On a
// shared VM it swings from ~2 % to over 50 % within an hour (docs/performance.md, session 6), and
// every latency figure moves with it, so the benches print it beside their results. Linux only
// (/proc/stat's aggregate "cpu" line, 8th value); null elsewhere.
import { readFileSync } from 'node:fs';

export interface CpuTimes {
  readonly total: number;
  readonly steal: number;
}

/** The machine's aggregate CPU times so far (clock ticks), or null where /proc/stat is missing. */
export function readCpuTimes(): CpuTimes | null {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
    if (!line.startsWith('cpu ')) return null;
    // user nice system idle iowait irq softirq steal (guest and guest_nice are inside user/nice).
    const values = line.trim().split(/\s+/).slice(1, 9).map(Number);
    if (values.length < 8 || values.some((value) => !Number.isFinite(value))) return null;
    return { total: values.reduce((sum, value) => sum + value, 0), steal: values[7] as number };
  } catch {
    return null;
  }
}

/** Steal time between two readings, in percent of all CPU time; null when unknown. */
export function stealPercent(from: CpuTimes | null, to: CpuTimes | null): number | null {
  if (!from || !to || to.total <= from.total) return null;
  return (100 * (to.steal - from.steal)) / (to.total - from.total);
}

export function formatSteal(percent: number | null): string {
  return percent === null ? 'n/a' : `${percent.toFixed(0)} %`;
}

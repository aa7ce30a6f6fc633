import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatSteal, readCpuTimes, stealPercent } from './cpu-steal';

describe('CPU steal time', () => {
  it('is the steal ticks over all ticks between two readings', () => {
    expect(stealPercent({ total: 1000, steal: 100 }, { total: 3000, steal: 600 })).toBe(25);
    expect(formatSteal(stealPercent({ total: 1000, steal: 100 }, { total: 3000, steal: 600 }))).toBe('25 %');
  });

  it('is unknown without two readings or when no time passed', () => {
    expect(stealPercent(null, { total: 10, steal: 1 })).toBeNull();
    expect(stealPercent({ total: 10, steal: 1 }, { total: 10, steal: 1 })).toBeNull();
    expect(formatSteal(null)).toBe('n/a');
  });

  it.runIf(existsSync('/proc/stat'))('reads the aggregate line of /proc/stat on Linux', () => {
    const times = readCpuTimes();
    expect(times).not.toBeNull();
    expect(times?.total).toBeGreaterThan(0);
    expect(times?.steal).toBeGreaterThanOrEqual(0);
    expect(times?.steal).toBeLessThanOrEqual(times?.total ?? 0);
  });
});

// Seeded pseudo-random numbers for the simulator: sfc32 (Chris Doty-Humphrey's Small Fast Counter,
// as in PractRand) seeded through splitmix32, so every seed gives an independent, exactly
// reproducible stream on every platform (32-bit integer arithmetic only).

export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** Uniform integer in [min, max]. */
  between(min: number, max: number): number;
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
  shuffle<T>(items: readonly T[]): T[];
  /** An independent stream derived from this seed and a label (so adding draws elsewhere does not shift it). */
  fork(label: number): Random;
}

function splitmix32(state: number): () => number {
  let x = state >>> 0;
  return () => {
    x = (x + 0x9e3779b9) >>> 0;
    let z = x;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

export function createRandom(seed: number): Random {
  const init = splitmix32(seed);
  let a = init();
  let b = init();
  let c = init();
  let d = init();
  const nextU32 = (): number => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t;
  };
  for (let i = 0; i < 12; i++) nextU32();
  const random: Random = {
    next: () => nextU32() / 0x1_0000_0000,
    int: (n) => Math.floor((nextU32() / 0x1_0000_0000) * n),
    between: (min, max) => min + Math.floor((nextU32() / 0x1_0000_0000) * (max - min + 1)),
    chance: (p) => nextU32() / 0x1_0000_0000 < p,
    pick: <T>(items: readonly T[]): T => {
      if (items.length === 0) throw new RangeError('pick from an empty list');
      return items[random.int(items.length)] as T;
    },
    shuffle: <T>(items: readonly T[]): T[] => {
      const out = [...items];
      for (let i = out.length - 1; i > 0; i--) {
        const j = random.int(i + 1);
        [out[i], out[j]] = [out[j] as T, out[i] as T];
      }
      return out;
    },
    fork: (label) => createRandom((Math.imul(seed ^ 0x5bd1e995, 0x27d4eb2d) + Math.imul(label + 1, 0x165667b1)) >>> 0),
  };
  return random;
}

// A slice of seeds with real Ed25519 (noble signer, One-Ed25519-rule verifier) instead of the
// keyed-hash stand-in: the simulated runs go through the production signature path unchanged.
import { describe, expect, it } from 'vitest';
import { runSimulation } from './simulator';

describe('simulation with real Ed25519 signatures', () => {
  it(
    'keeps every invariant on a few seeds of several kinds',
    () => {
      for (const seed of [0, 2, 5, 9]) {
        const result = runSimulation({ seed, crypto: 'ed25519' });
        expect(result.ok, `seed ${seed}: ${result.violation?.message}\n  replay: ${result.replay}`).toBe(true);
        expect(result.maxCommitHeight).toBeGreaterThanOrEqual(2);
      }
    },
    300_000,
  );
});

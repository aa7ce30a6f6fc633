// The committed proof vectors (vectors.json) match what the code builds, and every vector gets
// its expected answer from both back-ends. Regenerate after a deliberate format change with
//   UPDATE_PROOF_VECTORS=1 npx vitest run lib/proof/vectors.test.ts
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hexToBytes } from '@/lib/bytes';
import { nobleVerifier } from '@/lib/crypto/ed25519';
import { nodeVerifier } from '@/server/crypto/ed25519-node';
import { verifyProof } from './proof';
import { buildProofVectors } from './vectors';
import type { ProofVector } from './vectors';

const file = join(import.meta.dirname, 'vectors.json');

describe('proof vectors', () => {
  it('vectors.json is what the code builds', async () => {
    const built = `${JSON.stringify(await buildProofVectors(), null, 1)}\n`;
    if (process.env.UPDATE_PROOF_VECTORS === '1') writeFileSync(file, built);
    expect(readFileSync(file, 'utf8')).toBe(built);
  });

  it('every vector gets its expected answer from both back-ends', () => {
    const vectors = JSON.parse(readFileSync(file, 'utf8')) as ProofVector[];
    expect(vectors.length).toBeGreaterThan(30);
    for (const vector of vectors) {
      const options = {
        ...(vector.options?.now === undefined ? {} : { now: new Date(vector.options.now) }),
        ...(vector.options?.hub === undefined ? {} : { hub: vector.options.hub }),
        ...(vector.options?.publicKeyHex === undefined ? {} : { publicKey: hexToBytes(vector.options.publicKeyHex) }),
      };
      for (const verifier of [nobleVerifier, nodeVerifier]) {
        const result = verifyProof(vector.input, verifier, options);
        expect(result.ok ? 'ok' : result.error.code, `${vector.name} (${verifier.name})`).toBe(vector.expect);
      }
    }
  });
});

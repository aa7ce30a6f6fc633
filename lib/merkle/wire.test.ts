import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MerkleLog } from './log';
import { testLeaves, unwrap } from './testing/helpers';
import { verifyConsistency, verifyInclusion } from './verify';
import { consistencyProofFromJson, consistencyProofToJson, inclusionProofFromJson, inclusionProofToJson } from './wire';

const leaves = testLeaves(21);
const log = MerkleLog.fromLeafHashes(leaves);

describe('JSON forms of proofs', () => {
  it('round-trip an inclusion proof that still verifies', () => {
    const json = inclusionProofToJson(unwrap(log.inclusionProof(6, 13)), unwrap(log.rootAt(13)));
    expect(Object.keys(json)).toEqual(['index', 'size', 'root', 'path']);
    const decoded = unwrap(inclusionProofFromJson(JSON.parse(JSON.stringify(json))));
    expect(verifyInclusion({ ...decoded, leafHash: leaves[6] as Uint8Array }).ok).toBe(true);
  });

  it('round-trip a consistency proof that still verifies', () => {
    const json = consistencyProofToJson(unwrap(log.consistencyProof(7, 21)));
    const decoded = unwrap(consistencyProofFromJson(JSON.parse(JSON.stringify(json))));
    expect(verifyConsistency({ ...decoded, oldRoot: unwrap(log.rootAt(7)), newRoot: log.root() }).ok).toBe(true);
  });

  it('refuse malformed input with a code, never throwing', () => {
    const good = inclusionProofToJson(unwrap(log.inclusionProof(0)), log.root());
    const code = (json: unknown): string | undefined => {
      const result = inclusionProofFromJson(json);
      return result.ok ? undefined : result.error.code;
    };
    expect(code({ ...good, index: -1 })).toBe('malformed');
    expect(code({ ...good, index: 1.5 })).toBe('malformed');
    expect(code({ ...good, root: good.root.slice(2) })).toBe('malformed');
    expect(code({ ...good, path: [...good.path, 'xyz'] })).toBe('malformed');
    expect(code({ ...good, path: Array.from({ length: 65 }, () => good.root) })).toBe('malformed');
    expect(code({ ...good, extra: true })).toBe('malformed');
    expect(consistencyProofFromJson({ from: 1, to: 2 }).ok).toBe(false);
    fc.assert(fc.property(fc.anything(), (json) => {
      expect(() => inclusionProofFromJson(json)).not.toThrow();
      expect(() => consistencyProofFromJson(json)).not.toThrow();
    }));
  });
});

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CanonicalizationError, canonicalizeJson } from './index';

// RFC 8785 input/output pairs from erdtman/canonicalize testdata (test/vectors/jcs, Apache-2.0).
const dir = join(import.meta.dirname, '../../test/vectors/jcs');

describe('canonicalizeJson (RFC 8785)', () => {
  for (const name of readdirSync(join(dir, 'input'))) {
    it(`matches the published output for ${name}`, () => {
      const input: unknown = JSON.parse(readFileSync(join(dir, 'input', name), 'utf8'));
      const expected = readFileSync(join(dir, 'output', name), 'utf8').replace(/\n$/, '');
      expect(canonicalizeJson(input)).toBe(expected);
    });
  }

  it('orders keys by UTF-16 code units and writes numbers in ES shortest form', () => {
    expect(canonicalizeJson({ b: 1e21, a: 0.000001, '\u20ac': -0, '\ud83d\ude00': 1.0 })).toBe(
      '{"a":0.000001,"b":1e+21,"\u20ac":0,"\ud83d\ude00":1}',
    );
  });

  it('refuses values that have no JSON form', () => {
    expect(() => canonicalizeJson({ f: () => 1 })).toThrow(CanonicalizationError);
    expect(() => canonicalizeJson({ n: Number.NaN })).toThrow(CanonicalizationError);
    expect(() => canonicalizeJson({ u: undefined })).toThrow(CanonicalizationError);
    expect(() => canonicalizeJson(new Date(0))).toThrow(CanonicalizationError);
  });
});

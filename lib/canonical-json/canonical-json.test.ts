import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import canonicalize from 'canonicalize';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CanonicalizationError, canonicalizeJson, canonicalizePlainJson, hasLoneSurrogate } from './index';
import type { JsonValue } from './index';

// RFC 8785 input/output pairs from erdtman/canonicalize testdata (test/vectors/jcs, Apache-2.0).
const dir = join(import.meta.dirname, '../../test/vectors/jcs');

/** JSON values as JSON.parse makes them, with keys and strings from all of UTF-16 (well-formed). */
const jsonValue = fc.jsonValue({ depthSize: 'small', maxDepth: 4, stringUnit: 'grapheme' });
const keyedObject = fc.dictionary(fc.oneof(fc.string({ unit: 'grapheme' }), fc.nat().map(String), fc.constantFrom('__proto__', 'constructor', '-0', '1e3')), jsonValue);

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

  it('escapes strings exactly as RFC 8785 §3.2.2.2 (JSON.stringify) does, in values and member names', () => {
    const strings = ['plain', 'q"uote', 'back\\slash', 'line\nfeed', '\u0000\u0001\u001f', '\u007f\u0080', '\u2028\u2029', '\ud83d\ude00', ''];
    for (const text of strings) {
      expect(canonicalizeJson(text)).toBe(JSON.stringify(text));
      expect(canonicalizeJson({ [text]: text })).toBe(`{${JSON.stringify(text)}:${JSON.stringify(text)}}`);
      expect(canonicalizeJson({ [text]: text })).toBe(canonicalize({ [text]: text }));
    }
  });

  it('orders integer-like member names as strings, not in the engine\'s numeric order', () => {
    expect(canonicalizeJson({ 10: 'a', 9: 'b', 1: 'c', x: [{ 2: 0, 11: 1 }] })).toBe('{"1":"c","10":"a","9":"b","x":[{"11":1,"2":0}]}');
  });

  it('gives the same text as the canonicalize package (the RFC co-author\'s) on generated JSON', () => {
    fc.assert(
      fc.property(fc.oneof(jsonValue, keyedObject), (value) => {
        expect(canonicalizeJson(value)).toBe(canonicalize(value));
      }),
      { numRuns: 300 },
    );
  });

  it('gives the same text for a value and for its JSON text parsed again (member order does not matter)', () => {
    fc.assert(
      fc.property(keyedObject, (value) => {
        const reversed = Object.fromEntries(Object.entries(value).reverse());
        expect(canonicalizeJson(reversed)).toBe(canonicalizeJson(JSON.parse(JSON.stringify(value))));
      }),
      { numRuns: 100 },
    );
  });

  it('refuses values that have no JSON form, naming where', () => {
    expect(() => canonicalizeJson({ f: () => 1 })).toThrow(CanonicalizationError);
    expect(() => canonicalizeJson({ n: Number.NaN })).toThrow(/\$\.n: non-finite number/);
    expect(() => canonicalizeJson({ u: undefined })).toThrow(CanonicalizationError);
    expect(() => canonicalizeJson(new Date(0))).toThrow(/not a plain object/);
    expect(() => canonicalizeJson([1, 2n])).toThrow(/\$\[1\]: bigint is not JSON/);
    expect(() => canonicalizeJson({ a: [1, , 3] })).toThrow(/\$\.a\[1\]: array hole/); // eslint-disable-line no-sparse-arrays
    expect(() => canonicalizeJson({ s: Symbol('x') })).toThrow(CanonicalizationError);
  });

  it('refuses lone surrogates in strings and member names (they have no UTF-8 form)', () => {
    expect(() => canonicalizeJson({ a: 'x\ud800' })).toThrow(/\$\.a: string with a lone UTF-16 surrogate/);
    expect(() => canonicalizeJson(['\udc00x'])).toThrow(CanonicalizationError);
    expect(() => canonicalizeJson({ '\ud83d': 1 })).toThrow(/member name/);
    expect(canonicalizeJson('\ud83d\ude00')).toBe('"\ud83d\ude00"');
  });

  it('refuses cycles instead of overflowing the stack', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = { back: cyclic };
    expect(() => canonicalizeJson(cyclic)).toThrow(/\$\.self\.back: cyclic reference/);
    const shared = { k: 1 };
    expect(canonicalizeJson({ a: shared, b: [shared] })).toBe('{"a":{"k":1},"b":[{"k":1}]}'); // shared, not cyclic
  });

  it('lets a throwing getter\'s own error through', () => {
    const hostile = Object.defineProperty({}, 'x', { enumerable: true, get: () => { throw new TypeError('boom'); } });
    expect(() => canonicalizeJson(hostile)).toThrow(TypeError);
  });
});

describe('hasLoneSurrogate', () => {
  it('agrees with String.prototype.isWellFormed on arbitrary UTF-16', () => {
    fc.assert(
      // Code units from the whole range, with surrogates and their neighbours drawn often.
      fc.property(fc.array(fc.oneof(fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0xd7fe, max: 0xe001 })), { maxLength: 12 }), (units) => {
        const text = String.fromCharCode(...units);
        expect(hasLoneSurrogate(text)).toBe(!(text as unknown as { isWellFormed(): boolean }).isWellFormed());
      }),
      { numRuns: 500 },
    );
  });
});

describe('canonicalizePlainJson (values known to be plain JSON)', () => {
  it('writes what canonicalizeJson writes, on the published inputs and on generated JSON', () => {
    for (const name of readdirSync(join(dir, 'input'))) {
      const input = JSON.parse(readFileSync(join(dir, 'input', name), 'utf8')) as JsonValue;
      expect(canonicalizePlainJson(input)).toBe(canonicalizeJson(input));
    }
    fc.assert(
      fc.property(fc.oneof(jsonValue, keyedObject), (value) => {
        expect(canonicalizePlainJson(value as JsonValue)).toBe(canonicalizeJson(value));
      }),
      { numRuns: 300 },
    );
  });

  it('still refuses what the package refuses: lone surrogates, non-finite numbers, cycles', () => {
    expect(() => canonicalizePlainJson({ a: 'x\ud800' })).toThrow();
    expect(() => canonicalizePlainJson({ a: Number.NaN })).toThrow();
    expect(() => canonicalizePlainJson([Number.POSITIVE_INFINITY])).toThrow();
    const cyclic: { self?: unknown } = {};
    cyclic.self = cyclic;
    expect(() => canonicalizePlainJson(cyclic as JsonValue)).toThrow();
  });
});

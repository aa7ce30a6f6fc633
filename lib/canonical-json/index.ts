// RFC 8785 JSON Canonicalization Scheme through the `canonicalize` package (erdtman, the RFC
// co-author's implementation for JS): issue 2 asks for a well-kept package here, and the one rule
// every signer and verifier shares should not be our own code.
//
// On Node 20 npm resolves canonicalize 4.0.0, which writes invalid JSON for functions and
// `undefined` and passes lone surrogates through, so one walk first refuses anything that is not
// plain JSON, naming where. A one-walk serializer of our own measured about 2x faster on this
// step alone but only a few percent of proof verification (docs/performance.md, "Proof core");
// the package stays the serializer.
import canonicalize from 'canonicalize';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export class CanonicalizationError extends Error {
  readonly code = 'canonicalization_failed' as const;
}

/** Any UTF-16 surrogate; only strings that hold one need the exact (slower) pairing check. */
const SURROGATE = /[\ud800-\udfff]/;

/** True when a string has a surrogate that is not part of a high-low pair (no UTF-8 form). */
export function hasLoneSurrogate(text: string): boolean {
  if (!SURROGATE.test(text)) return false;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0xd800 || unit > 0xdfff) continue;
    if (unit >= 0xdc00) return true; // a low surrogate with no high one before it
    const next = i + 1 < text.length ? text.charCodeAt(i + 1) : 0;
    if (next < 0xdc00 || next > 0xdfff) return true;
    i++;
  }
  return false;
}

/** Where and why a value is not plain JSON, or undefined when it is. */
function describeNonJson(value: unknown, path: string, ancestors: object[]): string | undefined {
  switch (typeof value) {
    case 'string':
      return hasLoneSurrogate(value) ? `${path}: string with a lone UTF-16 surrogate` : undefined;
    case 'number':
      return Number.isFinite(value) ? undefined : `${path}: non-finite number`;
    case 'boolean':
      return undefined;
    case 'object': {
      if (value === null) return undefined;
      if (ancestors.includes(value)) return `${path}: cyclic reference`;
      ancestors.push(value);
      let found: string | undefined;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length && found === undefined; i++) {
          found = i in value ? describeNonJson(value[i], `${path}[${i}]`, ancestors) : `${path}[${i}]: array hole`;
        }
      } else {
        const prototype: unknown = Object.getPrototypeOf(value);
        if (prototype !== Object.prototype && prototype !== null) return `${path}: not a plain object`;
        for (const [key, item] of Object.entries(value)) {
          found = hasLoneSurrogate(key) ? `${path}: member name with a lone UTF-16 surrogate` : describeNonJson(item, `${path}.${key}`, ancestors);
          if (found !== undefined) break;
        }
      }
      ancestors.pop();
      return found;
    }
    default:
      return `${path}: ${typeof value} is not JSON`;
  }
}

/**
 * RFC 8785 canonical form of a JSON value. Throws CanonicalizationError on anything that is not
 * plain JSON: undefined, functions, symbols, BigInt, non-finite numbers, lone surrogates, array
 * holes, objects other than plain ones (Date, Map, class instances), cycles.
 */
export function canonicalizeJson(value: unknown): string {
  const problem = describeNonJson(value, '$', []);
  if (problem !== undefined) throw new CanonicalizationError(problem);
  const text = canonicalize(value);
  if (typeof text !== 'string') throw new CanonicalizationError('$: value has no JSON form');
  return text;
}

/**
 * canonicalizeJson for a value already known to be plain JSON without lone surrogates, such as
 * the output of the strict proof schemas (lib/proof/schema.ts builds fresh plain objects and
 * arrays of checked strings, safe integers, null and true, and refuses lone surrogates in every
 * free-text field). It skips the guard walk, which on verifyProof's hot path repeated what the
 * schema had just established, and goes straight to the package, which itself still throws on
 * lone surrogates, NaN, Infinity and cycles. Anything else (untyped input, a value built by hand)
 * goes through canonicalizeJson.
 */
export function canonicalizePlainJson(value: JsonValue): string {
  const text = canonicalize(value);
  if (typeof text !== 'string') throw new CanonicalizationError('$: value has no JSON form');
  return text;
}


// RFC 8785 JSON Canonicalization Scheme (JCS), serialized in one walk that also refuses anything
// that is not plain JSON.
//
// JCS is ECMAScript's own JSON serialization with sorted object members, so the walk leans on it:
//   - strings (§3.2.2.2) and numbers (§3.2.2.3) are written exactly as JSON.stringify writes them
//     (for numbers that is Number.prototype.toString, -0 as 0); lone surrogates are refused (§3.2.2.2,
//     I-JSON, RFC 7493 §2.1) where JSON.stringify would escape them;
//   - object members are sorted by their names as arrays of UTF-16 code units (§3.2.3), which is
//     the default order of Array.prototype.sort on strings.
// The members are written in sorted order by this code, never by building a sorted object and
// handing it to JSON.stringify: engines iterate integer-like keys ("9", "10") in numeric order
// first, which is not the JCS order.
//
// The `canonicalize` package (the RFC co-author's implementation) is the reference: the tests run
// the RFC's published examples and compare with it on generated values. It was the implementation
// here until it showed up in the proof-verification profile (docs/performance.md): it scans every
// string for surrogates in JavaScript, tracks visited objects in a Set and builds per-level arrays,
// and it needed a separate walk before it because 4.0.0 writes invalid JSON for undefined and
// functions.

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

/**
 * Thrown inside the walk, one shared instance (no stack captured per refusal); canonicalizeJson
 * replaces it with a CanonicalizationError that says where.
 */
const NOT_JSON = new CanonicalizationError('not plain JSON');

/**
 * What JSON.stringify escapes in a string (", \, U+0000-U+001F, RFC 8785 §3.2.2.2) plus every
 * surrogate (a lone one is refused). Most strings in a proof hold none of these and are written
 * between quotes as they are, which is what JSON.stringify would write, without the call.
 */
// eslint-disable-next-line no-control-regex -- the control characters are what it looks for
const NEEDS_CARE = /["\\\u0000-\u001f\ud800-\udfff]/;

function writeString(text: string): string {
  if (!NEEDS_CARE.test(text)) return '"' + text + '"';
  if (hasLoneSurrogate(text)) throw NOT_JSON;
  return JSON.stringify(text);
}

function writeValue(value: unknown, ancestors: object[]): string {
  switch (typeof value) {
    case 'string':
      return writeString(value);
    case 'number':
      if (!Number.isFinite(value)) throw NOT_JSON;
      return String(value); // Number::toString, as JSON.stringify writes finite numbers (-0 as 0)
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      if (value === null) return 'null';
      return writeContainer(value, ancestors);
    default:
      throw NOT_JSON;
  }
}

function writeContainer(value: object, ancestors: object[]): string {
  if (ancestors.includes(value)) throw NOT_JSON; // a cycle
  ancestors.push(value);
  let out: string;
  if (Array.isArray(value)) {
    out = '[';
    for (let i = 0; i < value.length; i++) {
      if (!(i in value)) throw NOT_JSON; // a hole has no JSON form
      out += (i === 0 ? '' : ',') + writeValue(value[i], ancestors);
    }
    out += ']';
  } else {
    const prototype: unknown = Object.getPrototypeOf(value);
    if (prototype !== Object.prototype && prototype !== null) throw NOT_JSON;
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record).sort();
    out = '{';
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i] as string;
      out += (i === 0 ? '' : ',') + writeString(key) + ':' + writeValue(record[key], ancestors);
    }
    out += '}';
  }
  ancestors.pop();
  return out;
}

/**
 * Where and why a value is not plain JSON. Runs only after the fast walk refused the value, so
 * the hot path never builds paths.
 */
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
  try {
    return writeValue(value, []);
  } catch (error) {
    if (error !== NOT_JSON) throw error; // e.g. a throwing getter: not ours to rename
    throw new CanonicalizationError(describeNonJson(value, '$', []) ?? '$: value has no JSON form');
  }
}

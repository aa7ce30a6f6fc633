// RFC 8785 JSON Canonicalization Scheme through the `canonicalize` package (erdtman, the RFC
// author's reference implementation for JS). On Node 20 npm resolves canonicalize 4.0.0, which
// emits invalid JSON for function-valued fields and `undefined`: callers canonicalize only values
// that a zod schema has already accepted as plain JSON, and we refuse non-JSON values here too.
import canonicalize from 'canonicalize';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export class CanonicalizationError extends Error {
  readonly code = 'canonicalization_failed' as const;
}

function assertPlainJson(value: unknown, path: string): void {
  if (value === null) return;
  switch (typeof value) {
    case 'boolean':
    case 'string':
      return;
    case 'number':
      if (!Number.isFinite(value)) throw new CanonicalizationError(`${path}: non-finite number`);
      return;
    case 'object':
      if (Array.isArray(value)) {
        value.forEach((item, i) => assertPlainJson(item, `${path}[${i}]`));
        return;
      }
      if (Object.getPrototypeOf(value) !== Object.prototype && Object.getPrototypeOf(value) !== null) {
        throw new CanonicalizationError(`${path}: not a plain object`);
      }
      for (const [key, item] of Object.entries(value)) assertPlainJson(item, `${path}.${key}`);
      return;
    default:
      throw new CanonicalizationError(`${path}: ${typeof value} is not JSON`);
  }
}

/** RFC 8785 canonical form of a JSON value. Throws CanonicalizationError on non-JSON input. */
export function canonicalizeJson(value: unknown): string {
  assertPlainJson(value, '$');
  const text = canonicalize(value);
  if (typeof text !== 'string') throw new CanonicalizationError('$: value has no JSON form');
  return text;
}

// Results instead of exceptions across the pure cores: a failure carries a stable code (part of
// the public contract: REST, Socket.IO acks, CLI reports) and a human message.

export interface Failure<Code extends string = string> {
  readonly code: Code;
  readonly message: string;
  readonly details?: unknown;
}

export type Result<T, Code extends string = string> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: Failure<Code> };

export function ok<T>(value: T): { ok: true; value: T } {
  return { ok: true, value };
}

export function fail<Code extends string>(code: Code, message: string, details?: unknown): { ok: false; error: Failure<Code> } {
  return details === undefined ? { ok: false, error: { code, message } } : { ok: false, error: { code, message, details } };
}

// Service results: a success value or a failure with a stable code from lib/protocol/errors.ts.
// Expected refusals travel as Results; a thrown error is a bug or an outage, and the boundaries
// (server/http/respond.ts, server/realtime) turn it into `internal` without leaking its message.
import type { Failure, Result } from '@/lib/errors';
import type { ApiErrorCode } from '@/lib/protocol/errors';

export type ServiceFailure = Failure<ApiErrorCode> & { retryAfter?: number };
export type ServiceResult<T> = { ok: true; value: T } | { ok: false; error: ServiceFailure };

export function refuse(code: ApiErrorCode, message: string, extra: { details?: unknown; retryAfter?: number } = {}): { ok: false; error: ServiceFailure } {
  const error: ServiceFailure = { code, message };
  if (extra.details !== undefined) Object.assign(error, { details: extra.details });
  if (extra.retryAfter !== undefined) error.retryAfter = extra.retryAfter;
  return { ok: false, error };
}

/** Passes a lib Result's failure on as a service failure (lib codes are API codes). */
export function refuseWith(result: Result<unknown, string> & { ok: false }): { ok: false; error: ServiceFailure } {
  return { ok: false, error: result.error as ServiceFailure };
}

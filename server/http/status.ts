// HTTP status per error code (docs/api.md, "Error codes"). The code is the contract; the status
// only helps generic HTTP clients and caches.
import type { ApiErrorCode } from '@/lib/protocol/errors';

const STATUS: Record<ApiErrorCode, number> = {
  invalid_request: 400,
  malformed_proof: 400,
  unsupported_version: 400,
  unknown_type: 400,
  invalid_did: 400,
  invalid_claim: 400,
  invalid_content: 400,
  id_mismatch: 400,
  too_large: 413,
  wrong_hub: 422,
  timestamp_skew: 422,
  bad_signature: 422,
  unknown_key: 422,
  key_revoked: 422,
  not_delegated: 403,
  scope_denied: 403,
  delegation_expired: 403,
  seq_gap: 409,
  prev_mismatch: 409,
  fork: 409,
  duplicate: 409,
  unknown_parent: 422,
  content_mismatch: 422,
  content_required: 422,
  unsupported_type: 422,
  not_found: 404,
  unknown_hub: 404,
  unknown_user: 404,
  not_signed_in: 401,
  invalid_credentials: 401,
  forbidden: 403,
  not_your_identity: 403,
  no_identity: 403,
  private_hub: 403,
  hub_exists: 409,
  already_member: 409,
  username_taken: 409,
  did_taken: 409,
  already_bound: 409,
  rate_limited: 429,
  server_busy: 503,
  internal: 500,
};

export function httpStatusOf(code: ApiErrorCode): number {
  return STATUS[code];
}

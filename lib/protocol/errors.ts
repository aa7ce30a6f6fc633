// Every error code the hub answers with, over REST ({error:{code,message}}) and in Socket.IO acks.
// Codes are stable, snake_case and part of the public contract (docs/api.md has the table): a code
// is never renamed or reused for another meaning. Proof-format codes come from lib/proof.
import { PROOF_ERROR_CODES } from '../proof/errors';
import { AGENT_ERROR_CODES } from './agents';

export const HUB_ERROR_CODES = [
  'invalid_request',
  'not_found',
  'not_signed_in',
  'invalid_credentials',
  'forbidden',
  'not_your_identity',
  'unknown_hub',
  'private_hub',
  'hub_exists',
  'unknown_user',
  'already_member',
  'username_taken',
  'did_taken',
  'already_bound',
  'no_identity',
  'content_required',
  'unsupported_type',
  'rate_limited',
  'server_busy',
  'internal',
] as const;

export const API_ERROR_CODES = [...PROOF_ERROR_CODES, ...HUB_ERROR_CODES, ...AGENT_ERROR_CODES] as const;

export type ApiErrorCode = (typeof API_ERROR_CODES)[number];

const codeSet: ReadonlySet<string> = new Set(API_ERROR_CODES);

export function isApiErrorCode(value: unknown): value is ApiErrorCode {
  return typeof value === 'string' && codeSet.has(value);
}

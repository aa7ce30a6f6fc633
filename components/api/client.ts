// The browser's REST client for /api/v1 (docs/api.md). Same origin, so the next-auth session
// cookie goes along. Every call returns a Result: failures carry the server's stable error code
// and message (or a client-side code when the network or the response itself failed), so the UI
// can always say why something did not work.
import type { ApiErrorCode } from '@/lib/protocol/errors';
import type { CreateHubRequest, SignupRequest } from '@/lib/protocol/rest';
import type {
  ContentWire,
  HubView,
  IdentityView,
  ItemView,
  MeView,
  ProofStatus,
  ProofView,
  SignedProofWire,
  ThreadDetail,
  ThreadPage,
} from '@/lib/protocol/views';

/** Codes the client adds to the server's: the request never got a well-formed answer. */
export type ClientErrorCode = 'network_error' | 'bad_response';

export interface ApiFailure {
  code: ApiErrorCode | ClientErrorCode;
  message: string;
  /** HTTP status, 0 when there was no response. */
  status: number;
  retry_after?: number;
}

export type ApiResult<T> = { ok: true; value: T } | { ok: false; error: ApiFailure };

function failure(code: ApiFailure['code'], message: string, status: number, retryAfter?: number): { ok: false; error: ApiFailure } {
  return { ok: false, error: retryAfter === undefined ? { code, message, status } : { code, message, status, retry_after: retryAfter } };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** One request. Exported for tests; the named calls below are the API. */
export async function requestJson<T>(path: string, init: { method?: string; body?: unknown; signal?: AbortSignal } = {}): Promise<ApiResult<T>> {
  let response: Response;
  try {
    response = await fetch(path, {
      method: init.method ?? 'GET',
      headers: init.body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
      body: init.body === undefined ? null : JSON.stringify(init.body),
      credentials: 'same-origin',
      cache: 'no-store',
      ...(init.signal === undefined ? {} : { signal: init.signal }),
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    return failure('network_error', 'the hub did not answer: check your connection and try again', 0);
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    return failure('bad_response', `the hub answered ${response.status} without a JSON body`, response.status);
  }
  if (!response.ok) {
    const error = isRecord(body) && isRecord(body.error) ? body.error : undefined;
    if (error !== undefined && typeof error.code === 'string' && typeof error.message === 'string') {
      const retryAfter = typeof error.retry_after === 'number' ? error.retry_after : undefined;
      return failure(error.code as ApiErrorCode, error.message, response.status, retryAfter);
    }
    return failure('bad_response', `the hub answered ${response.status} without an error code`, response.status);
  }
  return { ok: true, value: body as T };
}

function segment(value: string): string {
  return encodeURIComponent(value);
}

export interface SubmitResponse {
  id: string;
  status: ProofStatus;
  log_index: number;
  duplicate: boolean;
}

export interface ProofResponse {
  proof: SignedProofWire;
  content: ContentWire | null;
  status: ProofStatus;
  view: ProofView;
}

export const api = {
  me: () => requestJson<MeView>('/api/v1/me'),
  signUp: (request: Omit<SignupRequest, 'identity'> & { identity: SignedProofWire }) =>
    requestJson<{ user: MeView }>('/api/v1/auth/signup', { method: 'POST', body: request }),
  bindIdentity: (identity: SignedProofWire) => requestJson<{ user: MeView }>('/api/v1/identities/bind', { method: 'POST', body: { identity } }),
  identity: (did: string) => requestJson<IdentityView>(`/api/v1/identities/${segment(did)}`),
  hubs: () => requestJson<{ hubs: HubView[] }>('/api/v1/hubs'),
  hub: (hub: string) => requestJson<{ hub: HubView }>(`/api/v1/hubs/${segment(hub)}`),
  createHub: (request: CreateHubRequest) => requestJson<{ hub: HubView }>('/api/v1/hubs', { method: 'POST', body: request }),
  addMember: (hub: string, username: string) =>
    requestJson<{ hub: HubView; username: string }>(`/api/v1/hubs/${segment(hub)}/members`, { method: 'POST', body: { username } }),
  threads: (hub: string, cursor?: string | null, signal?: AbortSignal) =>
    requestJson<ThreadPage>(
      `/api/v1/hubs/${segment(hub)}/threads${cursor === undefined || cursor === null ? '' : `?cursor=${segment(cursor)}`}`,
      signal === undefined ? {} : { signal },
    ),
  thread: (id: string, signal?: AbortSignal) => requestJson<ThreadDetail>(`/api/v1/threads/${segment(id)}`, signal === undefined ? {} : { signal }),
  proof: (id: string) => requestJson<ProofResponse>(`/api/v1/proofs/${segment(id)}`),
  submitProof: (proof: SignedProofWire, content?: ContentWire) =>
    requestJson<SubmitResponse>('/api/v1/proofs', { method: 'POST', body: content === undefined ? { proof } : { proof, content } }),
};

export type { ItemView };

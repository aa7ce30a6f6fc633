// REST calls of the moderation pages (docs/api.md, docs/moderation.md), on the shared client.
import type { AdminUserView, ModerationLogPage } from '@/lib/protocol/moderation';
import { requestJson } from '../api/client';

export const moderationApi = {
  log: (query: { hub?: string; cursor?: string | null }, signal?: AbortSignal) => {
    const params = new URLSearchParams();
    if (query.hub !== undefined && query.hub !== '') params.set('hub', query.hub);
    if (query.cursor !== undefined && query.cursor !== null) params.set('cursor', query.cursor);
    const search = params.size === 0 ? '' : `?${params.toString()}`;
    return requestJson<ModerationLogPage>(`/api/v1/moderation${search}`, signal === undefined ? {} : { signal });
  },
  users: () => requestJson<{ users: AdminUserView[] }>('/api/v1/admin/users'),
  setRole: (username: string, role: 'user' | 'moderator') =>
    requestJson<{ user: AdminUserView }>(`/api/v1/admin/users/${encodeURIComponent(username)}/role`, { method: 'PUT', body: { role } }),
};

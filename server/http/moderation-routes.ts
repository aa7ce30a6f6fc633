// REST routes of moderation (docs/moderation.md, docs/api.md): the public moderation log and the
// admin's user list with grant/revoke moderator. Moderation actions themselves are proofs and go
// through POST /api/v1/proofs like every other proof.
import { adminUsernameSchema, moderationLogQuerySchema, setRoleRequestSchema } from '@/lib/protocol/moderation';
import { readSessionUserId } from '../auth/session';
import type { AppContext } from '../context';
import { listModerationLog, listUsers, requireAdmin, setModeratorRole } from '../services/moderation';
import { failureResponse, parseWith, respond } from './router';
import type { ApiRequest, ApiResponse, Router } from './router';

type WriteGuard = (handler: (request: ApiRequest) => Promise<ApiResponse>) => (request: ApiRequest) => Promise<ApiResponse>;

export function registerModerationRoutes(router: Router, ctx: AppContext, write: WriteGuard): void {
  const session = (request: ApiRequest) => readSessionUserId(request.headers.cookie, ctx.secret);
  router
    .add('GET', '/api/v1/moderation', async (request) => {
      const query = parseWith(moderationLogQuerySchema, Object.fromEntries(request.url.searchParams));
      return respond(await listModerationLog(ctx.prisma, await session(request), query));
    })
    .add('GET', '/api/v1/admin/users', async (request) => {
      const admin = await requireAdmin(ctx.prisma, await session(request));
      if (!admin.ok) return failureResponse(admin.error);
      return { status: 200, body: { users: await listUsers(ctx.prisma) } };
    })
    .add('PUT', '/api/v1/admin/users/:username/role', write(async (request) => {
      const admin = await requireAdmin(ctx.prisma, await session(request));
      if (!admin.ok) return failureResponse(admin.error);
      const username = parseWith(adminUsernameSchema, request.params.username);
      const body = parseWith(setRoleRequestSchema, await request.readBody());
      return respond(await setModeratorRole(ctx.prisma, username, body.role), 200, (user) => ({ user }));
    }));
}

// What the admin operations do, shared by the admin socket (hub running) and the CLI's direct
// mode (hub stopped: the CLI holds the data dir lock and opens the database itself).
import type { Db } from '../db/types';
import type { AgentService } from '../services/agents';
import type { ProofIngest } from '../services/proof-ingest';
import type { UserService } from '../services/users';
import { setModeratorRole } from '../services/moderation';
import { purgeContent } from '../services/purge';
import { rebuildViews } from '../services/views';
import { adminRequestSchema } from './protocol';
import { registerAgentOp } from './register-agent';
import type { AdminResponse } from './protocol';

export interface AdminDeps {
  prisma: Db;
  users: UserService;
  /** register-agent (server/admin/register-agent.ts). */
  agents?: AgentService;
  ingest?: ProofIngest;
}

export async function runAdminRequest(deps: AdminDeps, input: unknown): Promise<AdminResponse> {
  const parsed = adminRequestSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, error: { code: 'invalid_request', message: issue === undefined ? 'invalid request' : `${issue.path.map(String).join('.') || 'request'}: ${issue.message}` } };
  }
  const request = parsed.data;
  switch (request.op) {
    case 'ping':
      return { ok: true, data: { pong: true } };
    case 'create-user': {
      const created = await deps.users.createUser({ username: request.username, password: request.password, role: request.role });
      return created.ok ? { ok: true, data: created.value } : { ok: false, error: { code: created.error.code, message: created.error.message } };
    }
    case 'register-agent':
      return registerAgentOp(deps, request);
    case 'rebuild-views':
      return { ok: true, data: await rebuildViews(deps.prisma) };
    case 'grant-moderator':
    case 'revoke-moderator': {
      const changed = await setModeratorRole(deps.prisma, request.username, request.op === 'grant-moderator' ? 'moderator' : 'user');
      return changed.ok ? { ok: true, data: changed.value } : { ok: false, error: { code: changed.error.code, message: changed.error.message } };
    }
    case 'purge-content': {
      const purged = await purgeContent(deps.prisma, request.proof, request.reason);
      return purged.ok ? { ok: true, data: purged.value } : { ok: false, error: { code: purged.error.code, message: purged.error.message } };
    }
  }
}

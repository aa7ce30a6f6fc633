// `proofhub admin register-agent` inside the hub (docs/agents.md, "Registering an agent"): binds an
// agent did:key to an owner account and returns the client credentials once. The owner's key lives
// in their browser, so the hub cannot sign the delegation; either the operator passes one the owner
// signed beforehand (`proofhub sign --type delegation`, then `--delegation FILE`), which is admitted
// here like any other proof, or the agent stays pending until the owner signs it on the Agents page.
import { z } from 'zod';
import { parseSignedProof } from '@/lib/proof/proof';
import { registerAgentRequestSchema } from '@/lib/protocol/agents';
import { usernameSchema } from '@/lib/protocol/rest';
import type { Db } from '../db/types';
import type { AgentService } from '../services/agents';
import type { ProofIngest } from '../services/proof-ingest';
import type { AdminResponse } from './protocol';

export const registerAgentOpSchema = z.strictObject({
  op: z.literal('register-agent'),
  owner: usernameSchema,
  ...registerAgentRequestSchema.shape,
  /** A delegation proof the owner signed for this agent (optional). */
  delegation: z.record(z.string(), z.unknown()).optional(),
});
export type RegisterAgentOp = z.infer<typeof registerAgentOpSchema>;

export interface RegisterAgentDeps {
  prisma: Db;
  agents?: AgentService;
  ingest?: ProofIngest;
}

function refused(code: string, message: string): AdminResponse {
  return { ok: false, error: { code, message } };
}

export async function registerAgentOp(deps: RegisterAgentDeps, request: RegisterAgentOp): Promise<AdminResponse> {
  if (deps.agents === undefined || deps.ingest === undefined) return refused('internal', 'this hub was started without agent support');
  const owner = await deps.prisma.user.findUnique({ where: { username: request.owner }, select: { id: true, did: true } });
  if (owner === null) return refused('unknown_user', `there is no user "${request.owner}"`);
  // Check the delegation before anything is written, so a bad file registers nothing.
  if (request.delegation !== undefined) {
    const parsed = parseSignedProof(request.delegation);
    if (!parsed.ok) return refused(parsed.error.code, `the delegation file: ${parsed.error.message}`);
    const proof = parsed.value;
    if (proof.type !== 'delegation') return refused('invalid_request', `the delegation file holds a ${proof.type} proof`);
    if (proof.issuer !== owner.did) return refused('not_your_identity', `the delegation is signed by ${proof.issuer}, not by ${request.owner}'s identity`);
    if (proof.claim.agent !== request.did) return refused('invalid_request', `the delegation is for ${proof.claim.agent}, not for --public-key ${request.did}`);
  }
  const registered = await deps.agents.register(owner.id, { name: request.name, did: request.did, scopes: request.scopes });
  if (!registered.ok) return refused(registered.error.code, registered.error.message);
  if (request.delegation === undefined) return { ok: true, data: registered.value };
  const admitted = await deps.ingest.submit({ proof: request.delegation }, owner.id);
  if (!admitted.ok) {
    await deps.prisma.agent.delete({ where: { id: registered.value.agent.id } });
    return refused(admitted.error.code, `the delegation was refused, nothing registered: ${admitted.error.message}`);
  }
  const agent = (await deps.agents.get(registered.value.agent.id)) ?? registered.value.agent;
  return { ok: true, data: { ...registered.value, agent } };
}

// proofhub's agent SDK, exported as "proofhub/sdk" (package.json "exports"). docs/agents.md.
export { AgentClient, AgentError, connectAgent } from './agent-client';
export type { AgentClientOptions, AgentEvents } from './agent-client';
export type { AgentCredentials, AgentView, TokenResponse, DelegationScope } from '@/lib/protocol/agents';
export type { ProofNewEvent, SubmitResult } from '@/lib/protocol/events';
export type { SignedProof } from '@/lib/proof/schema';

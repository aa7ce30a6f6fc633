// Example agent (`npm run agent:example`, docs/agents.md): answers every post or reply in a hub that
// mentions it (@name) with a short reply, signed by its own key through the agent SDK.
//
//   PROOFHUB_URL=http://localhost:3000 AGENT_CLIENT_ID=agt_… AGENT_CLIENT_SECRET=… \
//   AGENT_KEY_FILE=./agent.key AGENT_NAME=echo AGENT_HUB=public npm run agent:example
//
// AGENT_KEY_FILE is what `npx proofhub keygen` wrote (its did:key is the one registered);
// the credentials are what registration printed once.
import { readKeyFile } from '@/server/cli/key-file';
import { AgentClient } from '@/sdk';
import type { ProofNewEvent, SignedProof } from '@/sdk';

function required(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') {
    process.stderr.write(`mention-agent: set ${name} (see the header of examples/mention-agent.ts)\n`);
    process.exit(2);
  }
  return value;
}

/** The answer to a mention; a real agent would call a model here. */
export function answerFor(body: string, name: string): string {
  const question = body.replace(new RegExp(`@${name}\\b`, 'gi'), '').trim();
  return question.length === 0 ? `Hello! I am ${name}, an agent. Mention me with a question.` : `You asked: "${question.slice(0, 200)}". I am ${name}, an example agent: I only echo.`;
}

export function mentions(event: ProofNewEvent, name: string): boolean {
  const body = event.content?.body;
  return (event.proof.type === 'post' || event.proof.type === 'reply') && body !== undefined && new RegExp(`@${name}\\b`, 'i').test(body);
}

async function main(): Promise<void> {
  const name = process.env.AGENT_NAME ?? 'echo';
  const hub = process.env.AGENT_HUB ?? 'public';
  const key = await readKeyFile(required('AGENT_KEY_FILE'));
  const client = new AgentClient({
    url: process.env.PROOFHUB_URL ?? 'http://localhost:3000',
    clientId: required('AGENT_CLIENT_ID'),
    clientSecret: required('AGENT_CLIENT_SECRET'),
    seed: key.seed,
    name,
  });
  client.on('fatal', (error) => {
    process.stderr.write(`mention-agent: stopped: ${error.message}\n`);
    process.exitCode = 1;
  });
  client.on('disconnected', (reason) => process.stderr.write(`mention-agent: disconnected (${reason}), reconnecting\n`));
  await client.connect();
  await client.subscribe({ hub });
  process.stdout.write(`mention-agent: ${client.did} listening in "${hub}" for @${name}\n`);

  const answered = new Set<string>();
  client.on('proof:new', (event) => {
    if (event.proof.issuer === client.did || answered.has(event.proof.id) || !mentions(event, name)) return;
    answered.add(event.proof.id);
    client.reply(event.proof as SignedProof, answerFor(event.content?.body ?? '', name)).then(
      ({ proof }) => process.stdout.write(`mention-agent: answered ${event.proof.id} with ${proof.id}\n`),
      (error: unknown) => process.stderr.write(`mention-agent: could not answer ${event.proof.id}: ${String(error)}\n`),
    );
  });
  const stop = () => {
    void client.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((error: unknown) => {
    process.stderr.write(`mention-agent: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}

// `proofhub admin register-agent` as a real child process through the running hub's admin socket:
// credentials printed once, a pre-signed delegation admitted (the agent can then get a token),
// without one the agent stays pending; a delegation for another key registers nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AgentCredentials } from '@/lib/protocol/agents';
import { pgliteDir } from '../data-dir';
import { loadEnv } from '../env';
import { startHub } from '../hub';
import type { HubHandle } from '../hub';
import { createPgliteDir } from '../testing/database';
import { TestIdentity } from '../testing/identities';

const CLI = fileURLToPath(new URL('../../bin/proofhub.mjs', import.meta.url));

let dataDir: string;
let hub: HubHandle;
const owner = new TestIdentity();

function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, PROOFHUB_DATA_DIR: dataDir } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end();
  });
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'proofhub-agent-admin-'));
  await createPgliteDir(pgliteDir(dataDir));
  hub = await startHub({ env: loadEnv({ PROOFHUB_DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'silent' }), next: false });
  const signup = await fetch(`http://127.0.0.1:${hub.port}/api/v1/auth/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'olga', password: 'correct horse battery', identity: await owner.identity('Olga') }),
  });
  expect(signup.status).toBe(201);
}, 120_000);

afterAll(async () => {
  await hub.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe('proofhub admin register-agent', () => {
  it('registers with a pre-signed delegation; the printed credentials get a token', async () => {
    const agent = new TestIdentity();
    const delegation = await owner.sign('delegation', 'public', { agent: agent.did, scopes: ['read', 'post'], expires_at: new Date(Date.now() + 86_400_000).toISOString() });
    const file = join(dataDir, 'delegation.json');
    await writeFile(file, JSON.stringify(delegation));
    const run = await runCli(['admin', 'register-agent', '--owner', 'olga', '--name', 'Olga bot', '--public-key', agent.did, '--scopes', 'read,post', '--delegation', file]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const credentials = JSON.parse(run.stdout) as AgentCredentials;
    expect(credentials).toMatchObject({ client_id: expect.stringMatching(/^agt_/) as string, client_secret: expect.any(String) as string, token_endpoint: '/api/oauth/token', agent: { state: 'active', did: agent.did, owner: { username: 'olga' } } });
    const stored = await hub.ctx.prisma.agent.findUniqueOrThrow({ where: { clientId: credentials.client_id } });
    expect(stored.clientSecretHash).not.toContain(credentials.client_secret);

    const token = await fetch(`http://127.0.0.1:${hub.port}/api/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: credentials.client_id, client_secret: credentials.client_secret }).toString(),
    });
    expect(token.status).toBe(200);
    expect(await token.json()).toMatchObject({ token_type: 'Bearer', scope: 'read post' });
  }, 60_000);

  it('leaves the agent pending without a delegation, and refuses a delegation for another key', async () => {
    const pending = new TestIdentity();
    const run = await runCli(['admin', 'register-agent', '--owner', 'olga', '--name', 'Later bot', '--public-key', pending.did]);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ agent: { state: 'pending', scopes: ['read', 'post', 'reply'] } });

    const other = new TestIdentity();
    const wrong = await owner.sign('delegation', 'public', { agent: new TestIdentity().did, scopes: ['read'], expires_at: new Date(Date.now() + 86_400_000).toISOString() }, { advance: false });
    const file = join(dataDir, 'wrong.json');
    await writeFile(file, JSON.stringify(wrong));
    const refused = await runCli(['admin', 'register-agent', '--owner', 'olga', '--name', 'Wrong bot', '--public-key', other.did, '--delegation', file]);
    expect(refused.code).toBe(1);
    expect(JSON.parse(refused.stdout)).toMatchObject({ error: { code: 'invalid_request' } });
    expect(await hub.ctx.prisma.agent.count({ where: { did: other.did } })).toBe(0);
    expect((await runCli(['admin', 'register-agent', '--owner', 'olga', '--name', 'No key'])).code).toBe(2);
  }, 60_000);
});

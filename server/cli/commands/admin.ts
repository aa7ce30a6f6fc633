// `proofhub admin …`: operator commands for a hub. While the hub runs they go through its admin
// socket ($PROOFHUB_DATA_DIR/admin.sock, mode 0600), so PGlite is never opened by two processes;
// when no hub runs, the command takes the data dir lock and opens the database itself.
import { AdminSocketUnavailable, sendAdminRequest } from '@/server/admin/admin-socket';
import { adminRequestSchema } from '@/server/admin/protocol';
import type { AdminRequest, AdminResponse } from '@/server/admin/protocol';
import { DataDirInUseError, adminSocketPath, lockDataDir, pgliteDir } from '@/server/data-dir';
import { loadEnv } from '@/server/env';
import type { DelegationScope } from '@/lib/proof/schema';
import { describeZodError, parseCommand, requireOption } from '../args';
import { EXIT_CHECK_FAILED, EXIT_OK, UsageError, readInput } from '../io';

const HELP = `Usage:
  proofhub admin create-user --username U --password-stdin [--role user|admin] [--data-dir DIR]
  proofhub admin rebuild-views [--data-dir DIR]
  proofhub admin register-agent --owner USER --name NAME --public-key DID
                                [--scopes read,post,reply] [--delegation FILE] [--data-dir DIR]
  proofhub admin grant-moderator --username U [--data-dir DIR]
  proofhub admin revoke-moderator --username U [--data-dir DIR]
  proofhub admin purge-content --proof ID --reason TEXT [--data-dir DIR]

Operator commands. While the hub runs they talk to it over its admin socket
(DIR/admin.sock, readable by the hub's account only); when it is stopped they open the
database themselves (PGlite in DIR/pglite, or DATABASE_URL).

  create-user     create an account; the password is read from standard input (one line),
                  never from the command line. Prints {"id","username","did":null,"role"}.
                  The person binds a signing identity at first sign-in in the browser.
  register-agent  bind an AI agent's own did:key to the owner account USER and print its
                  credentials as JSON: {"agent", "client_id", "client_secret",
                  "token_endpoint"}. The client secret is shown this once (only its
                  SHA-256 is stored). The owner's delegation proof is what lets the agent
                  act: pass one the owner signed (--delegation FILE, made with
                  \`proofhub sign --type delegation\`), or the agent stays "pending" until
                  the owner signs it on the Agents page (docs/agents.md).
  rebuild-views   recompute threads, replies, reaction counts and identity heads from the
                  stored proofs alone. Prints the number of proofs and rows.
  grant-moderator   give an account the moderator role: it can then hide, unhide and
  revoke-moderator  flag items with signed moderation proofs (docs/moderation.md).
                  Prints the account with its role. An admin's role is not changed.
  purge-content   remove the text beside a post or reply (a legal takedown). The proof
                  stays and still verifies: it commits to the text only by a salted digest.

Options:
  --username U      3-32 characters of a-z, 0-9 and "_" (case-insensitive)
  --password-stdin  read the password from standard input
  --role ROLE       user (default) or admin
  --owner USER      the agent's owner (a username)
  --name NAME       the agent's display name (1-64 characters)
  --public-key DID  the agent's Ed25519 did:key (its own key, never the owner's)
  --scopes LIST     comma- or space-separated, from read, post, reply, react, moderate
                    (default read,post,reply)
  --delegation FILE the owner's signed delegation proof for this agent (JSON)
  --proof ID        the post or reply whose content to purge
  --reason TEXT     why (kept with the purge record)
  --data-dir DIR    the hub's data dir (default: $PROOFHUB_DATA_DIR or ./data)

Exit codes: 0 done, 1 refused (the JSON error says why), 2 bad usage.

Example:
  printf '%s\\n' "$PASSWORD" | npx proofhub admin create-user --username alice --password-stdin`;

async function readPassword(): Promise<string> {
  const text = await readInput('-');
  return text.replace(/\r?\n$/, '');
}

/** Runs the request in this process: the hub is not running. */
async function runDirect(dataDir: string, request: AdminRequest): Promise<AdminResponse> {
  const env = loadEnv({ ...process.env, PROOFHUB_DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
  const lock = env.databaseUrl === null ? await lockDataDir(env.dataDir) : null;
  try {
    const [{ createContext }, { runAdminRequest }] = await Promise.all([import('@/server/context'), import('@/server/admin/operations')]);
    const ctx = await createContext({
      database: env.databaseUrl === null ? { kind: 'pglite', dir: pgliteDir(env.dataDir) } : { kind: 'postgres', url: env.databaseUrl },
      secret: 'admin-cli-has-no-sessions-to-sign-0000',
    });
    try {
      return await runAdminRequest({ prisma: ctx.prisma, users: ctx.users, agents: ctx.agents, ingest: ctx.ingest }, request);
    } finally {
      await ctx.db.close();
    }
  } finally {
    await lock?.release();
  }
}

async function registerAgentRequest(values: Record<string, string | boolean | undefined>): Promise<AdminRequest> {
  const text = (name: string): string | undefined => (typeof values[name] === 'string' ? values[name] : undefined);
  const scopes = (text('scopes') ?? 'read,post,reply').split(/[\s,]+/).filter((scope) => scope.length > 0);
  const file = text('delegation');
  let delegation: Record<string, unknown> | undefined;
  if (file !== undefined) {
    const raw = await readInput(file);
    try {
      const value = JSON.parse(raw) as unknown;
      // `proofhub sign --content` style wrappers carry the proof under "proof".
      delegation = (typeof value === 'object' && value !== null && 'proof' in value ? value.proof : value) as Record<string, unknown>;
    } catch {
      throw new UsageError(`--delegation ${file} is not JSON`);
    }
  }
  return {
    op: 'register-agent',
    owner: requireOption(text('owner'), '--owner'),
    name: requireOption(text('name'), '--name'),
    did: requireOption(text('public-key'), '--public-key'),
    // Checked with the rest of the request by adminRequestSchema below.
    scopes: scopes as DelegationScope[],
    ...(delegation === undefined ? {} : { delegation }),
  };
}

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommand(argv, {
    help: HELP,
    options: {
      username: { type: 'string' },
      'password-stdin': { type: 'boolean' },
      role: { type: 'string' },
      proof: { type: 'string' },
      reason: { type: 'string' },
      owner: { type: 'string' },
      name: { type: 'string' },
      'public-key': { type: 'string' },
      scopes: { type: 'string' },
      delegation: { type: 'string' },
      'data-dir': { type: 'string' },
    },
    positionals: [0, 1],
  });
  if (parsed.help) {
    process.stdout.write(`${HELP}\n`);
    return EXIT_OK;
  }
  const [subcommand] = parsed.positionals;
  let request: AdminRequest;
  if (subcommand === 'create-user') {
    const username = requireOption(parsed.values.username, '--username');
    if (parsed.values['password-stdin'] !== true) throw new UsageError('create-user reads the password from standard input: pass --password-stdin');
    request = { op: 'create-user', username, password: await readPassword(), role: (parsed.values.role ?? 'user') as 'user' | 'admin' };
  } else if (subcommand === 'register-agent') {
    request = await registerAgentRequest(parsed.values);
  } else if (subcommand === 'rebuild-views') {
    request = { op: 'rebuild-views' };
  } else if (subcommand === 'grant-moderator' || subcommand === 'revoke-moderator') {
    request = { op: subcommand, username: requireOption(parsed.values.username, '--username') };
  } else if (subcommand === 'purge-content') {
    request = { op: 'purge-content', proof: requireOption(parsed.values.proof, '--proof'), reason: requireOption(parsed.values.reason, '--reason') };
  } else {
    throw new UsageError(subcommand === undefined ? 'missing subcommand: create-user, register-agent, rebuild-views or purge-content' : `unknown subcommand "${subcommand}"`);
  }
  const checked = adminRequestSchema.safeParse(request);
  if (!checked.success) throw new UsageError(describeZodError(checked.error));

  const dataDir = parsed.values['data-dir'] ?? process.env.PROOFHUB_DATA_DIR ?? './data';
  let response: AdminResponse;
  try {
    response = await sendAdminRequest(adminSocketPath(loadEnv({ PROOFHUB_DATA_DIR: dataDir }).dataDir), request);
  } catch (error) {
    if (!(error instanceof AdminSocketUnavailable)) throw error;
    try {
      response = await runDirect(dataDir, request);
    } catch (direct) {
      if (!(direct instanceof DataDirInUseError)) throw direct;
      response = { ok: false, error: { code: 'server_busy', message: `${direct.message}; its admin socket does not answer` } };
    }
  }
  if (response.ok) {
    process.stdout.write(`${JSON.stringify(response.data)}\n`);
    return EXIT_OK;
  }
  process.stdout.write(`${JSON.stringify({ error: response.error })}\n`);
  return EXIT_CHECK_FAILED;
}

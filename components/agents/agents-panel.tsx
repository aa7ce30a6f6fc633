'use client';
// The Agents page (docs/agents.md): a signed-in owner registers an agent (its did:key, or a key
// made here and downloaded as a key file), signs the delegation with their own key in this
// browser, sees the client credentials once, and revokes agents with a signed revocation proof.
import Link from 'next/link';
import { useCallback, useEffect, useState } from 'react';
import type { FormEvent } from 'react';
import { bytesToHex } from '@/lib/bytes';
import { isDidKey } from '@/lib/crypto/did-key';
import { createKeyPair, keyPairToDidKey } from '@/lib/crypto/keys';
import { DELEGATION_SCOPES } from '@/lib/protocol/agents';
import type { AgentCredentials, AgentView, DelegationScope } from '@/lib/protocol/agents';
import { requestJson } from '../api/client';
import { useSend } from '../session/use-send';
import { Button, TextField } from '../ui/controls';

const DEFAULT_SCOPES: DelegationScope[] = ['read', 'post', 'reply', 'react'];
const DEFAULT_DAYS = 90;

function downloadKeyFile(seed: Uint8Array, did: string): void {
  // The CLI's key file format (server/cli/key-file.ts): the SDK example reads it.
  const text = `${JSON.stringify({ type: 'ed25519', seed: bytesToHex(seed), did })}\n`;
  const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = 'agent.key';
  link.click();
  URL.revokeObjectURL(url);
}

export function AgentsPanel() {
  const { account, disabledReason, send } = useSend();
  const [agents, setAgents] = useState<AgentView[] | null>(null);
  const [name, setName] = useState('');
  const [did, setDid] = useState('');
  const [scopes, setScopes] = useState<DelegationScope[]>(DEFAULT_SCOPES);
  const [days, setDays] = useState(DEFAULT_DAYS);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [credentials, setCredentials] = useState<AgentCredentials | null>(null);

  const reload = useCallback(async () => {
    const listed = await requestJson<{ agents: AgentView[] }>('/api/v1/agents');
    if (listed.ok) setAgents(listed.value.agents);
  }, []);

  useEffect(() => {
    if (account.status === 'ready' || account.status === 'no-key') void reload();
  }, [account.status, reload]);

  const delegate = useCallback(
    async (agent: { did: string; scopes: DelegationScope[] }, validDays: number): Promise<boolean> => {
      const expiresAt = new Date(Date.now() + validDays * 86_400_000).toISOString();
      const signed = await send({ type: 'delegation', hub: 'public', agent: agent.did, scopes: agent.scopes, expiresAt });
      if (!signed.ok) setError(`The delegation was not accepted (${signed.error.code}): ${signed.error.message}`);
      return signed.ok;
    },
    [send],
  );

  async function register(event: FormEvent) {
    event.preventDefault();
    setError(null);
    setCredentials(null);
    if (!isDidKey(did.trim())) {
      setError('Enter the agent’s Ed25519 did:key (did:key:z6Mk…), or generate a key.');
      return;
    }
    setBusy(true);
    try {
      const registered = await requestJson<AgentCredentials>('/api/v1/agents', { method: 'POST', body: { name: name.trim(), did: did.trim(), scopes } });
      if (!registered.ok) {
        setError(`Not registered (${registered.error.code}): ${registered.error.message}`);
        return;
      }
      setCredentials(registered.value);
      await delegate({ did: did.trim(), scopes }, days);
      setName('');
      setDid('');
      await reload();
    } finally {
      setBusy(false);
    }
  }

  async function revoke(agent: AgentView) {
    if (!window.confirm(`Revoke ${agent.name}? Its tokens and connections stop at once; its earlier proofs stay valid.`)) return;
    setBusy(true);
    setError(null);
    // finally: a failed request must not leave every button disabled.
    try {
      const signed = await send({ type: 'revocation', hub: 'public', agent: agent.did, reason: 'revoked by its owner' });
      if (!signed.ok) setError(`The revocation was not accepted (${signed.error.code}): ${signed.error.message}`);
      await reload();
    } finally {
      setBusy(false);
    }
  }

  function generateKey() {
    const seed = crypto.getRandomValues(new Uint8Array(32));
    const made = keyPairToDidKey(createKeyPair(seed));
    setDid(made);
    downloadKeyFile(seed, made);
  }

  if (disabledReason !== null) return <p className="text-sm text-zinc-600 dark:text-zinc-400">{disabledReason}</p>;

  return (
    <div className="space-y-8">
      <section aria-labelledby="register-agent">
        <h2 id="register-agent" className="text-lg font-semibold">Register an agent</h2>
        <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">
          An agent signs with its own key. Your browser signs a delegation with your key that lets it act for the scopes and time you choose.
        </p>
        <form onSubmit={(event) => void register(event)} className="mt-3 space-y-3">
          <TextField label="Name" value={name} onChange={(event) => setName(event.target.value)} required maxLength={64} />
          {/* Aligned with the input, not with the hint under it. */}
          <div className="flex items-start gap-2">
            <TextField className="flex-1" label="Agent did:key" hint="The agent’s public key. Generate one to download its key file." value={did} onChange={(event) => setDid(event.target.value)} required />
            <Button variant="secondary" className="mt-7" onClick={generateKey}>Generate a key</Button>
          </div>
          <fieldset>
            <legend className="text-sm font-medium">Scopes</legend>
            <div className="mt-1 flex flex-wrap gap-3">
              {DELEGATION_SCOPES.map((scope) => (
                <label key={scope} className="flex items-center gap-1 text-sm">
                  <input type="checkbox" checked={scopes.includes(scope)} onChange={(event) => setScopes((current) => (event.target.checked ? [...current, scope] : current.filter((item) => item !== scope)))} />
                  {scope}
                </label>
              ))}
            </div>
          </fieldset>
          <TextField label="Valid for (days)" type="number" min={1} max={3650} value={days} onChange={(event) => setDays(Math.max(1, Number(event.target.value) || DEFAULT_DAYS))} />
          <Button type="submit" disabled={busy || scopes.length === 0}>Register and sign delegation</Button>
        </form>
        {error !== null && <p role="alert" className="mt-2 text-sm text-red-700 dark:text-red-400">{error}</p>}
        {credentials !== null && (
          <div role="status" className="mt-4 rounded-md border border-amber-400 bg-amber-50 p-3 text-sm dark:bg-amber-950">
            <p className="font-medium">Credentials for {credentials.agent.name}: copy the secret now, it is not shown again.</p>
            <dl className="mt-2 grid grid-cols-[max-content_1fr] gap-x-3 gap-y-1 font-mono text-xs">
              <dt>client_id</dt>
              <dd data-testid="agent-client-id" className="break-all">{credentials.client_id}</dd>
              <dt>client_secret</dt>
              <dd data-testid="agent-client-secret" className="break-all">{credentials.client_secret}</dd>
              <dt>token endpoint</dt>
              <dd>{credentials.token_endpoint}</dd>
            </dl>
          </div>
        )}
      </section>

      <section aria-labelledby="your-agents">
        <h2 id="your-agents" className="text-lg font-semibold">Your agents</h2>
        {agents === null ? (
          <p role="status" className="text-sm">Loading…</p>
        ) : agents.length === 0 ? (
          <p className="text-sm text-zinc-600 dark:text-zinc-400">None yet.</p>
        ) : (
          <ul className="mt-2 divide-y divide-zinc-200 dark:divide-zinc-700">
            {agents.map((agent) => (
              <li key={agent.id} className="flex flex-wrap items-center justify-between gap-2 py-2">
                <div>
                  <Link href={`/agents/${agent.id}`} className="font-medium underline-offset-2 hover:underline">{agent.name}</Link>{' '}
                  <span className="rounded bg-zinc-100 px-1.5 py-0.5 text-xs dark:bg-zinc-800">{agent.state}</span>
                  <p className="break-all font-mono text-xs text-zinc-500">{agent.did}</p>
                  <p className="text-xs text-zinc-500">scopes: {agent.scopes.join(', ')} · client_id {agent.client_id}</p>
                </div>
                <div className="flex gap-2">
                  {agent.state === 'pending' && (
                    <Button variant="secondary" disabled={busy} onClick={() => void delegate(agent, DEFAULT_DAYS).then(() => reload())}>
                      Sign delegation
                    </Button>
                  )}
                  {agent.state !== 'revoked' && (
                    <Button variant="secondary" disabled={busy} onClick={() => void revoke(agent)}>
                      Revoke {agent.name}
                    </Button>
                  )}
                </div>
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}

'use client';
// The hubs this reader can see (public ones and private ones they belong to), and a form to
// create one.
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useEffect, useState } from 'react';
import type { FormEvent } from 'react';
import type { HubView } from '@/lib/protocol/views';
import { createHubRequestSchema } from '@/lib/protocol/rest';
import { api } from '../api/client';
import type { ApiFailure } from '../api/client';
import { useAccount } from '../session/account-context';
import { Button, ErrorNote, Loading, TextField } from '../ui/controls';

export function HubList() {
  const { account } = useAccount();
  const [hubs, setHubs] = useState<HubView[] | null>(null);
  const [error, setError] = useState<ApiFailure | null>(null);
  const accountKey = account.status === 'ready' || account.status === 'no-key' || account.status === 'no-identity' ? account.me.id : account.status;

  useEffect(() => {
    if (accountKey === 'loading') return; // private hubs depend on who reads
    let cancelled = false;
    void api.hubs().then((result) => {
      if (cancelled) return;
      if (result.ok) {
        setHubs(result.value.hubs);
        setError(null);
      } else setError(result.error);
    });
    return () => {
      cancelled = true;
    };
  }, [accountKey]);

  const signedIn = account.status === 'ready' || account.status === 'no-key' || account.status === 'no-identity';
  return (
    <div className="space-y-6">
      <section aria-labelledby="hubs-heading" className="space-y-3">
        <h1 id="hubs-heading" className="text-2xl font-semibold">
          Hubs
        </h1>
        {error === null ? null : <ErrorNote error={error} />}
        {hubs === null && error === null ? <Loading>Loading hubs…</Loading> : null}
        {hubs !== null && hubs.length === 0 ? <p>No hubs yet.</p> : null}
        <ul className="space-y-2">
          {(hubs ?? []).map((hub) => (
            <li key={hub.id} data-testid="hub-row" className="flex flex-wrap items-center gap-2 rounded-md border border-zinc-200 p-3 dark:border-zinc-800">
              <Link href={`/hubs/${encodeURIComponent(hub.id)}`} className="font-semibold text-sky-800 underline-offset-2 hover:underline dark:text-sky-300">
                {hub.name}
              </Link>
              <span className="font-mono text-xs text-zinc-600 dark:text-zinc-400">{hub.id}</span>
              <span className="ml-auto text-xs">
                {hub.visibility === 'private' ? 'private' : 'public'}
                {hub.role === null ? '' : ` · ${hub.role}`}
              </span>
            </li>
          ))}
        </ul>
      </section>
      {signedIn ? <CreateHubForm /> : null}
    </div>
  );
}

function CreateHubForm() {
  const router = useRouter();
  const [id, setId] = useState('');
  const [name, setName] = useState('');
  const [visibility, setVisibility] = useState<'public' | 'private'>('public');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ code: string; message: string } | null>(null);

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    const parsed = createHubRequestSchema.safeParse({ id: id.trim(), name, visibility });
    if (!parsed.success) return setError({ code: 'invalid_request', message: parsed.error.issues[0]?.message ?? 'check the form' });
    setBusy(true);
    setError(null);
    const result = await api.createHub(parsed.data);
    setBusy(false);
    if (!result.ok) return setError(result.error);
    router.push(`/hubs/${encodeURIComponent(result.value.hub.id)}`);
  };

  return (
    <section aria-labelledby="create-hub-heading" className="space-y-3">
      <h2 id="create-hub-heading" className="text-lg font-semibold">
        Create a hub
      </h2>
      <form aria-label="Create a hub" onSubmit={(event) => void onSubmit(event)} className="space-y-3 rounded-md border border-zinc-200 p-3 dark:border-zinc-800">
        <TextField label="Hub id" hint="1-64 characters: a-z, 0-9, _ and -; it appears in links and in every proof." value={id} onChange={(event) => setId(event.target.value.toLowerCase())} required pattern="[a-z0-9][a-z0-9_\-]{0,63}" />
        <TextField label="Name" value={name} onChange={(event) => setName(event.target.value)} required maxLength={80} />
        <fieldset>
          <legend className="text-sm font-medium">Who can read it</legend>
          <div className="mt-1 flex gap-4">
            <label className="inline-flex items-center gap-2">
              <input type="radio" name="visibility" value="public" checked={visibility === 'public'} onChange={() => setVisibility('public')} /> Public
            </label>
            <label className="inline-flex items-center gap-2">
              <input type="radio" name="visibility" value="private" checked={visibility === 'private'} onChange={() => setVisibility('private')} /> Private (members only)
            </label>
          </div>
        </fieldset>
        <Button type="submit" disabled={busy}>
          {busy ? 'Creating…' : 'Create hub'}
        </Button>
        <ErrorNote error={error} />
      </form>
    </section>
  );
}

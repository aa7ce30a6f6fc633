'use client';
// Owner only: add a member to a private (or public) hub by username.
import { useState } from 'react';
import type { FormEvent } from 'react';
import { api } from '../api/client';
import type { ApiFailure } from '../api/client';
import { Button, ErrorNote, TextField } from '../ui/controls';

export function AddMemberForm({ hubId }: { hubId: string }) {
  const [username, setUsername] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiFailure | null>(null);
  const [added, setAdded] = useState<string | null>(null);

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setAdded(null);
    const result = await api.addMember(hubId, username.trim());
    setBusy(false);
    if (!result.ok) return setError(result.error);
    setAdded(result.value.username);
    setUsername('');
  };

  return (
    <form aria-label="Add a member" onSubmit={(event) => void onSubmit(event)} className="space-y-2 rounded-md border border-zinc-200 p-3 dark:border-zinc-800">
      <div className="flex flex-wrap items-end gap-2">
        <TextField label="Add a member by username" className="grow" value={username} onChange={(event) => setUsername(event.target.value)} autoComplete="off" required />
        <Button type="submit" disabled={busy || username.trim() === ''}>
          {busy ? 'Adding…' : 'Add member'}
        </Button>
      </div>
      {added === null ? null : (
        <p role="status" className="text-sm text-emerald-800 dark:text-emerald-300">
          @{added} is now a member.
        </p>
      )}
      <ErrorNote error={error} />
    </form>
  );
}

'use client';
// The admin page: every account with its role; an admin grants or revokes moderator. Refusals
// (not signed in, not an admin) are shown with their code.
import { useCallback, useEffect, useState } from 'react';
import type { AdminUserView } from '@/lib/protocol/moderation';
import type { ApiFailure } from '../api/client';
import { useAccount } from '../session/account-context';
import { Button, ErrorNote, Loading } from '../ui/controls';
import { moderationApi } from './moderation-api';

export function AdminUsers() {
  const { account } = useAccount();
  const [users, setUsers] = useState<AdminUserView[] | null>(null);
  const [error, setError] = useState<ApiFailure | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [announcement, setAnnouncement] = useState('');

  const load = useCallback(async () => {
    const result = await moderationApi.users();
    if (result.ok) {
      setUsers(result.value.users);
      setError(null);
    } else setError(result.error);
  }, []);

  useEffect(() => {
    if (account.status === 'loading') return;
    void load();
  }, [account.status, load]);

  const setRole = async (user: AdminUserView, role: 'user' | 'moderator') => {
    setBusy(user.username);
    const result = await moderationApi.setRole(user.username, role);
    setBusy(null);
    if (!result.ok) {
      setError(result.error);
      return;
    }
    setError(null);
    setUsers((previous) => previous?.map((entry) => (entry.id === result.value.user.id ? result.value.user : entry)) ?? null);
    setAnnouncement(`${user.username} is now ${role === 'moderator' ? 'a moderator' : 'a user'}`);
  };

  return (
    <section aria-labelledby="admin-heading" className="space-y-3">
      <h1 id="admin-heading" className="text-xl font-semibold">
        Accounts and roles
      </h1>
      <p className="text-sm text-zinc-600 dark:text-zinc-400">Moderators can hide, unhide and flag items with signed moderation proofs. The first account of the hub is its admin.</p>
      <p role="status" className="sr-only">
        {announcement}
      </p>
      <ErrorNote error={error} />
      {users === null && error === null ? <Loading>Loading accounts…</Loading> : null}
      {users === null ? null : (
        <table className="w-full text-left text-sm">
          <caption className="sr-only">Accounts</caption>
          <thead>
            <tr className="border-b border-zinc-200 dark:border-zinc-800">
              <th scope="col" className="py-2">Username</th>
              <th scope="col">Role</th>
              <th scope="col">Since</th>
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {users.map((user) => (
              <tr key={user.id} data-testid="admin-user" data-username={user.username} className="border-b border-zinc-100 dark:border-zinc-900">
                <td className="py-2 font-medium">{user.username}</td>
                <td data-testid="admin-user-role">{user.role}</td>
                <td>{new Date(user.created_at).toLocaleDateString()}</td>
                <td className="text-right">
                  {user.role === 'admin' ? null : user.role === 'moderator' ? (
                    <Button variant="secondary" disabled={busy !== null} onClick={() => void setRole(user, 'user')} aria-label={`Revoke moderator from ${user.username}`}>
                      Revoke moderator
                    </Button>
                  ) : (
                    <Button variant="secondary" disabled={busy !== null} onClick={() => void setRole(user, 'moderator')} aria-label={`Make ${user.username} a moderator`}>
                      Make moderator
                    </Button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

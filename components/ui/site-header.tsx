'use client';
// Top bar: home, and the account: sign in / sign up, or the username with settings and sign out.
// A signed-in person whose key is not in this browser sees that at once, with a way to import it.
import Link from 'next/link';
import { signOut } from 'next-auth/react';
import { ChainAlert } from '../chain/chain-alert';
import { useAccount } from '../session/account-context';
import { Button } from './controls';

export function SiteHeader() {
  const { account } = useAccount();
  return (
    <header className="border-b border-zinc-200 dark:border-zinc-800">
      <nav aria-label="Main" className="mx-auto flex w-full max-w-3xl flex-wrap items-center gap-3 px-4 py-3">
        <Link href="/" className="text-lg font-semibold">
          proofhub
        </Link>
        <Link href="/chain" className="text-sm underline-offset-2 hover:underline">
          Chain
        </Link>
        <Link href="/moderation" className="text-sm underline-offset-2 hover:underline">
          Moderation log
        </Link>
        <Link href="/agents" className="text-sm underline-offset-2 hover:underline">
          Agents
        </Link>
        {'me' in account && account.me.role === 'admin' ? (
          <Link href="/admin" className="text-sm underline-offset-2 hover:underline">
            Admin
          </Link>
        ) : null}
        <div className="ml-auto flex items-center gap-3 text-sm">
          {account.status === 'loading' ? null : account.status === 'signed-out' || account.status === 'error' ? (
            <>
              <Link href="/signin" className="underline-offset-2 hover:underline">
                Sign in
              </Link>
              <Link href="/signup" className="rounded-md bg-sky-700 px-3 py-1.5 font-medium text-white hover:bg-sky-800 dark:bg-sky-600">
                Sign up
              </Link>
            </>
          ) : (
            <>
              <span data-testid="signed-in-as">
                Signed in as <strong>{account.me.username}</strong>
              </span>
              {account.status === 'no-key' ? (
                <Link href="/settings" className="rounded-md bg-amber-100 px-2 py-1 text-amber-900 dark:bg-amber-900 dark:text-amber-100">
                  No key in this browser
                </Link>
              ) : null}
              <Link href="/settings" className="underline-offset-2 hover:underline">
                Settings
              </Link>
              <Button variant="secondary" onClick={() => void signOut({ callbackUrl: '/' })}>
                Sign out
              </Button>
            </>
          )}
        </div>
      </nav>
      <ChainAlert />
    </header>
  );
}

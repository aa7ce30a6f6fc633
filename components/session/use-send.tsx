'use client';
// Signing and sending as the signed-in person, or why that is not possible right now.
import Link from 'next/link';
import { useCallback } from 'react';
import type { ReactNode } from 'react';
import { api } from '../api/client';
import { sendProof } from '../proofs/send-proof';
import type { SendRequest, SendResult } from '../proofs/send-proof';
import { useAccount } from './account-context';
import type { AccountState } from './account-context';

export function whyCannotSign(account: AccountState): ReactNode | null {
  switch (account.status) {
    case 'ready':
      return null;
    case 'loading':
      return 'Loading your account…';
    case 'signed-out':
      return (
        <>
          <Link href="/signin" className="underline">
            Sign in
          </Link>{' '}
          or{' '}
          <Link href="/signup" className="underline">
            sign up
          </Link>{' '}
          to take part.
        </>
      );
    case 'no-key':
      return (
        <>
          Your signing key is not in this browser, so you can read but not sign.{' '}
          <Link href="/settings" className="underline">
            Import your key in Settings
          </Link>
          .
        </>
      );
    case 'no-identity':
      return (
        <>
          Your account has no signing key yet.{' '}
          <Link href="/settings" className="underline">
            Create one in Settings
          </Link>
          .
        </>
      );
    case 'error':
      return `Your account could not be loaded (${account.error.code}): ${account.error.message}`;
  }
}

export function useSend(): { account: AccountState; disabledReason: ReactNode | null; send: (request: SendRequest) => Promise<SendResult> } {
  const { account } = useAccount();
  const key = account.status === 'ready' ? account.key : null;
  const send = useCallback(
    (request: SendRequest): Promise<SendResult> =>
      key === null
        ? Promise.resolve({ ok: false, error: { code: 'no_key', message: 'this browser holds no signing key for your account' } })
        : sendProof(key, request, api),
    [key],
  );
  return { account, disabledReason: whyCannotSign(account), send };
}

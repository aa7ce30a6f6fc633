'use client';
// Client-side context for every page: the next-auth session (same-origin cookie, read through
// /api/auth/session), the account and its key in this browser, and the realtime socket.
import { SessionProvider } from 'next-auth/react';
import type { ReactNode } from 'react';
import { RealtimeProvider } from './realtime/realtime-provider';
import { AccountProvider } from './session/account-context';

export function Providers({ children }: { children: ReactNode }) {
  return (
    <SessionProvider refetchOnWindowFocus={false}>
      <AccountProvider>
        <RealtimeProvider>{children}</RealtimeProvider>
      </AccountProvider>
    </SessionProvider>
  );
}

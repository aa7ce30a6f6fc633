'use client';
// Who is signed in, and whether this browser holds their signing key. The session (next-auth)
// says who; GET /api/v1/me gives the account's DID; the key store says whether the key is here.
// A person without their key in this browser can read but not sign, and is offered import.
import { createContext, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import type { ReactNode } from 'react';
import { useSession } from 'next-auth/react';
import type { MeView } from '@/lib/protocol/views';
import { api } from '../api/client';
import { browserKeyStore } from '../keys/key-store';
import type { BrowserKey } from '../keys/key-store';

export type AccountState =
  | { status: 'loading' }
  | { status: 'signed-out' }
  /** Signed in, key present: can sign. */
  | { status: 'ready'; me: MeView & { did: string }; key: BrowserKey }
  /** Signed in, but this browser has no key for the account's DID. */
  | { status: 'no-key'; me: MeView & { did: string } }
  /** Signed in to an account with no DID yet (made by an operator): bind one. */
  | { status: 'no-identity'; me: MeView }
  | { status: 'error'; error: { code: string; message: string } };

interface AccountValue {
  account: AccountState;
  /** Reads /me and the key store again (after sign-up, import, bind). */
  refresh: () => void;
}

const AccountContext = createContext<AccountValue>({ account: { status: 'loading' }, refresh: () => undefined });

export function AccountProvider({ children }: { children: ReactNode }) {
  const { status, data } = useSession();
  const [account, setAccount] = useState<AccountState>({ status: 'loading' });
  const [generation, setGeneration] = useState(0);
  const refresh = useCallback(() => setGeneration((value) => value + 1), []);
  const userId = (data?.user as { id?: string } | undefined)?.id ?? data?.user?.name ?? null;

  useEffect(() => {
    if (status === 'loading') return;
    if (status === 'unauthenticated') {
      setAccount({ status: 'signed-out' });
      return;
    }
    let cancelled = false;
    void (async () => {
      const me = await api.me();
      if (cancelled) return;
      if (!me.ok) {
        setAccount(me.error.code === 'not_signed_in' ? { status: 'signed-out' } : { status: 'error', error: me.error });
        return;
      }
      const did = me.value.did;
      if (did === null) {
        setAccount({ status: 'no-identity', me: me.value });
        return;
      }
      const key = await browserKeyStore().loadKey(did);
      if (cancelled) return;
      if (key.ok) setAccount({ status: 'ready', me: { ...me.value, did }, key: key.value });
      else if (key.error.code === 'key_not_found') setAccount({ status: 'no-key', me: { ...me.value, did } });
      else setAccount({ status: 'error', error: key.error });
    })();
    return () => {
      cancelled = true;
    };
  }, [status, userId, generation]);

  const value = useMemo(() => ({ account, refresh }), [account, refresh]);
  return <AccountContext.Provider value={value}>{children}</AccountContext.Provider>;
}

export function useAccount(): AccountValue {
  return useContext(AccountContext);
}

/** The DID of the signed-in person, whether or not the key is here. */
export function accountDid(account: AccountState): string | null {
  return account.status === 'ready' || account.status === 'no-key' ? account.me.did : null;
}

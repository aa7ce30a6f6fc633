'use client';
// Sign-in with username and password (next-auth credentials). Signing proofs also needs the key
// in this browser; if it is not here, the header and every compose box say so and point to
// Settings, where the key file can be imported.
import Link from 'next/link';
import { useRouter, useSearchParams } from 'next/navigation';
import { signIn } from 'next-auth/react';
import { useState } from 'react';
import type { FormEvent } from 'react';
import { useAccount } from '../session/account-context';
import { Button, ErrorNote, TextField } from '../ui/controls';

/** Only same-site paths: a callback URL must not send the person to another origin. */
function safeCallback(value: string | null): string {
  return value !== null && value.startsWith('/') && !value.startsWith('//') ? value : '/';
}

export function SignInForm() {
  const router = useRouter();
  const searchParams = useSearchParams();
  const { refresh } = useAccount();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ code: string; message: string } | null>(null);

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const result = await signIn('credentials', { username: username.trim().toLowerCase(), password, redirect: false });
    setBusy(false);
    if (result?.ok !== true || result.error !== null) {
      return setError(
        result?.error === 'CredentialsSignin'
          ? { code: 'invalid_credentials', message: 'wrong username or password' }
          : { code: 'sign_in_failed', message: result?.error ?? 'the hub did not answer' },
      );
    }
    refresh();
    router.push(safeCallback(searchParams.get('callbackUrl')));
    router.refresh();
  };

  return (
    <form aria-label="Sign in" onSubmit={(event) => void onSubmit(event)} className="mx-auto max-w-md space-y-4">
      <h1 className="text-2xl font-semibold">Sign in</h1>
      <TextField label="Username" value={username} onChange={(event) => setUsername(event.target.value)} autoComplete="username" required />
      <TextField label="Password" type="password" value={password} onChange={(event) => setPassword(event.target.value)} autoComplete="current-password" required />
      <Button type="submit" disabled={busy}>
        {busy ? 'Signing in…' : 'Sign in'}
      </Button>
      <ErrorNote error={error} />
      <p className="text-sm">
        New here?{' '}
        <Link href="/signup" className="underline">
          Sign up
        </Link>
      </p>
    </form>
  );
}

'use client';
// Sign-up: this browser makes the person's Ed25519 key (kept in IndexedDB, see key-store.ts),
// signs their identity proof, and sends only that signed proof with the username and password.
// The private key never leaves the browser. Then it signs in with next-auth.
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { signIn } from 'next-auth/react';
import { useState } from 'react';
import type { FormEvent } from 'react';
import { identityClaimSchema } from '@/lib/proof/schema';
import { passwordSchema, usernameSchema } from '@/lib/protocol/rest';
import { api } from '../api/client';
import { browserKeyStore } from '../keys/key-store';
import { signIdentityProof } from '../proofs/send-proof';
import { useAccount } from '../session/account-context';
import { Button, ErrorNote, TextField } from '../ui/controls';

type Failure = { code: string; message: string };

export function SignUpForm() {
  const router = useRouter();
  const { refresh } = useAccount();
  const [username, setUsername] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [password, setPassword] = useState('');
  const [step, setStep] = useState<string | null>(null);
  const [error, setError] = useState<Failure | null>(null);

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    const user = usernameSchema.safeParse(username);
    if (!user.success) return setError({ code: 'invalid_request', message: user.error.issues[0]?.message ?? 'check the username' });
    const pass = passwordSchema.safeParse(password);
    if (!pass.success) return setError({ code: 'invalid_request', message: pass.error.issues[0]?.message ?? 'check the password' });
    const name = identityClaimSchema.safeParse({ name: displayName.trim() === '' ? user.data : displayName.trim() });
    if (!name.success) return setError({ code: 'invalid_claim', message: name.error.issues[0]?.message ?? 'check the display name' });

    const store = browserKeyStore();
    setStep('Making your signing key…');
    const created = await store.createKey();
    if (!created.ok) {
      setStep(null);
      return setError(created.error);
    }
    const key = created.value;
    setStep('Signing your identity…');
    const identity = await signIdentityProof(key, name.data, new Date());
    if (!identity.ok) {
      await store.deleteKey(key.did);
      setStep(null);
      return setError(identity.error);
    }
    setStep('Creating your account…');
    const signedUp = await api.signUp({ username: user.data, password: pass.data, identity: identity.proof });
    if (!signedUp.ok) {
      // The hub did not bind this key to anyone: do not keep an orphan key around.
      await store.deleteKey(key.did);
      setStep(null);
      return setError(signedUp.error);
    }
    setStep('Signing in…');
    const result = await signIn('credentials', { username: user.data, password: pass.data, redirect: false });
    setStep(null);
    if (result?.ok !== true || result.error !== null) {
      return setError({ code: 'sign_in_failed', message: `your account exists, but signing in failed (${result?.error ?? 'no answer'}); try signing in` });
    }
    refresh();
    router.push('/');
    router.refresh();
  };

  return (
    <form aria-label="Sign up" onSubmit={(event) => void onSubmit(event)} className="mx-auto max-w-md space-y-4">
      <h1 className="text-2xl font-semibold">Sign up</h1>
      <p className="text-sm text-zinc-700 dark:text-zinc-300">
        Your browser makes your signing key and keeps it here. Everything you post is signed with it; the hub never sees it. Export it in Settings to use
        another browser.
      </p>
      <TextField label="Username" value={username} onChange={(event) => setUsername(event.target.value)} autoComplete="username" required hint="3-32 characters: a-z, 0-9 and _" />
      <TextField label="Display name" value={displayName} onChange={(event) => setDisplayName(event.target.value)} maxLength={64} hint="Signed into your identity proof. Defaults to your username." />
      <TextField label="Password" type="password" value={password} onChange={(event) => setPassword(event.target.value)} autoComplete="new-password" required hint="At least 8 characters." />
      <Button type="submit" disabled={step !== null}>
        {step ?? 'Create account'}
      </Button>
      {step === null ? null : (
        <p role="status" className="sr-only">
          {step}
        </p>
      )}
      <ErrorNote error={error} />
      <p className="text-sm">
        Already have an account?{' '}
        <Link href="/signin" className="underline">
          Sign in
        </Link>
      </p>
    </form>
  );
}

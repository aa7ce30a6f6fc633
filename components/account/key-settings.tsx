'use client';
// Settings for the signing key: which key this browser holds for the account, export it as a
// passphrase-encrypted file, import such a file (here or in another browser, signed in or not),
// and, for an account made by an operator, create and bind a first key.
import Link from 'next/link';
import { useState } from 'react';
import type { ChangeEvent, FormEvent } from 'react';
import { api } from '../api/client';
import { MIN_PASSPHRASE_LENGTH, browserKeyStore } from '../keys/key-store';
import { signIdentityProof } from '../proofs/send-proof';
import { useAccount } from '../session/account-context';
import { Button, ErrorNote, Loading, Notice, TextField } from '../ui/controls';

type Failure = { code: string; message: string };

export function KeySettings() {
  const { account } = useAccount();
  if (account.status === 'loading') return <Loading />;
  return (
    <div className="space-y-8">
      <h1 className="text-2xl font-semibold">Settings</h1>
      <section aria-labelledby="key-heading" className="space-y-2">
        <h2 id="key-heading" className="text-lg font-semibold">
          Your signing key
        </h2>
        {account.status === 'signed-out' ? (
          <p>
            You are signed out. You can import a key file below, then{' '}
            <Link href="/signin" className="underline">
              sign in
            </Link>
            .
          </p>
        ) : null}
        {account.status === 'error' ? <ErrorNote error={account.error} /> : null}
        {account.status === 'ready' ? (
          <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">
            <dt className="font-medium">Account</dt>
            <dd>@{account.me.username}</dd>
            <dt className="font-medium">DID</dt>
            <dd className="break-all font-mono" data-testid="my-did">
              {account.me.did}
            </dd>
            <dt className="font-medium">Kept as</dt>
            <dd>
              {account.key.backend === 'webcrypto'
                ? 'a non-extractable WebCrypto key: page scripts can ask it to sign but cannot read it'
                : 'an encrypted key in IndexedDB used through @noble/ed25519 (this browser has no WebCrypto Ed25519)'}
            </dd>
          </dl>
        ) : null}
        {account.status === 'no-key' ? (
          <Notice>
            Your account is bound to <span className="break-all font-mono">{account.me.did}</span>, but this browser does not hold that key. Import your key
            file below to sign here.
          </Notice>
        ) : null}
        {account.status === 'no-identity' ? <BindIdentity username={account.me.username} /> : null}
      </section>
      {account.status === 'ready' ? <ExportKey did={account.me.did} username={account.me.username} /> : null}
      <ImportKey expectedDid={account.status === 'ready' || account.status === 'no-key' ? account.me.did : null} />
    </div>
  );
}

function BindIdentity({ username }: { username: string }) {
  const { refresh } = useAccount();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Failure | null>(null);
  const bind = async () => {
    setBusy(true);
    setError(null);
    const store = browserKeyStore();
    const created = await store.createKey();
    if (!created.ok) {
      setBusy(false);
      return setError(created.error);
    }
    const identity = await signIdentityProof(created.value, { name: username }, new Date());
    const bound = identity.ok ? await api.bindIdentity(identity.proof) : { ok: false as const, error: identity.error };
    setBusy(false);
    if (!bound.ok) {
      await store.deleteKey(created.value.did);
      return setError(bound.error);
    }
    refresh();
  };
  return (
    <div className="space-y-2">
      <p>Your account was created without a signing key. Make one in this browser to start posting.</p>
      <Button onClick={() => void bind()} disabled={busy}>
        {busy ? 'Making your key…' : 'Create my signing key'}
      </Button>
      <ErrorNote error={error} />
    </div>
  );
}

function ExportKey({ did, username }: { did: string; username: string }) {
  const [passphrase, setPassphrase] = useState('');
  const [confirm, setConfirm] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Failure | null>(null);
  const [done, setDone] = useState(false);

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setDone(false);
    if (passphrase !== confirm) return setError({ code: 'passphrase_mismatch', message: 'the two passphrases differ' });
    setBusy(true);
    const file = await browserKeyStore().exportKeyFile(did, passphrase);
    setBusy(false);
    if (!file.ok) return setError(file.error);
    const blob = new Blob([JSON.stringify(file.value, null, 2)], { type: 'application/json' });
    const url = URL.createObjectURL(blob);
    const link = document.createElement('a');
    link.href = url;
    link.download = `proofhub-key-${username}.json`;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
    setPassphrase('');
    setConfirm('');
    setDone(true);
  };

  return (
    <section aria-labelledby="export-heading" className="space-y-2">
      <h2 id="export-heading" className="text-lg font-semibold">
        Export your key
      </h2>
      <p className="text-sm text-zinc-700 dark:text-zinc-300">
        Downloads your key encrypted with a passphrase (PBKDF2-SHA-256, 600,000 rounds, then AES-256-GCM). Anyone with the file and the passphrase can sign
        as you: choose a long passphrase and keep the file safe.
      </p>
      <form aria-label="Export your key" onSubmit={(event) => void onSubmit(event)} className="space-y-3">
        <TextField label="Passphrase" type="password" autoComplete="new-password" value={passphrase} onChange={(event) => setPassphrase(event.target.value)} minLength={MIN_PASSPHRASE_LENGTH} required hint={`At least ${MIN_PASSPHRASE_LENGTH} characters.`} />
        <TextField label="Passphrase again" type="password" autoComplete="new-password" value={confirm} onChange={(event) => setConfirm(event.target.value)} required />
        <Button type="submit" disabled={busy}>
          {busy ? 'Encrypting…' : 'Download key file'}
        </Button>
        {done ? (
          <p role="status" className="text-sm text-emerald-800 dark:text-emerald-300">
            Key file downloaded.
          </p>
        ) : null}
        <ErrorNote error={error} />
      </form>
    </section>
  );
}

function ImportKey({ expectedDid }: { expectedDid: string | null }) {
  const { refresh } = useAccount();
  const [file, setFile] = useState<File | null>(null);
  const [passphrase, setPassphrase] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Failure | null>(null);
  const [imported, setImported] = useState<string | null>(null);

  const onFile = (event: ChangeEvent<HTMLInputElement>) => setFile(event.target.files?.[0] ?? null);

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setImported(null);
    if (file === null) return setError({ code: 'key_file_invalid', message: 'choose a key file' });
    let parsed: unknown;
    try {
      parsed = JSON.parse(await file.text());
    } catch {
      return setError({ code: 'key_file_invalid', message: 'the file is not JSON' });
    }
    setBusy(true);
    const store = browserKeyStore();
    const result = await store.importKeyFile(parsed, passphrase);
    setBusy(false);
    if (!result.ok) return setError(result.error);
    if (expectedDid !== null && result.value.did !== expectedDid) {
      await store.deleteKey(result.value.did);
      return setError({ code: 'key_not_yours', message: `this file holds the key of ${result.value.did}, not of your account (${expectedDid})` });
    }
    setPassphrase('');
    setImported(result.value.did);
    refresh();
  };

  return (
    <section aria-labelledby="import-heading" className="space-y-2">
      <h2 id="import-heading" className="text-lg font-semibold">
        Import a key file
      </h2>
      <form aria-label="Import a key file" onSubmit={(event) => void onSubmit(event)} className="space-y-3">
        <div>
          <label htmlFor="key-file" className="block text-sm font-medium">
            Key file
          </label>
          <input id="key-file" type="file" accept="application/json,.json" onChange={onFile} className="mt-1 block text-sm" />
        </div>
        <TextField label="Passphrase of the file" type="password" autoComplete="off" value={passphrase} onChange={(event) => setPassphrase(event.target.value)} required />
        <Button type="submit" disabled={busy}>
          {busy ? 'Decrypting…' : 'Import key'}
        </Button>
        {imported === null ? null : (
          <p role="status" className="text-sm text-emerald-800 dark:text-emerald-300">
            Imported the key of <span className="break-all font-mono">{imported}</span>.{' '}
            {expectedDid === null ? (
              <>
                Now{' '}
                <Link href="/signin" className="underline">
                  sign in
                </Link>
                .
              </>
            ) : (
              'You can sign in this browser now.'
            )}
          </p>
        )}
        <ErrorNote error={error} />
      </form>
    </section>
  );
}

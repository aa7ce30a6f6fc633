'use client';
// The public moderation log: every hide, unhide and flag, newest first, each with the badge of
// its own proof (checked in this browser like any other) and a link to the item's thread.
// "Older actions" loads the next page; a hub filter narrows it to one hub.
import Link from 'next/link';
import { useCallback, useEffect, useState } from 'react';
import type { ModerationLogEntry } from '@/lib/protocol/moderation';
import { MODERATION_ACTION_LABELS } from '@/lib/protocol/moderation';
import type { ApiFailure } from '../api/client';
import { BadgeButton } from '../proofs/proof-panel';
import { useBadge } from '../proofs/use-badge';
import { Signer, TimeStamp } from '../threads/signer';
import { Button, ErrorNote, Loading } from '../ui/controls';
import { moderationApi } from './moderation-api';

function LogRow({ entry }: { entry: ModerationLogEntry }) {
  const badge = useBadge({ proof: entry.proof, content: null }, { status: entry.view.status, anchor: (entry.view as { anchor?: unknown }).anchor });
  return (
    <li data-testid="moderation-entry" data-proof-id={entry.proof.id} data-action={entry.action} className="rounded-md border border-zinc-200 p-3 dark:border-zinc-800">
      <div className="flex flex-wrap items-center gap-2 text-sm">
        <strong>{MODERATION_ACTION_LABELS[entry.action]}</strong>
        <span>by</span>
        <Signer signer={entry.moderator} />
        <TimeStamp iso={entry.proof.created_at} />
        <span className="text-zinc-600 dark:text-zinc-400">in {entry.proof.hub}</span>
        <span className="ml-auto">
          <BadgeButton badge={badge} proof={entry.proof} />
        </span>
      </div>
      <p className="mt-1 text-sm">
        <span className="font-medium">Reason:</span> {entry.reason}
      </p>
      <p className="mt-1 text-xs text-zinc-600 dark:text-zinc-400">
        Item <span className="font-mono">{entry.target.slice(0, 12)}…</span>
        {entry.thread === null ? null : (
          <>
            {' · '}
            <Link href={`/threads/${entry.thread}`} className="underline">
              open the thread
            </Link>
          </>
        )}
      </p>
    </li>
  );
}

export function ModerationLog({ hub }: { hub?: string }) {
  const [entries, setEntries] = useState<ModerationLogEntry[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [state, setState] = useState<{ status: 'loading' } | { status: 'ready' } | { status: 'error'; error: ApiFailure }>({ status: 'loading' });

  const load = useCallback(
    async (from: string | null, signal?: AbortSignal) => {
      setState({ status: 'loading' });
      const page = await moderationApi.log({ ...(hub === undefined ? {} : { hub }), cursor: from }, signal);
      if (!page.ok) {
        setState({ status: 'error', error: page.error });
        return;
      }
      setEntries((previous) => (from === null ? page.value.actions : [...previous, ...page.value.actions]));
      setCursor(page.value.next_cursor);
      setState({ status: 'ready' });
    },
    [hub],
  );

  useEffect(() => {
    const controller = new AbortController();
    load(null, controller.signal).catch(() => undefined);
    return () => controller.abort();
  }, [load]);

  return (
    <section aria-labelledby="moderation-log-heading" className="space-y-3">
      <h1 id="moderation-log-heading" className="text-xl font-semibold">
        Moderation log{hub === undefined ? '' : `: ${hub}`}
      </h1>
      <p className="text-sm text-zinc-600 dark:text-zinc-400">
        Every hide, unhide and flag is a proof signed by the moderator&apos;s own key. Anyone can check it: open a badge for the proof.
      </p>
      {state.status === 'error' ? <ErrorNote error={state.error} /> : null}
      {entries.length === 0 && state.status === 'ready' ? <p>No moderation actions yet.</p> : null}
      <ol className="space-y-2" aria-label="Moderation actions, newest first">
        {entries.map((entry) => (
          <LogRow key={entry.proof.id} entry={entry} />
        ))}
      </ol>
      {state.status === 'loading' ? <Loading>Loading moderation actions…</Loading> : null}
      {cursor !== null && state.status === 'ready' ? (
        <Button variant="secondary" onClick={() => void load(cursor)}>
          Older actions
        </Button>
      ) : null}
    </section>
  );
}

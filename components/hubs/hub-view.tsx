'use client';
// A hub: its threads ordered by latest activity (newest first), loaded a page at a time as the
// reader scrolls (or presses "Load more"), a box to start a thread, and, for the owner, a form
// to add members. New threads appear live over the hub's Socket.IO room, and a reply moves its
// thread to the top.
import Link from 'next/link';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { ProofNewEvent } from '@/lib/protocol/events';
import type { HubView as HubInfo, SignerView, ThreadSummary } from '@/lib/protocol/views';
import { api } from '../api/client';
import type { ApiFailure } from '../api/client';
import { ProofBadge } from '../proofs/proof-badge';
import { browserProofChecker, useBadge } from '../proofs/use-badge';
import { useRoom } from '../realtime/realtime-provider';
import { useSend } from '../session/use-send';
import { ComposeBox } from '../threads/compose-box';
import type { ComposeFailure } from '../threads/compose-box';
import { PendingCard } from '../threads/item-card';
import type { PendingItem } from '../threads/item-card';
import { Signer, TimeStamp } from '../threads/signer';
import { Button, ErrorNote, Loading, Notice } from '../ui/controls';
import { AddMemberForm } from './add-member-form';
import { hiddenNotice } from '../moderation/apply-moderation';

type LoadState = { status: 'loading' } | { status: 'error'; error: ApiFailure } | { status: 'ready' };

const ZERO_COUNTS = { like: 0, verified: 0, disputed: 0 };

/** Newest activity first; ties (same log index cannot happen) fall back to id for a stable order. */
function byActivity(a: ThreadSummary, b: ThreadSummary): number {
  return b.last_log_index - a.last_log_index || a.id.localeCompare(b.id);
}

function ThreadRow({ summary }: { summary: ThreadSummary }) {
  const badge = useBadge({ proof: summary.root.proof, content: summary.root.content, purged: summary.root.view.purged });
  const moderation = summary.root.moderation;
  // A hidden thread keeps its row (and badge) but not its title: docs/moderation.md.
  const title =
    moderation?.hidden === true
      ? hiddenNotice(moderation)
      : (summary.title ?? (typeof summary.root.content?.body === 'string' ? summary.root.content.body.slice(0, 80) : 'Untitled thread'));
  return (
    <li data-testid="thread-row" data-proof-id={summary.id} className="rounded-md border border-zinc-200 p-3 dark:border-zinc-800">
      <div className="flex flex-wrap items-center gap-2">
        <Link href={`/threads/${summary.id}`} className="text-base font-semibold text-sky-800 underline-offset-2 hover:underline dark:text-sky-300">
          {title}
        </Link>
        <span className="ml-auto">
          <ProofBadge badge={badge} proofId={summary.id} />
        </span>
      </div>
      <div className="mt-1 flex flex-wrap items-center gap-x-3 gap-y-1 text-sm text-zinc-700 dark:text-zinc-300">
        <Signer signer={summary.root.view.signer} />
        <span data-testid="reply-count">{summary.reply_count === 1 ? '1 reply' : `${summary.reply_count} replies`}</span>
        <span>
          last activity <TimeStamp iso={summary.last_activity_at} />
        </span>
      </div>
    </li>
  );
}

export function HubView({ hubId }: { hubId: string }) {
  const { account, disabledReason, send } = useSend();
  const [hub, setHub] = useState<HubInfo | null>(null);
  const [load, setLoad] = useState<LoadState>({ status: 'loading' });
  const [threads, setThreads] = useState<ReadonlyMap<string, ThreadSummary>>(new Map());
  const [cursor, setCursor] = useState<string | null>(null);
  // The first page's status_index: where the room's status replay starts (later pages are newer reads).
  const [statusIndex, setStatusIndex] = useState<number | undefined>(undefined);
  const [pageError, setPageError] = useState<ApiFailure | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [pending, setPending] = useState<PendingItem[]>([]);
  const sentinel = useRef<HTMLDivElement | null>(null);
  // Who reads decides what is visible (private hubs): load once the account is known, and again
  // when it changes.
  const accountKey = account.status === 'ready' || account.status === 'no-key' || account.status === 'no-identity' ? account.me.id : account.status;

  const addThreads = useCallback((list: readonly ThreadSummary[]) => {
    const checker = browserProofChecker();
    setThreads((previous) => {
      const next = new Map(previous);
      for (const summary of list) {
        checker.remember(summary.root.proof);
        const known = next.get(summary.id);
        if (known === undefined || known.last_log_index <= summary.last_log_index) next.set(summary.id, summary);
      }
      return next;
    });
  }, []);

  useEffect(() => {
    if (accountKey === 'loading') return;
    const controller = new AbortController();
    setLoad({ status: 'loading' });
    setThreads(new Map());
    void (async () => {
      const [hubResponse, page] = await Promise.all([api.hub(hubId), api.threads(hubId, null, controller.signal)]);
      if (controller.signal.aborted) return;
      if (!hubResponse.ok) return setLoad({ status: 'error', error: hubResponse.error });
      if (!page.ok) return setLoad({ status: 'error', error: page.error });
      setHub(hubResponse.value.hub);
      addThreads(page.value.threads);
      setCursor(page.value.next_cursor);
      setStatusIndex(page.value.status_index);
      setLoad({ status: 'ready' });
    })().catch(() => undefined);
    return () => controller.abort();
  }, [hubId, accountKey, addThreads]);

  const loadMore = useCallback(async () => {
    if (cursor === null || loadingMore) return;
    setLoadingMore(true);
    setPageError(null);
    const page = await api.threads(hubId, cursor);
    setLoadingMore(false);
    if (!page.ok) return setPageError(page.error);
    addThreads(page.value.threads);
    setCursor(page.value.next_cursor);
  }, [cursor, hubId, loadingMore, addThreads]);

  // Infinite scroll: load the next page when the end of the list comes into view.
  useEffect(() => {
    const element = sentinel.current;
    if (element === null || cursor === null || typeof IntersectionObserver === 'undefined') return;
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((entry) => entry.isIntersecting)) void loadMore();
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, [cursor, loadMore]);

  const sorted = useMemo(() => [...threads.values()].sort(byActivity), [threads]);
  const maxLogIndex = useMemo(() => Math.max(0, ...sorted.map((summary) => summary.last_log_index)), [sorted]);

  const onProofNew = useCallback(
    (event: ProofNewEvent) => {
      if (event.view.hub !== hubId) return;
      if (event.proof.type === 'post') {
        const content = event.content;
        addThreads([
          {
            id: event.proof.id,
            hub: hubId,
            title: typeof content?.title === 'string' ? content.title : null,
            created_at: event.proof.created_at,
            last_activity_at: event.view.received_at,
            last_log_index: event.view.log_index,
            reply_count: 0,
            root: { proof: event.proof, content: event.content, view: event.view, counts: { ...ZERO_COUNTS }, mine: null },
          },
        ]);
      } else if (event.proof.type === 'reply' && event.view.thread !== null) {
        const threadId = event.view.thread;
        setThreads((previous) => {
          const summary = previous.get(threadId);
          if (summary === undefined || summary.last_log_index >= event.view.log_index) return previous;
          const next = new Map(previous);
          next.set(threadId, { ...summary, reply_count: summary.reply_count + 1, last_activity_at: event.view.received_at, last_log_index: event.view.log_index });
          return next;
        });
      }
    },
    [hubId, addThreads],
  );

  const room = useRoom(load.status === 'ready' ? { hub: hubId } : null, { onProofNew }, maxLogIndex, statusIndex);

  const startThread = async (text: { title?: string; body: string }): Promise<ComposeFailure | null> => {
    if (account.status !== 'ready' || hub === null) return { code: 'no_key', message: 'you cannot sign here' };
    const signer: SignerView = { did: account.me.did, username: account.me.username, display_name: null };
    const tempId = `pending-${crypto.randomUUID()}`;
    setPending((previous) => [{ tempId, body: text.body, ...(text.title === undefined ? {} : { title: text.title }), signer, createdAt: new Date().toISOString() }, ...previous]);
    const result = await send({
      type: 'post',
      hub: hubId,
      body: text.body,
      ...(text.title === undefined ? {} : { title: text.title }),
      visibility: hub.visibility === 'private' ? 'members' : 'public',
    });
    setPending((previous) => previous.filter((entry) => entry.tempId !== tempId));
    if (!result.ok) return result.error;
    addThreads([
      {
        id: result.proof.id,
        hub: hubId,
        title: result.content?.title ?? null,
        created_at: result.proof.created_at,
        last_activity_at: new Date().toISOString(),
        last_log_index: result.response.log_index,
        reply_count: 0,
        root: {
          proof: result.proof,
          content: result.content,
          view: {
            id: result.proof.id,
            type: 'post',
            hub: hubId,
            issuer: result.proof.issuer,
            seq: result.proof.seq,
            log_index: result.response.log_index,
            received_at: new Date().toISOString(),
            status: result.response.status,
            thread: result.proof.id,
            parent: null,
            depth: 0,
            signer,
            purged: false,
          },
          counts: { ...ZERO_COUNTS },
          mine: null,
        },
      },
    ]);
    return null;
  };

  if (load.status === 'loading') return <Loading>Loading hub…</Loading>;
  if (load.status === 'error') {
    return (
      <div className="space-y-3">
        <h1 className="text-xl font-semibold">Hub {hubId}</h1>
        <ErrorNote error={load.error} />
        {load.error.code === 'not_found' ? <p data-testid="hub-not-found">No such hub, or it is private and you are not a member.</p> : null}
        <Link href="/" className="underline">
          All hubs
        </Link>
      </div>
    );
  }

  return (
    <div className="space-y-6">
      <header className="space-y-1">
        <h1 className="text-2xl font-semibold">{hub?.name ?? hubId}</h1>
        <p className="text-sm text-zinc-600 dark:text-zinc-400">
          {hub?.visibility === 'private' ? 'Private hub: members only.' : 'Public hub.'} {hub?.role === 'owner' ? 'You own it.' : hub?.role === 'member' ? 'You are a member.' : ''}
        </p>
      </header>
      {room.state === 'refused' ? <Notice>Live updates are off ({room.code}): {room.message}</Notice> : null}
      {hub?.role === 'owner' ? <AddMemberForm hubId={hubId} /> : null}

      <section aria-labelledby="new-thread-heading" className="space-y-2">
        <h2 id="new-thread-heading" className="text-lg font-semibold">
          Start a thread
        </h2>
        <ComposeBox label="Your post" submitLabel="Post thread" withTitle disabledReason={disabledReason} onSend={startThread} />
      </section>

      <section aria-labelledby="threads-heading" className="space-y-3">
        <h2 id="threads-heading" className="text-lg font-semibold">
          Threads
        </h2>
        {pending.map((entry) => (
          <PendingCard key={entry.tempId} pending={entry} />
        ))}
        {sorted.length === 0 && pending.length === 0 ? <p className="text-sm text-zinc-600 dark:text-zinc-400">No threads yet.</p> : null}
        <ol className="space-y-3" aria-label="Threads by latest activity">
          {sorted.map((summary) => (
            <ThreadRow key={summary.id} summary={summary} />
          ))}
        </ol>
        <div ref={sentinel} />
        {pageError === null ? null : <ErrorNote error={pageError} />}
        {cursor === null ? null : (
          <Button variant="secondary" onClick={() => void loadMore()} disabled={loadingMore}>
            {loadingMore ? 'Loading…' : 'Load more threads'}
          </Button>
        )}
      </section>
    </div>
  );
}

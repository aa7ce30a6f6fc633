'use client';
// A thread: the root post, its replies nested (reply-tree.ts), reactions, and reply boxes. Loaded
// over REST, then kept live over the thread's Socket.IO room: new replies appear and counts
// change without a reload. Replies and reactions are sent optimistically.
import Link from 'next/link';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { ItemView, ReactionCounts, ReactionKind, ReactionState, SignerView, ThreadDetail } from '@/lib/protocol/views';
import type { ProofNewEvent, ReactionCountEvent } from '@/lib/protocol/events';
import { api } from '../api/client';
import type { ApiFailure } from '../api/client';
import { useRoom } from '../realtime/realtime-provider';
import { VerifyThread, canVerifyThreads } from '../verify/verify-thread';
import { browserProofChecker } from '../proofs/use-badge';
import { accountDid } from '../session/account-context';
import { useSend } from '../session/use-send';
import { Button, ErrorNote, Loading, Notice } from '../ui/controls';
import { useThreadModeration } from '../moderation/use-thread-moderation';
import { ComposeBox } from './compose-box';
import type { ComposeFailure } from './compose-box';
import { ItemCard, PendingCard } from './item-card';
import type { PendingItem } from './item-card';
import { layoutReplies } from './reply-tree';
import { shortDid } from './signer';

const INDENT_CLASSES = ['ml-0', 'ml-4 sm:ml-6', 'ml-8 sm:ml-12', 'ml-12 sm:ml-18', 'ml-16 sm:ml-24'];
const ZERO_COUNTS: ReactionCounts = { like: 0, verified: 0, disputed: 0 };
const NO_REACTIONS: ReactionState = { like: false, verified: false, disputed: false };

interface PendingReply extends PendingItem {
  parent: string;
}

type LoadState = { status: 'loading' } | { status: 'error'; error: ApiFailure } | { status: 'ready' };

function itemFromEvent(event: ProofNewEvent, signedIn: boolean): ItemView {
  return { proof: event.proof, content: event.content, view: event.view, counts: { ...ZERO_COUNTS }, mine: signedIn ? { ...NO_REACTIONS } : null };
}

export function ThreadView({ id }: { id: string }) {
  const { account, disabledReason, send } = useSend();
  const myDid = accountDid(account);
  const [load, setLoad] = useState<LoadState>({ status: 'loading' });
  const [thread, setThread] = useState<ThreadDetail['thread'] | null>(null);
  const [statusIndex, setStatusIndex] = useState<number | undefined>(undefined);
  const [items, setItems] = useState<ReadonlyMap<string, ItemView>>(new Map());
  const [pending, setPending] = useState<PendingReply[]>([]);
  const [replyingTo, setReplyingTo] = useState<string | null>(null);
  const [reactionPending, setReactionPending] = useState<ReadonlyMap<string, ReadonlySet<ReactionKind>>>(new Map());
  const [reactionErrors, setReactionErrors] = useState<ReadonlyMap<string, ComposeFailure>>(new Map());
  const myDidRef = useRef(myDid);
  useEffect(() => {
    myDidRef.current = myDid;
  });

  const fetchThread = useCallback(async (signal?: AbortSignal) => {
    const response = await api.thread(id, signal);
    if (!response.ok) {
      setLoad({ status: 'error', error: response.error });
      return;
    }
    const detail = response.value;
    const checker = browserProofChecker();
    const next = new Map<string, ItemView>();
    for (const item of [detail.root, ...detail.replies]) {
      checker.remember(item.proof);
      next.set(item.proof.id, item);
    }
    setThread(detail.thread);
    setStatusIndex(detail.status_index);
    setItems((previous) => {
      // Keep live items that arrived while the request was in flight.
      for (const [key, item] of previous) if (!next.has(key)) next.set(key, item);
      return next;
    });
    setLoad({ status: 'ready' });
  }, [id]);

  // Load once the account is known, and again when it changes: `mine` and private hubs depend on
  // who reads.
  const accountKey = account.status === 'ready' || account.status === 'no-key' || account.status === 'no-identity' ? account.me.id : account.status;
  useEffect(() => {
    if (accountKey === 'loading') return;
    const controller = new AbortController();
    setLoad({ status: 'loading' });
    fetchThread(controller.signal).catch(() => undefined);
    return () => controller.abort();
  }, [fetchThread, accountKey]);

  const root = items.get(id) ?? null;
  const maxLogIndex = useMemo(() => Math.max(0, ...[...items.values()].map((item) => item.view.log_index)), [items]);

  const moderation = useThreadModeration({ account, send, setItems, reload: fetchThread });
  const { onModerationEvent } = moderation;
  const onProofNew = useCallback((event: ProofNewEvent) => {
    if (event.proof.type === 'moderation' && event.view.thread === id) onModerationEvent(event);
    if (event.proof.type !== 'reply' || event.view.thread !== id) return;
    browserProofChecker().remember(event.proof);
    setItems((previous) => {
      if (previous.has(event.proof.id)) return previous;
      const next = new Map(previous);
      next.set(event.proof.id, itemFromEvent(event, myDidRef.current !== null));
      return next;
    });
  }, [id, onModerationEvent]);

  const onReactionCount = useCallback((event: ReactionCountEvent) => {
    setItems((previous) => {
      const item = previous.get(event.target);
      if (item === undefined) return previous;
      const next = new Map(previous);
      const kind = event.by.kind as ReactionKind;
      const mine = item.mine !== null && event.by.issuer === myDidRef.current ? { ...item.mine, [kind]: event.by.active } : item.mine;
      next.set(event.target, { ...item, counts: event.counts, mine });
      return next;
    });
  }, []);

  const onRejoined = useCallback(() => {
    void fetchThread();
  }, [fetchThread]);

  const room = useRoom(load.status === 'ready' ? { thread: id } : null, { onProofNew, onReactionCount, onRejoined }, maxLogIndex, statusIndex);

  const mySigner: SignerView | null = account.status === 'ready' ? { did: account.me.did, username: account.me.username, display_name: null } : null;

  const sendReply = async (parent: string, text: { body: string }): Promise<ComposeFailure | null> => {
    if (root === null || mySigner === null) return { code: 'no_key', message: 'you cannot sign here' };
    const tempId = `pending-${crypto.randomUUID()}`;
    setPending((previous) => [...previous, { tempId, parent, body: text.body, signer: mySigner, createdAt: new Date().toISOString() }]);
    const result = await send({ type: 'reply', hub: root.proof.hub, body: text.body, parent, root: id });
    if (!result.ok) {
      setPending((previous) => previous.filter((entry) => entry.tempId !== tempId));
      return result.error;
    }
    const proofId = result.proof.id;
    setItems((previous) => {
      if (previous.has(proofId)) return previous;
      const parentDepth = previous.get(parent)?.view.depth ?? 0;
      const next = new Map(previous);
      next.set(proofId, {
        proof: result.proof,
        content: result.content,
        view: {
          id: proofId,
          type: 'reply',
          hub: result.proof.hub,
          issuer: result.proof.issuer,
          seq: result.proof.seq,
          log_index: result.response.log_index,
          received_at: new Date().toISOString(),
          status: result.response.status,
          thread: id,
          parent,
          depth: parentDepth + 1,
          signer: mySigner,
          purged: false,
        },
        counts: { ...ZERO_COUNTS },
        mine: { ...NO_REACTIONS },
      });
      return next;
    });
    setPending((previous) => previous.filter((entry) => entry.tempId !== tempId));
    setReplyingTo(null);
    return null;
  };

  const toggleReaction = async (target: ItemView, kind: ReactionKind) => {
    const active = target.mine?.[kind] === true;
    const targetId = target.proof.id;
    const update = (delta: number, nowActive: boolean) =>
      setItems((previous) => {
        const item = previous.get(targetId);
        if (item === undefined) return previous;
        const next = new Map(previous);
        next.set(targetId, { ...item, counts: { ...item.counts, [kind]: Math.max(0, item.counts[kind] + delta) }, mine: { ...(item.mine ?? NO_REACTIONS), [kind]: nowActive } });
        return next;
      });
    const setKindPending = (on: boolean) =>
      setReactionPending((previous) => {
        const next = new Map(previous);
        const kinds = new Set(previous.get(targetId) ?? []);
        if (on) kinds.add(kind);
        else kinds.delete(kind);
        next.set(targetId, kinds);
        return next;
      });
    setReactionErrors((previous) => {
      const next = new Map(previous);
      next.delete(targetId);
      return next;
    });
    setKindPending(true);
    update(active ? -1 : 1, !active);
    const result = await send({ type: 'reaction', hub: target.proof.hub, target: targetId, kind, undo: active });
    setKindPending(false);
    if (!result.ok) {
      update(active ? 1 : -1, active);
      setReactionErrors((previous) => new Map(previous).set(targetId, result.error));
    }
  };

  if (load.status === 'loading' && root === null) return <Loading>Loading thread…</Loading>;
  if (load.status === 'error' && root === null) {
    return (
      <div className="space-y-3">
        <ErrorNote error={load.error} />
        {load.error.code === 'not_found' ? <p>This thread does not exist, or it is in a private hub you are not a member of.</p> : null}
        <Button variant="secondary" onClick={() => void fetchThread()}>
          Try again
        </Button>
      </div>
    );
  }
  if (root === null) return <ErrorNote error={{ code: 'not_found', message: 'the thread root is missing from the answer' }} />;

  const replies = [...items.values()].filter((item) => item.proof.id !== id && item.proof.type === 'reply');
  const rows = layoutReplies(
    id,
    [
      ...replies.map((item) => ({ id: item.proof.id, parent: item.view.parent ?? id, order: item.view.log_index, item })),
      ...pending.map((entry, index) => ({ id: entry.tempId, parent: entry.parent, order: Number.MAX_SAFE_INTEGER - pending.length + index, pendingEntry: entry })),
    ],
  );
  const nameOf = (itemId: string) => {
    const item = items.get(itemId);
    return item === undefined ? 'a reply' : (item.view.signer.display_name ?? item.view.signer.username ?? shortDid(item.view.signer.did));
  };
  const reactionProps = (item: ItemView) => ({
    pending: reactionPending.get(item.proof.id) ?? new Set<ReactionKind>(),
    disabled: account.status === 'ready' ? null : 'Sign in with your key in this browser to react',
    error: reactionErrors.get(item.proof.id) ?? null,
    onToggle: (kind: ReactionKind) => void toggleReaction(item, kind),
  });
  const replyButton = (item: ItemView) =>
    account.status === 'ready' ? (
      <Button variant="quiet" aria-expanded={replyingTo === item.proof.id} onClick={() => setReplyingTo(replyingTo === item.proof.id ? null : item.proof.id)}>
        Reply
      </Button>
    ) : null;

  return (
    <div className="space-y-4">
      <nav aria-label="Breadcrumb" className="text-sm">
        <Link href={`/hubs/${encodeURIComponent(root.proof.hub)}`} className="underline-offset-2 hover:underline">
          ← {root.proof.hub}
        </Link>
      </nav>
      {room.state === 'refused' ? <Notice>Live updates are off ({room.code}): {room.message}</Notice> : null}
      {'me' in account && canVerifyThreads(account.me.role) ? <VerifyThread threadId={id} items={[...items.values()]} /> : null}
      {moderation.wrap(root, (controls) => (
        <ItemCard item={root} headingLevel={1} reactions={reactionProps(root)}>
          {replyButton(root)}
          {controls}
        </ItemCard>
      ))}
      {replyingTo === id ? (
        <ComposeBox label={`Reply to ${nameOf(id)}`} submitLabel="Send reply" autoFocus onSend={(text) => sendReply(id, text)} onCancel={() => setReplyingTo(null)} />
      ) : null}

      <section aria-labelledby="replies-heading" className="space-y-3">
        <h2 id="replies-heading" className="text-lg font-semibold">
          {replies.length === 1 ? '1 reply' : `${replies.length} replies`}
        </h2>
        <ol className="space-y-3">
          {rows.map((row) => (
            <li key={row.node.id} className={INDENT_CLASSES[row.indent - 1] ?? ''} data-depth={row.depth}>
              {row.flattened ? <p className="mb-1 text-xs text-zinc-600 dark:text-zinc-400">↳ replying to {nameOf(row.node.parent)}</p> : null}
              {'pendingEntry' in row.node ? (
                <PendingCard pending={row.node.pendingEntry} />
              ) : (
                <>
                  {moderation.wrap(row.node.item, (controls, item) => (
                    <ItemCard item={item} headingLevel={3} reactions={reactionProps(item)}>
                      {replyButton(item)}
                      {controls}
                    </ItemCard>
                  ))}
                  {replyingTo === row.node.id ? (
                    <div className="mt-2">
                      <ComposeBox
                        label={`Reply to ${nameOf(row.node.id)}`}
                        submitLabel="Send reply"
                        autoFocus
                        onSend={(text) => sendReply(row.node.id, text)}
                        onCancel={() => setReplyingTo(null)}
                      />
                    </div>
                  ) : null}
                </>
              )}
            </li>
          ))}
        </ol>
      </section>

      <section aria-labelledby="reply-heading" className="space-y-2">
        <h2 id="reply-heading" className="text-lg font-semibold">
          Reply to the thread
        </h2>
        <ComposeBox label="Your reply" submitLabel="Send reply" disabledReason={disabledReason} onSend={(text) => sendReply(id, text)} />
      </section>
      {thread === null ? null : (
        <p className="text-xs text-zinc-600 dark:text-zinc-400">
          Last activity {new Date(replies.reduce((latest, item) => (item.view.received_at > latest ? item.view.received_at : latest), thread.last_activity_at)).toLocaleString()}
        </p>
      )}
    </div>
  );
}

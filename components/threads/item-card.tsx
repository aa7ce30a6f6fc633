'use client';
// One post or reply: signer, time, badge (checked in this browser), text, reactions. A pending
// item (sent, not yet stored) shows the text as typed with the `pending` badge and no reactions.
import type { ReactNode } from 'react';
import type { ItemView, ReactionKind, SignerView } from '@/lib/protocol/views';
import { Markdown } from '../markdown/markdown';
import { ProofBadge } from '../proofs/proof-badge';
import { BadgeButton } from '../proofs/proof-panel';
import { useBadge } from '../proofs/use-badge';
import { ErrorNote } from '../ui/controls';
import { ReactionsBar } from './reactions-bar';
import { Signer, TimeStamp } from './signer';

export interface PendingItem {
  tempId: string;
  body: string;
  title?: string;
  signer: SignerView;
  createdAt: string;
}

function contentText(item: ItemView): { title: string | null; body: string | null } {
  const content = item.content;
  if (content === null) return { title: null, body: null };
  return { title: typeof content.title === 'string' ? content.title : null, body: typeof content.body === 'string' ? content.body : null };
}

export function ItemCard({
  item,
  headingLevel,
  children,
  reactions,
}: {
  item: ItemView;
  headingLevel: 1 | 3;
  children?: ReactNode;
  reactions: {
    pending: ReadonlySet<ReactionKind>;
    disabled: string | null;
    error: { code: string; message: string } | null;
    onToggle: (kind: ReactionKind) => void;
  };
}) {
  const badge = useBadge({ proof: item.proof, content: item.content, purged: item.view.purged }, { status: item.view.status, anchor: (item.view as { anchor?: unknown }).anchor });
  const { title, body } = contentText(item);
  const headingId = `item-${item.proof.id}`;
  const Heading = headingLevel === 1 ? 'h1' : 'h3';
  return (
    <article
      aria-labelledby={headingId}
      data-proof-id={item.proof.id}
      data-testid={item.proof.type === 'post' ? 'thread-root' : 'reply'}
      className="rounded-md border border-zinc-200 p-3 dark:border-zinc-800"
    >
      <header className="flex flex-wrap items-center gap-2 text-sm">
        <Signer signer={item.view.signer} />
        <TimeStamp iso={item.proof.created_at} />
        <span className="ml-auto">
          <BadgeButton badge={badge} proof={item.proof} />
        </span>
      </header>
      <Heading id={headingId} className={headingLevel === 1 ? 'mt-2 text-xl font-semibold' : 'sr-only'}>
        {headingLevel === 1 ? (title ?? 'Untitled thread') : `Reply by ${item.view.signer.display_name ?? item.view.signer.username ?? 'unknown'}`}
      </Heading>
      <div className="mt-2">
        {body === null ? <p className="text-sm italic text-zinc-600 dark:text-zinc-400">The hub purged this text. The proof stays valid.</p> : <Markdown source={body} />}
      </div>
      <div className="mt-3 flex flex-wrap items-center gap-3">
        <ReactionsBar counts={item.counts} mine={item.mine} pending={reactions.pending} disabled={reactions.disabled} onToggle={reactions.onToggle} />
        {children}
      </div>
      {reactions.error === null ? null : (
        <div className="mt-2">
          <ErrorNote error={reactions.error} />
        </div>
      )}
    </article>
  );
}

export function PendingCard({ pending }: { pending: PendingItem }) {
  return (
    <article aria-label="Sending" data-testid="pending-item" className="rounded-md border border-dashed border-zinc-300 p-3 opacity-80 dark:border-zinc-700">
      <header className="flex flex-wrap items-center gap-2 text-sm">
        <Signer signer={pending.signer} />
        <TimeStamp iso={pending.createdAt} />
        <span className="ml-auto">
          <ProofBadge badge={{ state: 'pending' }} />
        </span>
      </header>
      {pending.title === undefined ? null : <p className="mt-2 font-semibold">{pending.title}</p>}
      <div className="mt-2">
        <Markdown source={pending.body} />
      </div>
    </article>
  );
}

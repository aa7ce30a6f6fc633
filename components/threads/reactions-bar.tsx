'use client';
// Like / verified / disputed with their counts and the reader's own state. Each button is a
// toggle (aria-pressed): pressing it again sends the same reaction with undo: true.
import type { ReactionCounts, ReactionKind, ReactionState } from '@/lib/protocol/views';
import { REACTION_KINDS } from '@/lib/protocol/views';

const LABELS: Record<ReactionKind, { text: string; icon: string }> = {
  like: { text: 'Like', icon: '♥' },
  verified: { text: 'Verified', icon: '✔' },
  disputed: { text: 'Disputed', icon: '⚑' },
};

export function ReactionsBar({
  counts,
  mine,
  pending,
  disabled,
  onToggle,
}: {
  counts: ReactionCounts;
  mine: ReactionState | null;
  /** Kinds whose toggle is being sent. */
  pending: ReadonlySet<ReactionKind>;
  /** Why the reader cannot react (signed out, no key), or null. */
  disabled: string | null;
  onToggle: (kind: ReactionKind) => void;
}) {
  return (
    <div role="group" aria-label="Reactions" className="flex flex-wrap gap-2">
      {REACTION_KINDS.map((kind) => {
        const active = mine?.[kind] === true;
        const isPending = pending.has(kind);
        return (
          <button
            key={kind}
            type="button"
            aria-pressed={active}
            disabled={disabled !== null || isPending}
            title={disabled ?? (active ? `Withdraw your ${kind}` : LABELS[kind].text)}
            onClick={() => onToggle(kind)}
            data-reaction={kind}
            className={`inline-flex items-center gap-1 rounded-full border px-2.5 py-0.5 text-sm disabled:cursor-not-allowed disabled:opacity-60 ${
              active
                ? 'border-sky-600 bg-sky-50 text-sky-800 dark:border-sky-400 dark:bg-sky-950 dark:text-sky-200'
                : 'border-zinc-300 bg-white text-zinc-700 hover:bg-zinc-50 dark:border-zinc-600 dark:bg-zinc-900 dark:text-zinc-300 dark:hover:bg-zinc-800'
            }`}
          >
            <span aria-hidden="true">{LABELS[kind].icon}</span>
            <span>{LABELS[kind].text}</span>
            <span className="font-semibold tabular-nums" data-testid={`count-${kind}`}>
              {counts[kind]}
            </span>
            {isPending ? <span className="sr-only">(sending)</span> : null}
          </button>
        );
      })}
    </div>
  );
}

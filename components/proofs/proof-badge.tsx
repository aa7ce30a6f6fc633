// The badge beside every post, reply and reaction: what this browser knows about the proof.
// States and what each needs are in badge-state.ts; docs/ui.md shows them.
import type { BadgeState } from './badge-state';

const STYLES: Record<BadgeState['state'], string> = {
  pending: 'border-zinc-300 bg-zinc-100 text-zinc-700 dark:border-zinc-600 dark:bg-zinc-800 dark:text-zinc-300',
  checking: 'border-zinc-300 bg-white text-zinc-600 dark:border-zinc-600 dark:bg-zinc-900 dark:text-zinc-400',
  signed: 'border-emerald-300 bg-emerald-50 text-emerald-800 dark:border-emerald-700 dark:bg-emerald-950 dark:text-emerald-300',
  anchored: 'border-sky-300 bg-sky-50 text-sky-800 dark:border-sky-700 dark:bg-sky-950 dark:text-sky-300',
  verified: 'border-violet-300 bg-violet-50 text-violet-800 dark:border-violet-700 dark:bg-violet-950 dark:text-violet-300',
  invalid: 'border-red-300 bg-red-50 text-red-800 dark:border-red-700 dark:bg-red-950 dark:text-red-300',
};

const LABELS: Record<BadgeState['state'], string> = {
  pending: 'pending',
  checking: 'checking…',
  signed: 'signed',
  anchored: 'anchored',
  verified: 'verified',
  invalid: 'invalid',
};

/** A longer explanation for the tooltip and for screen readers. */
export function describeBadge(badge: BadgeState): string {
  switch (badge.state) {
    case 'pending':
      return 'Sending: not yet stored by the hub.';
    case 'checking':
      return 'Your browser is checking the signature, content and chain link.';
    case 'signed':
      return badge.checked.contentPurged
        ? 'Your browser checked the signature and chain link. The hub purged the text; the proof stays valid.'
        : 'Your browser checked the signature, the content digest and the chain link.';
    case 'anchored':
      return `Signed, and included in a proposed block${badge.anchor.height === undefined ? '' : ` at height ${badge.anchor.height}`}.`;
    case 'verified':
      return 'Signed, and your browser checked its inclusion under a certified tree head.';
    case 'invalid':
      return `Invalid (${badge.reason.code}): ${badge.reason.message}`;
  }
}

export function ProofBadge({ badge, proofId }: { badge: BadgeState; proofId?: string }) {
  const description = describeBadge(badge);
  return (
    <span
      className={`inline-flex items-center gap-1 rounded-full border px-2 py-0.5 text-xs font-medium ${STYLES[badge.state]}`}
      title={proofId === undefined ? description : `${description}\nproof ${proofId}`}
      data-badge={badge.state}
      {...(badge.state === 'invalid' ? { 'data-reason': badge.reason.code } : {})}
    >
      <span aria-hidden="true">{badge.state === 'invalid' ? '✕' : badge.state === 'pending' || badge.state === 'checking' ? '…' : '✓'}</span>
      <span>{LABELS[badge.state]}</span>
      {badge.state === 'invalid' ? <span className="font-mono">({badge.reason.code})</span> : null}
      <span className="sr-only">: {description}</span>
    </span>
  );
}

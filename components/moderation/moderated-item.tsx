'use client';
// An item as moderation left it. Hidden: collapsed for everyone to "Hidden by a moderator:
// reason", with a button to show it anyway (the proof and content are still here, so the badge
// and "Verify thread" keep checking it). Flagged: a note with the count and latest reason.
import { useState } from 'react';
import type { ReactNode } from 'react';
import type { ItemView } from '@/lib/protocol/views';
import { Button } from '../ui/controls';
import { hiddenNotice, isHidden, moderatorName } from './apply-moderation';

export function ModeratedItem({ item, controls, children }: { item: ItemView; controls?: ReactNode; children: ReactNode }) {
  const [shown, setShown] = useState(false);
  const moderation = item.moderation;
  const flagNote =
    moderation === undefined || moderation.flags === 0 ? null : (
      <p data-testid="flag-note" className="mb-1 text-xs text-amber-800 dark:text-amber-300">
        ⚑ Flagged by moderators ({moderation.flags}): {moderation.last_flag_reason}
      </p>
    );
  if (moderation === undefined || !isHidden(item)) {
    return (
      <>
        {flagNote}
        {children}
      </>
    );
  }
  const name = moderatorName(moderation);
  const contentId = `hidden-${item.proof.id}`;
  return (
    <div data-testid="hidden-item" data-proof-id={item.proof.id} data-hidden={shown ? 'shown' : 'collapsed'}>
      <div className="flex flex-wrap items-center gap-2 rounded-md border border-dashed border-zinc-300 bg-zinc-50 px-3 py-2 text-sm dark:border-zinc-700 dark:bg-zinc-900">
        <p className="italic">
          <span data-testid="hidden-notice">{hiddenNotice(moderation)}</span>
          {name === null ? null : <span className="not-italic text-zinc-600 dark:text-zinc-400"> · {name}</span>}
        </p>
        <span className="ml-auto flex items-center gap-2">
          <Button variant="quiet" aria-expanded={shown} aria-controls={contentId} onClick={() => setShown(!shown)}>
            {shown ? 'Collapse' : 'Show it'}
          </Button>
          {controls}
        </span>
      </div>
      {shown ? (
        <div id={contentId} className="mt-2">
          {flagNote}
          {children}
        </div>
      ) : null}
    </div>
  );
}

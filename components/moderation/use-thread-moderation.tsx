'use client';
// Moderation on a thread page, kept out of thread-view.tsx so the page needs only two hooks:
// onModerationEvent for proof:new events of moderation proofs (the target collapses or expands
// live for everyone watching), and wrap() around each item card (the collapsed form and, for
// moderators and admins, the Hide / Unhide / Flag buttons).
import { useCallback } from 'react';
import type { Dispatch, ReactNode, SetStateAction } from 'react';
import type { ProofNewEvent } from '@/lib/protocol/events';
import { canModerate } from '@/lib/protocol/moderation';
import type { ItemView } from '@/lib/protocol/views';
import type { SendRequest, SendResult } from '../proofs/send-proof';
import type { AccountState } from '../session/account-context';
import { applyModerationEvent, isHidden } from './apply-moderation';
import { ModeratedItem } from './moderated-item';
import { ModerationControls } from './moderation-controls';

export interface ThreadModeration {
  canModerate: boolean;
  onModerationEvent: (event: ProofNewEvent) => void;
  /** Renders the item through moderation; render gets the moderator's buttons to put in the card. */
  wrap: (item: ItemView, render: (controls: ReactNode, item: ItemView) => ReactNode) => ReactNode;
}

export function useThreadModeration({
  account,
  send,
  setItems,
  reload,
}: {
  account: AccountState;
  send: (request: SendRequest) => Promise<SendResult>;
  setItems: Dispatch<SetStateAction<ReadonlyMap<string, ItemView>>>;
  reload: () => Promise<void>;
}): ThreadModeration {
  const allowed = account.status === 'ready' && canModerate(account.me.role);
  const onModerationEvent = useCallback(
    (event: ProofNewEvent) => {
      // A replayed event (after a reconnect) carries no state: read the thread again.
      if (event.moderation === undefined) {
        void reload();
        return;
      }
      setItems((previous) => applyModerationEvent(previous, event) ?? previous);
    },
    [setItems, reload],
  );
  const wrap = (item: ItemView, render: (controls: ReactNode, item: ItemView) => ReactNode): ReactNode => {
    const controls = allowed ? <ModerationControls item={item} send={send} onDone={() => void reload()} /> : null;
    const hidden = isHidden(item);
    return (
      <ModeratedItem item={item} controls={hidden ? controls : null}>
        {render(hidden ? null : controls, item)}
      </ModeratedItem>
    );
  };
  return { canModerate: allowed, onModerationEvent, wrap };
}

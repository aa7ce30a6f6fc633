'use client';
// Hide / Unhide / Flag on an item, for moderators and admins. Each opens a modal dialog asking
// for the reason (the native <dialog>: focus moves in and is trapped, Escape closes it, focus
// returns to the button). Confirming signs a `moderation` proof with the moderator's own key in
// this browser and submits it like any proof; the new state then arrives for everyone over
// proof:new.
import { useEffect, useId, useRef, useState } from 'react';
import type { FormEvent } from 'react';
import { PROOF_LIMITS } from '@/lib/proof/limits';
import { MODERATION_ACTION_LABELS } from '@/lib/protocol/moderation';
import type { ModerationAction } from '@/lib/protocol/moderation';
import type { ItemView } from '@/lib/protocol/views';
import type { SendRequest, SendResult } from '../proofs/send-proof';
import { Button, ErrorNote } from '../ui/controls';
import { availableActions } from './apply-moderation';

const DIALOG_TEXT: Record<ModerationAction, { title: string; confirm: string; placeholder: string }> = {
  hide: { title: 'Hide this item', confirm: 'Hide', placeholder: 'Why it is hidden (shown to everyone)' },
  unhide: { title: 'Show this item again', confirm: 'Unhide', placeholder: 'Why it is shown again (public)' },
  flag: { title: 'Flag this item', confirm: 'Flag', placeholder: 'What is wrong with it (public)' },
};

export function ModerationControls({
  item,
  send,
  onDone,
}: {
  item: ItemView;
  send: (request: SendRequest) => Promise<SendResult>;
  /** Called after a moderation proof was stored (e.g. to reload the thread if live updates are off). */
  onDone?: () => void;
}) {
  const [action, setAction] = useState<ModerationAction | null>(null);
  return (
    <>
      {availableActions(item.moderation).map((candidate) => (
        <Button key={candidate} variant="quiet" aria-haspopup="dialog" data-testid={`moderate-${candidate}`} onClick={() => setAction(candidate)}>
          {MODERATION_ACTION_LABELS[candidate]}
        </Button>
      ))}
      {action === null ? null : (
        <ReasonDialog
          action={action}
          onCancel={() => setAction(null)}
          onConfirm={async (reason) => {
            const result = await send({ type: 'moderation', hub: item.proof.hub, target: item.proof.id, action, reason });
            if (!result.ok) return result.error;
            setAction(null);
            onDone?.();
            return null;
          }}
        />
      )}
    </>
  );
}

function ReasonDialog({
  action,
  onCancel,
  onConfirm,
}: {
  action: ModerationAction;
  onCancel: () => void;
  onConfirm: (reason: string) => Promise<{ code: string; message: string } | null>;
}) {
  const dialogRef = useRef<HTMLDialogElement>(null);
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ code: string; message: string } | null>(null);
  const id = useId();
  const text = DIALOG_TEXT[action];

  useEffect(() => {
    const dialog = dialogRef.current;
    if (dialog !== null && !dialog.open) dialog.showModal();
    return () => dialog?.close();
  }, []);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const trimmed = reason.trim();
    if (trimmed === '') {
      setError({ code: 'invalid_claim', message: 'give a reason: it is part of the signed, public record' });
      return;
    }
    setBusy(true);
    setError(null);
    const failed = await onConfirm(trimmed);
    setBusy(false);
    if (failed !== null) setError(failed);
  };

  return (
    <dialog
      ref={dialogRef}
      aria-labelledby={`${id}-title`}
      aria-describedby={`${id}-help`}
      onCancel={(event) => {
        event.preventDefault();
        if (!busy) onCancel();
      }}
      className="w-full max-w-md rounded-md border border-zinc-300 bg-white p-4 text-zinc-900 backdrop:bg-black/40 dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-100"
    >
      <form onSubmit={(event) => void submit(event)} className="space-y-3">
        <h2 id={`${id}-title`} className="text-lg font-semibold">
          {text.title}
        </h2>
        <p id={`${id}-help`} className="text-sm text-zinc-600 dark:text-zinc-400">
          Your browser signs this as a moderation proof with your key. It is public and listed in the moderation log.
        </p>
        <div>
          <label htmlFor={`${id}-reason`} className="block text-sm font-medium">
            Reason
          </label>
          <textarea
            id={`${id}-reason`}
            autoFocus
            required
            maxLength={PROOF_LIMITS.maxReasonChars}
            value={reason}
            placeholder={text.placeholder}
            onChange={(event) => setReason(event.target.value)}
            className="mt-1 block min-h-20 w-full rounded-md border border-zinc-300 bg-white px-3 py-2 text-sm dark:border-zinc-600 dark:bg-zinc-900"
          />
        </div>
        <ErrorNote error={error} />
        <div className="flex justify-end gap-2">
          <Button variant="secondary" disabled={busy} onClick={onCancel}>
            Cancel
          </Button>
          <Button type="submit" disabled={busy} aria-busy={busy}>
            {busy ? 'Signing…' : text.confirm}
          </Button>
        </div>
      </form>
    </dialog>
  );
}

'use client';
// Writing a post or reply: Markdown with a preview, Ctrl/⌘+Enter to send. Sending is optimistic
// (the caller shows the item as pending at once); if the hub refuses, the error code and message
// are shown here and the text stays, so nothing typed is lost.
import { useId, useState } from 'react';
import type { FormEvent, KeyboardEvent, ReactNode } from 'react';
import { PROOF_LIMITS } from '@/lib/proof/limits';
import { Markdown } from '../markdown/markdown';
import { Button, ErrorNote, TextField } from '../ui/controls';

export interface ComposeFailure {
  code: string;
  message: string;
}

export function ComposeBox({
  label,
  submitLabel,
  withTitle = false,
  disabledReason = null,
  onSend,
  onCancel,
  autoFocus = false,
}: {
  /** Names the form and its text area, e.g. "New thread" or "Reply to Alice". */
  label: string;
  submitLabel: string;
  withTitle?: boolean;
  /** Shown instead of the form when the reader cannot sign. */
  disabledReason?: ReactNode;
  /** Resolves to null when stored, or the refusal to show. */
  onSend: (text: { title?: string; body: string }) => Promise<ComposeFailure | null>;
  onCancel?: () => void;
  autoFocus?: boolean;
}) {
  const [title, setTitle] = useState('');
  const [body, setBody] = useState('');
  const [mode, setMode] = useState<'write' | 'preview'>('write');
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<ComposeFailure | null>(null);
  const bodyId = useId();
  const counterId = `${bodyId}-count`;

  if (disabledReason !== null) {
    return <div className="rounded-md border border-dashed border-zinc-300 p-3 text-sm dark:border-zinc-700">{disabledReason}</div>;
  }

  const tooLong = body.length > PROOF_LIMITS.maxBodyChars;
  const canSend = !sending && body.trim().length > 0 && !tooLong;

  const send = async () => {
    if (!canSend) return;
    setSending(true);
    setError(null);
    const failure = await onSend(withTitle && title.trim() !== '' ? { title: title.trim(), body } : { body });
    setSending(false);
    if (failure === null) {
      setTitle('');
      setBody('');
      setMode('write');
    } else {
      setError(failure);
    }
  };

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    void send();
  };
  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      void send();
    }
  };

  return (
    <form aria-label={label} onSubmit={onSubmit} className="space-y-2 rounded-md border border-zinc-200 p-3 dark:border-zinc-800">
      {withTitle ? <TextField label="Title" value={title} maxLength={PROOF_LIMITS.maxTitleChars} onChange={(event) => setTitle(event.target.value)} /> : null}
      <div className="flex items-center justify-between">
        <label htmlFor={bodyId} className="text-sm font-medium">
          {label} <span className="font-normal text-zinc-600 dark:text-zinc-400">(Markdown)</span>
        </label>
        <div role="group" aria-label="Editor mode" className="flex gap-1">
          <Button variant={mode === 'write' ? 'secondary' : 'quiet'} aria-pressed={mode === 'write'} onClick={() => setMode('write')}>
            Write
          </Button>
          <Button variant={mode === 'preview' ? 'secondary' : 'quiet'} aria-pressed={mode === 'preview'} onClick={() => setMode('preview')}>
            Preview
          </Button>
        </div>
      </div>
      {/* The text area stays mounted in preview so nothing typed is lost; it is only hidden. */}
      <textarea
        id={bodyId}
        value={body}
        onChange={(event) => setBody(event.target.value)}
        onKeyDown={onKeyDown}
        aria-describedby={counterId}
        hidden={mode === 'preview'}
        autoFocus={autoFocus}
        className="block min-h-28 w-full rounded-md border border-zinc-300 bg-white px-3 py-2 font-mono text-sm text-zinc-900 dark:border-zinc-600 dark:bg-zinc-900 dark:text-zinc-100"
      />
      {mode === 'preview' ? (
        <div aria-label="Preview" role="region" className="min-h-28 rounded-md border border-zinc-200 p-3 dark:border-zinc-800">
          {body.trim() === '' ? <p className="text-sm text-zinc-500">Nothing to preview.</p> : <Markdown source={body} />}
        </div>
      ) : null}
      <div className="flex flex-wrap items-center gap-2">
        <Button type="submit" disabled={!canSend}>
          {sending ? 'Signing and sending…' : submitLabel}
        </Button>
        {onCancel === undefined ? null : (
          <Button variant="quiet" onClick={onCancel}>
            Cancel
          </Button>
        )}
        <span id={counterId} className={`ml-auto text-xs ${tooLong ? 'text-red-700 dark:text-red-400' : 'text-zinc-600 dark:text-zinc-400'}`}>
          {body.length.toLocaleString()} / {PROOF_LIMITS.maxBodyChars.toLocaleString()} characters · Ctrl+Enter sends
        </span>
      </div>
      <ErrorNote error={error} />
    </form>
  );
}

// Small accessible building blocks: every input has a visible label, every button a name, errors
// are announced (role=alert) and loading is announced politely (role=status).
import type { ButtonHTMLAttributes, InputHTMLAttributes, ReactNode, TextareaHTMLAttributes } from 'react';
import { useId } from 'react';

const BUTTON_STYLES = {
  primary: 'bg-sky-700 text-white hover:bg-sky-800 disabled:bg-zinc-400 dark:bg-sky-600 dark:hover:bg-sky-500 dark:disabled:bg-zinc-700',
  secondary:
    'border border-zinc-300 bg-white text-zinc-900 hover:bg-zinc-50 disabled:text-zinc-400 dark:border-zinc-600 dark:bg-zinc-900 dark:text-zinc-100 dark:hover:bg-zinc-800',
  quiet: 'text-sky-700 underline-offset-2 hover:underline disabled:text-zinc-400 dark:text-sky-400',
} as const;

export function Button({ variant = 'primary', className = '', type = 'button', ...props }: ButtonHTMLAttributes<HTMLButtonElement> & { variant?: keyof typeof BUTTON_STYLES }) {
  return (
    <button
      type={type}
      className={`inline-flex items-center justify-center gap-1 rounded-md px-3 py-1.5 text-sm font-medium disabled:cursor-not-allowed ${BUTTON_STYLES[variant]} ${className}`}
      {...props}
    />
  );
}

const FIELD_STYLES =
  'mt-1 block w-full rounded-md border border-zinc-300 bg-white px-3 py-2 text-zinc-900 placeholder:text-zinc-400 dark:border-zinc-600 dark:bg-zinc-900 dark:text-zinc-100';

export function TextField({ label, hint, className = '', ...props }: InputHTMLAttributes<HTMLInputElement> & { label: string; hint?: string }) {
  const id = useId();
  const hintId = `${id}-hint`;
  return (
    <div className={className}>
      <label htmlFor={id} className="block text-sm font-medium">
        {label}
      </label>
      <input id={id} className={FIELD_STYLES} {...(hint === undefined ? {} : { 'aria-describedby': hintId })} {...props} />
      {hint === undefined ? null : (
        <p id={hintId} className="mt-1 text-xs text-zinc-600 dark:text-zinc-400">
          {hint}
        </p>
      )}
    </div>
  );
}

export function TextArea({ label, className = '', ...props }: TextareaHTMLAttributes<HTMLTextAreaElement> & { label: string }) {
  const id = useId();
  return (
    <div className={className}>
      <label htmlFor={id} className="block text-sm font-medium">
        {label}
      </label>
      <textarea id={id} className={`${FIELD_STYLES} min-h-28 font-mono text-sm`} {...props} />
    </div>
  );
}

/** An error the person must see: the stable code (for a bug report) and the human message. */
export function ErrorNote({ error, children }: { error?: { code: string; message: string } | null; children?: ReactNode }) {
  if ((error === undefined || error === null) && children === undefined) return null;
  return (
    <p role="alert" className="rounded-md border border-red-300 bg-red-50 px-3 py-2 text-sm text-red-800 dark:border-red-800 dark:bg-red-950 dark:text-red-200">
      {error === undefined || error === null ? null : (
        <>
          <span className="font-mono font-semibold">{error.code}</span>: {error.message}
        </>
      )}
      {children}
    </p>
  );
}

export function Loading({ children = 'Loading…' }: { children?: ReactNode }) {
  return (
    <p role="status" className="py-4 text-sm text-zinc-600 dark:text-zinc-400">
      {children}
    </p>
  );
}

export function Notice({ children }: { children: ReactNode }) {
  return (
    <div role="status" className="rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:border-amber-700 dark:bg-amber-950 dark:text-amber-100">
      {children}
    </div>
  );
}

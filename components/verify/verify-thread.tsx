'use client';
// "Verify thread": checks every item of the thread in this browser, with nothing trusted but the
// validator set pinned for the page: signatures (WebCrypto Ed25519 when the browser has it, noble
// otherwise, both under the One Ed25519 rule), per-author chains, identity and key history,
// content digests, inclusion proofs, certificates, and that all tree heads are consistent with
// each other (lib/verify verifyThread). The work runs in chunks between which the page gets a
// turn, with a progress bar; the report names each failure with a link to the item.
import { useRef, useState } from 'react';
import { nobleVerifier } from '@/lib/crypto/ed25519';
import { canModerate } from '@/lib/protocol/moderation';
import { createWebCryptoVerifier, webCryptoHasEd25519 } from '@/lib/verify/async-verifier';
import type { AsyncSignatureVerifier } from '@/lib/verify/async-verifier';
import { verifyThread } from '@/lib/verify/items';
import type { VerifyFailure, VerifyPhase, VerifyProgress, VerifyReport } from '@/lib/verify/items';
import { browserChainPin } from '../proofs/pinned-chain';
import { Button, ErrorNote } from '../ui/controls';
import { loadThreadInput } from './thread-input';
import type { PageItem, ThreadInput } from './thread-input';

/** Share of the bar each phase fills: signatures dominate the work. */
const PHASE_SPAN: Record<VerifyPhase, [number, number]> = {
  signatures: [5, 60],
  proofs: [60, 80],
  anchors: [80, 97],
  heads: [97, 100],
  done: [100, 100],
};

const PHASE_WORDS: Record<VerifyPhase, string> = {
  signatures: 'Checking signatures',
  proofs: 'Checking chains, keys and content',
  anchors: 'Checking inclusion proofs and certificates',
  heads: 'Checking tree heads',
  done: 'Done',
};

export function progressPercent(progress: VerifyProgress): number {
  const [from, to] = PHASE_SPAN[progress.phase];
  const share = progress.total === 0 ? 1 : Math.min(1, progress.done / progress.total);
  return Math.round(from + (to - from) * share);
}

let asyncVerifier: Promise<AsyncSignatureVerifier | undefined> | undefined;

function browserAsyncVerifier(): Promise<AsyncSignatureVerifier | undefined> {
  const subtle = typeof crypto === 'undefined' ? undefined : crypto.subtle;
  asyncVerifier ??= webCryptoHasEd25519(subtle).then((has) => (has && subtle !== undefined ? createWebCryptoVerifier(subtle) : undefined));
  return asyncVerifier;
}

type RunState =
  | { state: 'idle' }
  | { state: 'running'; step: string; percent: number }
  | { state: 'done'; report: VerifyReport; seconds: number }
  | { state: 'error'; error: { code: string; message: string } };

function FailureRow({ failure, itemIds }: { failure: VerifyFailure; itemIds: ReadonlySet<string> }) {
  return (
    <li data-failure-id={failure.id} data-code={failure.code} className="break-all">
      <span className="font-mono font-semibold">{failure.code}</span>{' '}
      {itemIds.has(failure.id) ? (
        <a href={`#item-${failure.id}`} className="font-mono text-sky-700 underline dark:text-sky-400">
          {failure.id.slice(0, 16)}…
        </a>
      ) : (
        <span className="font-mono">{failure.id}</span>
      )}
      : {failure.message}
    </li>
  );
}

/** Who sees "Verify thread": moderators and admins (anyone may still verify a bundle offline). */
export function canVerifyThreads(role: string | null | undefined): boolean {
  return canModerate(role);
}

interface ThreadItem {
  proof: unknown;
  content: unknown;
  view: { purged?: boolean };
}

function pageItemOf(item: ThreadItem): PageItem {
  const anchor = (item.view as { anchor?: unknown }).anchor;
  return { proof: item.proof, content: item.content, purged: item.view.purged === true, ...(anchor === undefined ? {} : { anchor }) };
}

export function VerifyThread({ threadId, items: threadItems }: { threadId: string; items: readonly ThreadItem[] }) {
  const items = threadItems.map(pageItemOf);
  const [run, setRun] = useState<RunState>({ state: 'idle' });
  const [exportError, setExportError] = useState<{ code: string; message: string } | null>(null);
  const lastInput = useRef<ThreadInput | null>(null);
  const itemIds = new Set(items.map((item) => (item.proof as { id?: string }).id ?? ''));

  const start = async () => {
    const began = performance.now();
    setRun({ state: 'running', step: 'Pinning the validator set…', percent: 0 });
    try {
      const pin = await browserChainPin()
        .get()
        .catch(() => null);
      const loaded = await loadThreadInput(threadId, items, (step) => setRun({ state: 'running', step, percent: 2 }));
      if (!loaded.ok) {
        setRun({ state: 'error', error: loaded.error });
        return;
      }
      lastInput.current = loaded.value;
      const report = await verifyThread(loaded.value.input, {
        verifier: nobleVerifier,
        ...(await browserAsyncVerifier().then((verifier) => (verifier === undefined ? {} : { asyncVerifier: verifier }))),
        ...(pin !== null && pin.ok ? { pinned: pin.pinned.chain } : {}),
        onProgress: (progress) => setRun({ state: 'running', step: `${PHASE_WORDS[progress.phase]} (${progress.done}/${progress.total})`, percent: progressPercent(progress) }),
      });
      setRun({ state: 'done', report, seconds: (performance.now() - began) / 1000 });
    } catch (error) {
      setRun({ state: 'error', error: { code: 'verify_failed', message: error instanceof Error ? error.message : String(error) } });
    }
  };

  const exportBundle = async () => {
    setExportError(null);
    let bundle = lastInput.current?.bundle;
    if (bundle === undefined) {
      const loaded = await loadThreadInput(threadId, items, () => undefined);
      if (!loaded.ok) {
        setExportError(loaded.error);
        return;
      }
      lastInput.current = loaded.value;
      bundle = loaded.value.bundle;
    }
    const blob = new Blob([JSON.stringify(bundle, null, 2)], { type: 'application/json' });
    const url = URL.createObjectURL(blob);
    const link = document.createElement('a');
    link.href = url;
    link.download = `thread-${threadId.slice(0, 16)}.bundle.json`;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  };

  const running = run.state === 'running';
  return (
    <section aria-labelledby="verify-heading" className="space-y-2 rounded-md border border-zinc-200 p-3 dark:border-zinc-800">
      <div className="flex flex-wrap items-center gap-2">
        <h2 id="verify-heading" className="mr-auto text-base font-semibold">
          Verification
        </h2>
        <Button variant="secondary" disabled={running} onClick={() => void start()}>
          Verify thread
        </Button>
        <Button variant="secondary" onClick={() => void exportBundle()}>
          Export bundle
        </Button>
      </div>
      {exportError === null ? null : <ErrorNote error={exportError} />}
      {run.state === 'idle' ? null : (
        <div data-testid="verify-report" data-state={run.state === 'running' ? 'running' : 'done'} aria-live="polite" className="space-y-2 text-sm">
          {run.state === 'running' ? (
            <>
              <div
                role="progressbar"
                aria-label="Verifying the thread"
                aria-valuemin={0}
                aria-valuemax={100}
                aria-valuenow={run.percent}
                aria-valuetext={`${run.percent}%: ${run.step}`}
                className="h-2 w-full overflow-hidden rounded bg-zinc-200 dark:bg-zinc-800"
              >
                <div className="h-full bg-sky-600 transition-[width]" style={{ width: `${run.percent}%` }} />
              </div>
              <p role="status">{run.step}</p>
            </>
          ) : null}
          {run.state === 'error' ? <ErrorNote error={run.error} /> : null}
          {run.state === 'done' ? <ReportView report={run.report} seconds={run.seconds} itemIds={itemIds} /> : null}
        </div>
      )}
    </section>
  );
}

function ReportView({ report, seconds, itemIds }: { report: VerifyReport; seconds: number; itemIds: ReadonlySet<string> }) {
  return (
    <div data-ok={report.ok ? 'true' : 'false'} className="space-y-2">
      <p role="status" className={report.ok ? 'font-semibold text-emerald-800 dark:text-emerald-300' : 'font-semibold text-red-800 dark:text-red-300'}>
        {report.ok ? `All ${report.total} items check.` : `${report.failures.length} ${report.failures.length === 1 ? 'failure' : 'failures'} in ${report.total} items.`}
      </p>
      <p className="text-zinc-700 dark:text-zinc-300" data-testid="verify-summary">
        {report.valid} of {report.total} valid · {report.anchored} anchored under a certified head · {report.unanchored} not yet anchored · {report.heads.length}{' '}
        {report.heads.length === 1 ? 'tree head' : 'tree heads'} {report.consistent ? 'consistent' : 'INCONSISTENT'} · {report.verifier} · {seconds.toFixed(2)} s
      </p>
      {report.failures.length === 0 ? null : (
        <>
          <h3 className="font-semibold">Failures</h3>
          <ul data-testid="verify-failures" className="list-disc space-y-1 pl-5">
            {report.failures.map((failure, index) => (
              <FailureRow key={`${failure.id}-${failure.code}-${index}`} failure={failure} itemIds={itemIds} />
            ))}
          </ul>
        </>
      )}
      {report.warnings.length === 0 ? null : (
        <details>
          <summary>
            {report.warnings.length} {report.warnings.length === 1 ? 'note' : 'notes'}
          </summary>
          <ul className="list-disc space-y-1 pl-5">
            {report.warnings.map((warning, index) => (
              <FailureRow key={`${warning.id}-${warning.code}-${index}`} failure={warning} itemIds={itemIds} />
            ))}
          </ul>
        </details>
      )}
    </div>
  );
}

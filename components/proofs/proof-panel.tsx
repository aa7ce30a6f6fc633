'use client';
// The proof behind a badge, for anyone who wants to check it by hand: the canonical JSON that was
// signed (RFC 8785), id and signature, the issuer and its key history as this browser replayed
// it, and, once the browser verified the anchor, the inclusion path, the certified tree head and
// the validators whose signatures the certificate carries (QC signer indexes → the pinned genesis
// set). A native modal <dialog>: the rest of the page is inert while it is open (focus stays
// inside), Esc closes it, and focus returns to the badge that opened it.
import { useEffect, useRef, useState } from 'react';
import { canonicalizeJson } from '@/lib/canonical-json';
import type { KeyEpoch } from '@/lib/proof/identity';
import { shortDid } from '../threads/signer';
import { Button } from '../ui/controls';
import type { BadgeState, InvalidReason } from './badge-state';
import { browserChainPin } from './pinned-chain';
import { ProofBadge, describeBadge } from './proof-badge';
import { browserProofChecker } from './use-badge';

interface SignerRow {
  index: number;
  did: string;
}

function Field({ label, children, mono = true }: { label: string; children: React.ReactNode; mono?: boolean }) {
  return (
    <div className="py-1">
      <dt className="text-xs font-semibold uppercase tracking-wide text-zinc-600 dark:text-zinc-400">{label}</dt>
      <dd className={`mt-0.5 break-all text-sm ${mono ? 'font-mono' : ''}`}>{children}</dd>
    </div>
  );
}

function canonicalText(proof: unknown): string {
  try {
    return canonicalizeJson(proof);
  } catch {
    return JSON.stringify(proof);
  }
}

function useKeyHistory(issuer: string | null, open: boolean) {
  const [history, setHistory] = useState<{ ok: true; epochs: readonly KeyEpoch[] } | { ok: false; reason: InvalidReason } | null>(null);
  useEffect(() => {
    if (!open || issuer === null) return;
    let cancelled = false;
    browserProofChecker()
      .keyHistory(issuer)
      .then(
        (result) => {
          if (!cancelled) setHistory(result);
        },
        (error: unknown) => {
          if (!cancelled) setHistory({ ok: false, reason: { code: 'unavailable', message: error instanceof Error ? error.message : String(error) } });
        },
      );
    return () => {
      cancelled = true;
    };
  }, [issuer, open]);
  return history;
}

function useSigners(signers: readonly number[] | undefined, open: boolean): SignerRow[] | null {
  const [rows, setRows] = useState<SignerRow[] | null>(null);
  const key = signers?.join(',') ?? '';
  useEffect(() => {
    if (!open || signers === undefined) return;
    let cancelled = false;
    browserChainPin()
      .get()
      .then(
        (pin) => {
          if (cancelled || !pin.ok) return;
          const validators = pin.pinned.answer.set.validators;
          setRows(signers.map((index) => ({ index, did: validators[index]?.did ?? `validator ${index}` })));
        },
        () => undefined,
      );
    return () => {
      cancelled = true;
    };
  }, [key, open]);
  return rows;
}

export function ProofPanel({ proof, badge, open, onClose }: { proof: unknown; badge: BadgeState; open: boolean; onClose: () => void }) {
  const dialogRef = useRef<HTMLDialogElement>(null);
  const record = (typeof proof === 'object' && proof !== null ? proof : {}) as Record<string, unknown>;
  const id = typeof record.id === 'string' ? record.id : '';
  const issuer = typeof record.issuer === 'string' ? record.issuer : null;
  const history = useKeyHistory(issuer, open);
  const anchor = badge.state === 'verified' || badge.state === 'anchored' ? badge.anchor : undefined;
  const signers = useSigners(badge.state === 'verified' ? badge.anchor.signers : undefined, open);
  const titleId = `proof-panel-title-${id.slice(0, 16)}`;

  useEffect(() => {
    const dialog = dialogRef.current;
    if (dialog === null) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);

  const { sig: _sig, id: _id, ...body } = record;
  const wire = anchor?.wire;

  return (
    <dialog
      ref={dialogRef}
      aria-labelledby={titleId}
      data-testid="proof-panel"
      onClose={onClose}
      onClick={(event) => {
        // A click on the backdrop (the dialog element itself, outside its content) closes it.
        if (event.target === dialogRef.current) onClose();
      }}
      className="m-auto w-[min(48rem,calc(100vw-2rem))] max-h-[calc(100vh-2rem)] overflow-y-auto rounded-lg border border-zinc-300 bg-white p-0 text-zinc-900 shadow-xl backdrop:bg-black/40 dark:border-zinc-700 dark:bg-zinc-950 dark:text-zinc-100"
    >
      {open ? (
        <div className="space-y-4 p-4">
          <div className="flex items-start gap-3">
            <h2 id={titleId} className="text-lg font-semibold">
              Proof {id.slice(0, 12)}…
            </h2>
            <span className="mt-1">
              <ProofBadge badge={badge} proofId={id} />
            </span>
            <Button variant="secondary" className="ml-auto" onClick={onClose} autoFocus>
              Close
            </Button>
          </div>
          <p className="text-sm text-zinc-700 dark:text-zinc-300">{describeBadge(badge)}</p>

          <section aria-labelledby={`${titleId}-proof`}>
            <h3 id={`${titleId}-proof`} className="font-semibold">
              Signed proof
            </h3>
            <dl>
              <Field label="id (SHA-256 of the canonical body)">{id}</Field>
              <Field label="signature (Ed25519 over the id bytes)">{typeof record.sig === 'string' ? record.sig : '—'}</Field>
              <Field label="issuer">{issuer ?? '—'}</Field>
            </dl>
            <h4 className="mt-2 text-xs font-semibold uppercase tracking-wide text-zinc-600 dark:text-zinc-400">Canonical JSON (RFC 8785) of the signed body</h4>
            <pre data-testid="canonical-json" className="mt-1 max-h-48 overflow-auto whitespace-pre-wrap break-all rounded bg-zinc-100 p-2 font-mono text-xs dark:bg-zinc-900">
              {canonicalText(body)}
            </pre>
          </section>

          <section aria-labelledby={`${titleId}-keys`}>
            <h3 id={`${titleId}-keys`} className="font-semibold">
              Issuer key history
            </h3>
            {history === null ? (
              <p role="status" className="text-sm text-zinc-600 dark:text-zinc-400">
                Replaying the issuer's identity proofs…
              </p>
            ) : history.ok ? (
              <ol data-testid="key-history" className="mt-1 space-y-1 text-sm">
                {history.epochs.map((epoch) => (
                  <li key={epoch.fromSeq} className="font-mono">
                    from seq {epoch.fromSeq}: <span title={epoch.did}>{shortDid(epoch.did)}</span>{' '}
                    <span className="font-sans text-zinc-600 dark:text-zinc-400">
                      ({epoch.rotationId === null ? 'inception key' : `rotation ${epoch.rotationId.slice(0, 12)}…`})
                    </span>
                  </li>
                ))}
              </ol>
            ) : (
              <p className="text-sm">
                <span className="font-mono">{history.reason.code}</span>: {history.reason.message}
              </p>
            )}
          </section>

          <section aria-labelledby={`${titleId}-log`}>
            <h3 id={`${titleId}-log`} className="font-semibold">
              Place in the log
            </h3>
            {wire === undefined ? (
              <p className="text-sm text-zinc-600 dark:text-zinc-400">
                {badge.state === 'anchored'
                  ? `In a block${anchor?.height === undefined ? '' : ` at height ${anchor.height}`}; no certified anchor yet.`
                  : 'Not yet in a certified block.'}
              </p>
            ) : (
              <>
                <dl className="grid grid-cols-1 gap-x-4 sm:grid-cols-2">
                  <Field label="leaf index">{wire.leaf_index}</Field>
                  <Field label="first in block">{wire.block_height}</Field>
                  <Field label="tree size">{wire.tree_size}</Field>
                  <Field label="certified at height">{wire.certificate.header.height}</Field>
                </dl>
                <dl>
                  <Field label="tree head root">{wire.root}</Field>
                </dl>
                <h4 className="mt-2 text-xs font-semibold uppercase tracking-wide text-zinc-600 dark:text-zinc-400">
                  Inclusion path (RFC 9162, leaf to root, {wire.inclusion.path.length} hashes)
                </h4>
                <ol data-testid="inclusion-path" className="mt-1 list-decimal space-y-0.5 pl-6 font-mono text-xs">
                  {wire.inclusion.path.map((hash, index) => (
                    <li key={`${index}-${hash}`} className="break-all">
                      {hash}
                    </li>
                  ))}
                </ol>
                <h4 className="mt-2 text-xs font-semibold uppercase tracking-wide text-zinc-600 dark:text-zinc-400">
                  Validators who signed the certificate (view {wire.certificate.qc.view})
                </h4>
                <ul data-testid="qc-signers" className="mt-1 space-y-0.5 text-sm">
                  {(signers ?? wire.certificate.qc.signers.map((index) => ({ index, did: `validator ${index}` }))).map((signer) => (
                    <li key={signer.index} data-signer={signer.index} className="font-mono">
                      #{signer.index} <span title={signer.did}>{signer.did.startsWith('did:') ? shortDid(signer.did) : signer.did}</span>
                    </li>
                  ))}
                </ul>
              </>
            )}
          </section>
        </div>
      ) : null}
    </dialog>
  );
}

/** The badge as a button that opens its proof panel. */
export function BadgeButton({ badge, proof }: { badge: BadgeState; proof: unknown }) {
  const [open, setOpen] = useState(false);
  const id = typeof proof === 'object' && proof !== null && typeof (proof as { id?: unknown }).id === 'string' ? (proof as { id: string }).id : undefined;
  const clickable = badge.state !== 'pending';
  return (
    <>
      <button
        type="button"
        className="rounded-full disabled:cursor-default"
        aria-haspopup="dialog"
        disabled={!clickable}
        onClick={() => setOpen(true)}
      >
        <span className="sr-only">Show proof: </span>
        <ProofBadge badge={badge} {...(id === undefined ? {} : { proofId: id })} />
      </button>
      <ProofPanel proof={proof} badge={badge} open={open} onClose={() => setOpen(false)} />
    </>
  );
}

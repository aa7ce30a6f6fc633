'use client';
// The chain explorer (/chain): the certified head (its certificate checked here against the
// pinned genesis keys), the validators with the liveness the hub observes, and recent committed
// blocks, newest first, paginated. Live: a chain:head event refreshes the head and the first page.
import { useCallback, useEffect, useState } from 'react';
import { shortDid } from '../threads/signer';
import { browserChainPin } from '../proofs/pinned-chain';
import type { PinResult } from '../proofs/pinned-chain';
import { Button, ErrorNote, Loading } from '../ui/controls';
import { chainApi } from './chain-client';
import type { BlockSummary, ValidatorLiveness } from './chain-client';
import { useChainHead } from './use-chain-head';

function Hash({ value }: { value: string | undefined | null }) {
  if (value === undefined || value === null) return <span>—</span>;
  return (
    <span className="font-mono" title={value}>
      {value.slice(0, 16)}…
    </span>
  );
}

function usePin(): PinResult | { ok: null; message: string } | null {
  const [pin, setPin] = useState<PinResult | { ok: null; message: string } | null>(null);
  useEffect(() => {
    let cancelled = false;
    browserChainPin()
      .get()
      .then(
        (result) => {
          if (!cancelled) setPin(result);
        },
        (error: unknown) => {
          if (!cancelled) setPin({ ok: null, message: error instanceof Error ? error.message : String(error) });
        },
      );
    return () => {
      cancelled = true;
    };
  }, []);
  return pin;
}

function livenessWord(entry: ValidatorLiveness | undefined): string {
  if (entry === undefined) return 'unknown';
  if (typeof entry.status === 'string') return entry.status;
  return entry.live === true ? 'up' : 'down';
}

export function ChainExplorer() {
  const { head, problem, version } = useChainHead();
  const pin = usePin();
  const [blocks, setBlocks] = useState<BlockSummary[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [blocksError, setBlocksError] = useState<{ code: string; message: string } | null>(null);
  const [liveness, setLiveness] = useState<ValidatorLiveness[]>([]);

  const loadFirst = useCallback(async () => {
    const page = await chainApi.blocks(null);
    if (!page.ok) {
      setBlocksError(page.error);
      return;
    }
    setBlocksError(null);
    setBlocks((previous) => {
      // Keep older pages already loaded below the fresh first page.
      const fresh = new Set(page.value.blocks.map((block) => block.height));
      const lowest = Math.min(...page.value.blocks.map((block) => block.height));
      return [...page.value.blocks, ...previous.filter((block) => !fresh.has(block.height) && block.height < lowest)];
    });
    setCursor((previous) => (previous === null ? page.value.nextCursor : previous));
  }, []);

  useEffect(() => {
    void loadFirst();
    void chainApi.validators().then((answer) => {
      if (answer.ok) setLiveness(answer.value.liveness);
    });
  }, [loadFirst, version]);

  const loadMore = async () => {
    if (cursor === null) return;
    setLoadingMore(true);
    const page = await chainApi.blocks(cursor);
    setLoadingMore(false);
    if (!page.ok) {
      setBlocksError(page.error);
      return;
    }
    setBlocks((previous) => {
      const known = new Set(previous.map((block) => block.height));
      return [...previous, ...page.value.blocks.filter((block) => !known.has(block.height))];
    });
    setCursor(page.value.nextCursor);
  };

  const validators = pin !== null && pin.ok === true ? pin.pinned.answer.set.validators : [];
  const signers = new Set(head?.certificate.qc.signers ?? []);

  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-semibold">Chain</h1>
      {pin !== null && pin.ok === false ? <ErrorNote error={pin.reason} /> : null}
      {pin !== null && pin.ok === null ? <ErrorNote error={{ code: 'unavailable', message: pin.message }} /> : null}

      <section aria-labelledby="head-heading" data-testid="chain-head" className="rounded-md border border-zinc-200 p-3 dark:border-zinc-800">
        <h2 id="head-heading" className="text-lg font-semibold">
          Certified head
        </h2>
        {head === null ? (
          problem === null ? (
            <Loading>Reading the certified head…</Loading>
          ) : (
            <p className="text-sm text-zinc-600 dark:text-zinc-400">No certified head: {problem}</p>
          )
        ) : (
          <dl className="mt-2 grid grid-cols-2 gap-x-4 gap-y-1 text-sm sm:grid-cols-4">
            <dt className="text-zinc-600 dark:text-zinc-400">Height</dt>
            <dd data-testid="head-height" className="font-mono">
              {head.height}
            </dd>
            <dt className="text-zinc-600 dark:text-zinc-400">Tree size</dt>
            <dd data-testid="head-tree-size" className="font-mono">
              {head.tree_size}
            </dd>
            <dt className="text-zinc-600 dark:text-zinc-400">Root</dt>
            <dd>
              <Hash value={head.root} />
            </dd>
            <dt className="text-zinc-600 dark:text-zinc-400">Block</dt>
            <dd>
              <Hash value={head.block_hash} />
            </dd>
            <dt className="text-zinc-600 dark:text-zinc-400">Certificate</dt>
            <dd className="col-span-3">
              {/* useChainHead only shows heads whose certificate this browser checked (head-history.ts). */}
              <span data-testid="head-certificate">
                checked in your browser: {head.certificate.qc.signers.length} of {validators.length || '?'} validators signed (view {head.certificate.qc.view})
              </span>
            </dd>
          </dl>
        )}
      </section>

      <section aria-labelledby="validators-heading" className="space-y-2">
        <h2 id="validators-heading" className="text-lg font-semibold">
          Validators {pin !== null && pin.ok === true ? <span className="text-sm font-normal text-zinc-600 dark:text-zinc-400">(genesis {pin.pinned.chain.genesisHash.slice(0, 12)}…)</span> : null}
        </h2>
        <table data-testid="validators" className="w-full text-left text-sm">
          <thead>
            <tr className="border-b border-zinc-200 dark:border-zinc-800">
              <th scope="col" className="py-1 pr-2">
                #
              </th>
              <th scope="col" className="py-1 pr-2">
                Key
              </th>
              <th scope="col" className="py-1 pr-2">
                Liveness
              </th>
              <th scope="col" className="py-1 pr-2">
                Height seen
              </th>
              <th scope="col" className="py-1">
                Signed head
              </th>
            </tr>
          </thead>
          <tbody>
            {validators.map((validator) => {
              const live = liveness.find((entry) => entry.index === validator.index);
              const word = livenessWord(live);
              return (
                <tr key={validator.index} data-validator={validator.index} data-liveness={word} className="border-b border-zinc-100 dark:border-zinc-900">
                  <td className="py-1 pr-2 font-mono">{validator.index}</td>
                  <td className="py-1 pr-2 font-mono" title={validator.did}>
                    {shortDid(validator.did)}
                  </td>
                  <td className="py-1 pr-2">
                    <span className={word === 'up' ? 'text-emerald-700 dark:text-emerald-400' : word === 'down' ? 'text-red-700 dark:text-red-400' : ''}>{word}</span>
                    {typeof live?.error === 'string' ? <span className="sr-only">: {live.error}</span> : null}
                  </td>
                  <td className="py-1 pr-2 font-mono">{live?.height ?? '—'}</td>
                  <td className="py-1">{signers.has(validator.index) ? 'yes' : 'no'}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </section>

      <section aria-labelledby="blocks-heading" className="space-y-2">
        <h2 id="blocks-heading" className="text-lg font-semibold">
          Recent blocks
        </h2>
        {blocksError === null ? null : <ErrorNote error={blocksError} />}
        <table data-testid="blocks" className="w-full text-left text-sm">
          <thead>
            <tr className="border-b border-zinc-200 dark:border-zinc-800">
              <th scope="col" className="py-1 pr-2">
                Height
              </th>
              <th scope="col" className="py-1 pr-2">
                Hash
              </th>
              <th scope="col" className="py-1 pr-2">
                Proofs
              </th>
              <th scope="col" className="py-1 pr-2">
                Tree size
              </th>
              <th scope="col" className="py-1">
                Committed
              </th>
            </tr>
          </thead>
          <tbody>
            {blocks.map((block) => (
              <tr key={block.height} data-height={block.height} className="border-b border-zinc-100 dark:border-zinc-900">
                <td className="py-1 pr-2 font-mono">{block.height}</td>
                <td className="py-1 pr-2">
                  <Hash value={block.hash ?? block.block_hash} />
                </td>
                <td className="py-1 pr-2 font-mono">{block.leaf_count ?? block.leaves ?? '—'}</td>
                <td className="py-1 pr-2 font-mono">{block.tree_size ?? block.log_size ?? '—'}</td>
                <td className="py-1">{typeof block.committed_at === 'string' ? new Date(block.committed_at).toLocaleTimeString() : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {cursor === null ? null : (
          <Button variant="secondary" disabled={loadingMore} onClick={() => void loadMore()}>
            {loadingMore ? 'Loading…' : 'Load older blocks'}
          </Button>
        )}
      </section>
    </div>
  );
}

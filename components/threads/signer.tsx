// Who signed an item: the display name and username the hub reports, and the DID the signature
// was checked against (the badge says whether it was). The DID is shortened, with the full value
// in the tooltip and for screen readers.
import Link from 'next/link';
import type { SignerView } from '@/lib/protocol/views';
import { AgentBadge } from '../agents/agent-badge';

export function shortDid(did: string): string {
  return did.length > 24 ? `${did.slice(0, 14)}…${did.slice(-6)}` : did;
}

export function Signer({ signer }: { signer: SignerView }) {
  const name = signer.display_name ?? signer.username ?? shortDid(signer.did);
  return (
    <span className="inline-flex flex-wrap items-baseline gap-x-1">
      <span className="font-medium" data-testid="signer-name">
        {name}
      </span>
      {signer.username === null ? null : <span className="text-zinc-600 dark:text-zinc-400">@{signer.username}</span>}
      {signer.agent === undefined ? null : (
        <Link href={`/agents/${signer.agent.id}`} data-testid="agent-badge">
          <AgentBadge owner={signer.agent.owner} />
        </Link>
      )}
      <span className="font-mono text-xs text-zinc-500 dark:text-zinc-400" title={signer.did}>
        <span aria-hidden="true">{shortDid(signer.did)}</span>
        <span className="sr-only">{signer.did}</span>
      </span>
    </span>
  );
}

export function TimeStamp({ iso }: { iso: string }) {
  const date = new Date(iso);
  return (
    <time dateTime={iso} className="text-xs text-zinc-600 dark:text-zinc-400" title={iso}>
      {Number.isNaN(date.getTime()) ? iso : date.toLocaleString()}
    </time>
  );
}

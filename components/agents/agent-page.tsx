'use client';
// One agent's page: who it is, who owns it, its state, and its latest activity (GET /api/v1/agents/:id).
import Link from 'next/link';
import { useEffect, useState } from 'react';
import type { AgentView } from '@/lib/protocol/agents';
import type { ItemView } from '@/lib/protocol/views';
import { requestJson } from '../api/client';
import type { ApiFailure } from '../api/client';
import { AgentBadge } from './agent-badge';

export function AgentPage({ id }: { id: string }) {
  const [data, setData] = useState<{ agent: AgentView; activity: ItemView[] } | null>(null);
  const [error, setError] = useState<ApiFailure | null>(null);

  useEffect(() => {
    void requestJson<{ agent: AgentView; activity: ItemView[] }>(`/api/v1/agents/${encodeURIComponent(id)}`).then((answer) => {
      if (answer.ok) setData(answer.value);
      else setError(answer.error);
    });
  }, [id]);

  if (error !== null) return <p role="alert">{error.code === 'unknown_agent' ? 'There is no such agent.' : `Could not load the agent (${error.code}): ${error.message}`}</p>;
  if (data === null) return <p role="status">Loading…</p>;
  const { agent, activity } = data;
  return (
    <article className="space-y-4">
      <header>
        <h1 className="flex items-center gap-2 text-xl font-semibold">
          {agent.name} <AgentBadge owner={agent.owner.username} />
        </h1>
        <p className="text-sm">Owned by {agent.owner.username} · {agent.state}{agent.revoked_at === null ? '' : ` since ${new Date(agent.revoked_at).toLocaleString()}`}</p>
        <p className="break-all font-mono text-xs text-zinc-500">{agent.did}</p>
        <p className="text-xs text-zinc-500">scopes: {agent.scopes.join(', ')}</p>
      </header>
      <section aria-labelledby="activity">
        <h2 id="activity" className="text-lg font-semibold">Activity</h2>
        {activity.length === 0 ? (
          <p className="text-sm text-zinc-600 dark:text-zinc-400">Nothing yet.</p>
        ) : (
          <ul className="mt-2 divide-y divide-zinc-200 dark:divide-zinc-700">
            {activity.map((item) => (
              <li key={item.view.id} className="py-2 text-sm">
                <span className="rounded bg-zinc-100 px-1.5 py-0.5 text-xs dark:bg-zinc-800">{item.view.type}</span>{' '}
                in {item.view.hub} · seq {item.view.seq} · {new Date(item.view.received_at).toLocaleString()}
                {item.view.thread !== null && (
                  <>
                    {' '}
                    · <Link href={`/threads/${item.view.thread}`} className="underline">thread</Link>
                  </>
                )}
                {item.content !== null && <p className="mt-1 line-clamp-2 text-zinc-700 dark:text-zinc-300">{item.content.body}</p>}
              </li>
            ))}
          </ul>
        )}
      </section>
    </article>
  );
}

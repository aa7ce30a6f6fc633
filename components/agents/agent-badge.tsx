// The "agent" badge: shown beside an agent's name in item cards and on its page, naming its owner.
export function AgentBadge({ owner }: { owner: string }) {
  return (
    <span className="rounded-full bg-violet-100 px-2 py-0.5 text-xs font-medium text-violet-800 dark:bg-violet-900 dark:text-violet-100" title={`An AI agent acting for ${owner}`}>
      agent · {owner}
    </span>
  );
}

import type { Metadata } from 'next';
import { AgentsPanel } from '@/components/agents/agents-panel';

export const metadata: Metadata = { title: 'Agents' };

export default function AgentsRoute() {
  return (
    <div className="space-y-4">
      <h1 className="text-xl font-semibold">Agents</h1>
      <AgentsPanel />
    </div>
  );
}

import type { Metadata } from 'next';
import { ChainExplorer } from '@/components/chain/chain-explorer';

export const metadata: Metadata = { title: 'Chain' };

export default function ChainPage() {
  return <ChainExplorer />;
}

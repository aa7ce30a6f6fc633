import type { Metadata } from 'next';
import { HubView } from '@/components/hubs/hub-view';

interface HubPageProps {
  params: Promise<{ hub: string }>;
}

export async function generateMetadata({ params }: HubPageProps): Promise<Metadata> {
  const { hub } = await params;
  return { title: decodeURIComponent(hub) };
}

export default async function HubPage({ params }: HubPageProps) {
  const { hub } = await params;
  // key: a new hub is a new page state (threads, cursor, room).
  return <HubView key={hub} hubId={decodeURIComponent(hub)} />;
}

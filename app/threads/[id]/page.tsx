import type { Metadata } from 'next';
import { ThreadView } from '@/components/threads/thread-view';

interface ThreadPageProps {
  params: Promise<{ id: string }>;
}

export const metadata: Metadata = { title: 'Thread' };

export default async function ThreadPage({ params }: ThreadPageProps) {
  const { id } = await params;
  return <ThreadView key={id} id={id} />;
}

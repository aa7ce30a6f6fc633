import type { Metadata } from 'next';
import { ModerationLog } from '@/components/moderation/moderation-log';

export const metadata: Metadata = { title: 'Moderation log' };

/** /moderation, or /moderation?hub=ID for one hub. */
export default async function ModerationPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const hub = (await searchParams).hub;
  return <ModerationLog {...(typeof hub === 'string' && hub !== '' ? { hub } : {})} />;
}

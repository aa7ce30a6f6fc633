import type { Metadata } from 'next';
import { KeySettings } from '@/components/account/key-settings';

export const metadata: Metadata = { title: 'Settings' };

export default function SettingsPage() {
  return <KeySettings />;
}

import type { Metadata } from 'next';
import { AdminUsers } from '@/components/moderation/admin-users';

export const metadata: Metadata = { title: 'Admin' };

export default function AdminPage() {
  return <AdminUsers />;
}

import { HubList } from '@/components/hubs/hub-list';

export default function HomePage() {
  return <HubList />;
}

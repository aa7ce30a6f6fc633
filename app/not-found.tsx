import Link from 'next/link';

export default function NotFound() {
  return (
    <div className="space-y-2">
      <h1 className="text-2xl font-semibold">Not found</h1>
      <p>
        There is nothing here. <Link href="/" className="underline">All hubs</Link>
      </p>
    </div>
  );
}

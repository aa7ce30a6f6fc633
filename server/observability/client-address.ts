// The client's address for per-address rate limits and request logs. Behind a proxy every
// request comes from the proxy's address, so X-Forwarded-For must be read, but only when the
// connection comes from a proxy we trust: anyone else can write any X-Forwarded-For. TRUST_PROXY
// lists the trusted proxies' addresses (comma-separated; `npm run cluster` sets its own proxy's).
// The header is read right to left (each proxy appends the address it saw), skipping trusted
// hops: the first untrusted address is the client (the leftmost entries are the client's claims).
import type { IncomingMessage } from 'node:http';

/** Strips the IPv4-mapped IPv6 prefix (::ffff:1.2.3.4 → 1.2.3.4) so lists match either form. */
function normalize(address: string): string {
  const trimmed = address.trim();
  return trimmed.startsWith('::ffff:') && trimmed.includes('.') ? trimmed.slice(7) : trimmed;
}

export function parseTrustedProxies(value: string | undefined): Set<string> {
  return new Set((value ?? '').split(',').map(normalize).filter((entry) => entry !== ''));
}

let cached: { source: string | undefined; set: Set<string> } | null = null;

function trustedFromEnv(): Set<string> {
  const source = process.env.TRUST_PROXY;
  if (cached === null || cached.source !== source) cached = { source, set: parseTrustedProxies(source) };
  return cached.set;
}

export function clientAddress(req: Pick<IncomingMessage, 'headers'> & { socket: { remoteAddress?: string | undefined } }, trusted: Set<string> = trustedFromEnv()): string {
  const peer = normalize(req.socket.remoteAddress ?? '');
  if (peer === '') return 'unknown';
  if (!trusted.has(peer)) return peer;
  const header = req.headers['x-forwarded-for'];
  const hops = (Array.isArray(header) ? header.join(',') : (header ?? '')).split(',').map(normalize).filter((hop) => hop !== '');
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i] as string;
    if (!trusted.has(hop)) return hop;
  }
  return hops[0] ?? peer;
}

// HTTP GETs to a peer's RPC (catch-up and sync), bounded in time and in bytes: a slow or hostile
// peer can make us wait at most timeoutMs and buffer at most maxBytes.
import type { GenesisValidator } from './genesis';

export class PeerRequestError extends Error {}

export function peerBaseUrl(validator: Pick<GenesisValidator, 'host' | 'port'>): string {
  const host = validator.host.includes(':') && !validator.host.startsWith('[') ? `[${validator.host}]` : validator.host;
  return `http://${host}:${validator.port}`;
}

export async function fetchPeerJson(url: string, options: { timeoutMs: number; maxBytes: number }): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(options.timeoutMs), headers: { accept: 'application/json' } });
  } catch (error) {
    throw new PeerRequestError(`GET ${url}: ${(error as Error).message}`);
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new PeerRequestError(`GET ${url}: HTTP ${response.status}`);
  }
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > options.maxBytes) {
    await response.body?.cancel();
    throw new PeerRequestError(`GET ${url}: answer of ${declared} bytes exceeds ${options.maxBytes}`);
  }
  const reader = response.body?.getReader();
  if (!reader) throw new PeerRequestError(`GET ${url}: empty answer`);
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > options.maxBytes) {
        await reader.cancel();
        throw new PeerRequestError(`GET ${url}: answer exceeds ${options.maxBytes} bytes`);
      }
      chunks.push(value);
    }
  } catch (error) {
    if (error instanceof PeerRequestError) throw error;
    throw new PeerRequestError(`GET ${url}: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw new PeerRequestError(`GET ${url}: answer is not JSON`);
  }
}

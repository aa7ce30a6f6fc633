// Finding free loopback ports for a devnet started by a test, a benchmark or the e2e hub (each
// validator listens on base + i). A check, not a reservation: another process may still take a
// port after it, so the ranges tried lie below Linux's ephemeral range (32768-60999), where no
// outgoing connection or listen(0) is ever handed a port behind our back.
import { createServer } from 'node:net';

/** The range a base port is drawn from: [FIRST, LAST). */
const FIRST = 20_000;
const LAST = 32_000;

/** True when every port in base … base+count-1 can be bound on 127.0.0.1 right now. */
export async function portsFree(base: number, count: number): Promise<boolean> {
  for (let port = base; port < base + count; port++) {
    const free = await new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (!free) return false;
  }
  return true;
}

/**
 * A base port with `count` free ports after it, drawn at random from 20000-31999 so that test
 * files running side by side rarely draw the same range (and re-draw when they do).
 */
export async function freeBasePort(count: number, random: () => number = Math.random): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const base = FIRST + Math.floor(random() * (LAST - FIRST - count));
    if (await portsFree(base, count)) return base;
  }
  throw new Error(`no ${count} consecutive free ports found in ${FIRST}-${LAST - 1}`);
}

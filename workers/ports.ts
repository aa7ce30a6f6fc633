// Finding free loopback ports for a devnet started by a test or a benchmark (each validator
// listens on base + i). A check, not a reservation: another process may still take a port after.
import { createServer } from 'node:net';

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

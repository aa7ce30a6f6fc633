// Starting a node:http server as a promise: resolves with the bound port (the real one when
// asked for port 0), rejects with the bind error (EADDRINUSE …) instead of leaving an 'error' event.
import type { Server } from 'node:http';

export function listenOn(server: Server, port: number, host: string): Promise<{ port: number }> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address();
      resolve({ port: typeof address === 'object' && address !== null ? address.port : port });
    });
  });
}

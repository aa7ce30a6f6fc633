// Redis for several web instances (REDIS_URL): the Socket.IO adapter (a proof stored on one
// instance reaches sockets on all of them) and shared rate-limit budgets. Alone, the hub needs
// neither and runs without Redis.
import { createClient } from 'redis';

export type RedisClient = ReturnType<typeof createClient>;

export interface RedisConnection {
  /** Key prefix for everything proofhub keeps in this Redis (rate limits, adapter channels). */
  prefix: string;
  /** Commands and publishing (rate limits, adapter pub). */
  client: RedisClient;
  /** A second connection in subscriber mode (adapter sub). */
  subscriber: RedisClient;
  close(): Promise<void>;
}

export async function connectRedis(url: string, prefix = 'proofhub'): Promise<RedisConnection> {
  const client = createClient({ url });
  const subscriber = client.duplicate();
  // Without listeners an 'error' event (a dropped connection) would crash the process; the
  // client reconnects on its own.
  client.on('error', () => undefined);
  subscriber.on('error', () => undefined);
  await Promise.all([client.connect(), subscriber.connect()]);
  return {
    prefix,
    client,
    subscriber,
    close: async () => {
      await Promise.allSettled([client.quit(), subscriber.quit()]);
    },
  };
}

// Subscribes share their database reads (issue 7: 10,000 sockets subscribing to one hub cost three
// queries each, and connecting them took minutes). A shared read is never older than a read the
// caller would have made itself: callers join a read only while it has NOT started yet, and it
// starts on a later turn of the event loop, after every caller that joined it made its call. So
// whatever a subscribe needs to have happened before its read (its room join, for catch-up's
// "join first, then read": server/realtime/catch-up.ts) has happened before the shared read, and
// authorization is read as fresh as before: no value is kept once its read has answered.

/**
 * Wraps `read(key)` so that calls with the same key made before the read starts share one read.
 * The read starts on the next event-loop turn (setImmediate: the subscribe packets that arrived in
 * the same I/O batch all join it); a call made after it started waits for the next one.
 */
export function coalesceReads<K, T>(read: (key: K) => Promise<T>, keyOf: (key: K) => string = String): (key: K) => Promise<T> {
  const waiting = new Map<string, Promise<T>>();
  return (key) => {
    const id = keyOf(key);
    const pending = waiting.get(id);
    if (pending !== undefined) return pending;
    const shared = new Promise<T>((resolve, reject) => {
      setImmediate(() => {
        // From here on, new callers start a read of their own.
        waiting.delete(id);
        read(key).then(resolve, reject);
      });
    });
    waiting.set(id, shared);
    return shared;
  };
}

// The receivers' Socket.IO client in bench:load: the real wire protocol (Engine.IO v4 over the
// websocket transport, Socket.IO v5 packets), written out for what a receiver does and nothing
// more, so that 10,000+ held sockets and their deliveries fit beside the servers on a small
// machine. The hub and the baseline are received by this same code, so the comparison stays fair.
//
// Why not socket.io-client: it decodes every packet (a full JSON.parse of each ~1.3 kB event),
// runs its emitter, manager and reconnection machinery per socket, and in the session-4 quick runs
// the two receiver processes holding 2,000 sockets were the limit (the bare baseline "saturated"
// at 3,836 deliveries/s). Here a delivery costs ws's frame parse plus one Buffer.indexOf on the
// raw bytes: the due-time stamp is read straight out of the frame, no string or object is built.
//
// Protocol used (https://socket.io/docs/v4/engine-io-protocol/, .../socket-io-protocol/):
//   GET {path}/?EIO=4&transport=websocket, upgraded to a WebSocket (no polling first);
//   server → "0{sid,pingInterval,pingTimeout,maxPayload}" (Engine.IO open);
//   client → "40" (Socket.IO CONNECT to namespace "/"), server → "40{sid…}" or "44{message}";
//   server → "2" (ping) every pingInterval, client → "3" (pong) or the server drops the socket;
//   client → "42<id>[event,payload]" (EVENT with an ack id), server → "43<id>[answer]" (ACK);
//   server → "42[event,payload(,offset)]" (EVENT; the offset is connection-state recovery's).
import WebSocket from 'ws';

export interface LightSocketOptions {
  /** Socket.IO's server path, e.g. /api/socket. */
  path: string;
  /** A Socket.IO event to emit with an ack once connected (the hub's `subscribe`); the ack must be {ok:true…}. */
  subscribe?: { event: string; payload: unknown };
  /** Called for each EVENT frame whose raw bytes contain `marker`, with the number that follows it. */
  marker: string;
  onStamp(stamp: number, frame: Buffer): void;
  timeoutMs?: number;
}

export interface LightSocket {
  readonly connected: boolean;
  close(): void;
}

const EVENT_PREFIX = 0x34_32; // "42" read big-endian from the first two bytes

/** Reads the decimal digits at `offset` of `frame` (a due time in ms); NaN when there are none. */
function digitsAt(frame: Buffer, offset: number): number {
  let value = 0;
  let i = offset;
  for (; i < frame.length; i++) {
    const c = frame[i] ?? 0;
    if (c < 0x30 || c > 0x39) break;
    value = value * 10 + (c - 0x30);
  }
  return i === offset ? Number.NaN : value;
}

/**
 * Opens one Socket.IO connection over a raw WebSocket; resolves once the namespace is joined (and
 * the `subscribe` ack, when asked, came back ok). Rejects on a refused connect or ack, a close, or
 * the timeout.
 */
export function connectLightSocket(baseUrl: string, options: LightSocketOptions): Promise<LightSocket> {
  const url = `${baseUrl.replace(/^http/, 'ws')}${options.path.endsWith('/') ? options.path : `${options.path}/`}?EIO=4&transport=websocket`;
  const marker = Buffer.from(options.marker);
  const ws = new WebSocket(url, { perMessageDeflate: false });
  let connected = false;
  const socket: LightSocket = {
    get connected() {
      return connected && ws.readyState === WebSocket.OPEN;
    },
    close: () => ws.close(),
  };
  return new Promise<LightSocket>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error('connect timed out')), options.timeoutMs ?? 60_000);
    let settled = false;
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      ws.terminate();
      reject(error);
    };
    const ready = () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      connected = true;
      resolve(socket);
    };
    ws.on('error', (error) => fail(error));
    ws.on('close', () => {
      connected = false;
      fail(new Error('closed'));
    });
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (isBinary || data.length === 0) return;
      // The hot path: an EVENT from the server. Only the stamp is read, from the raw bytes.
      if (data.length > 2 && data.readUInt16BE(0) === EVENT_PREFIX) {
        const at = data.indexOf(marker, 2);
        if (at >= 0) options.onStamp(digitsAt(data, at + marker.length), data);
        return;
      }
      const head = data.toString('latin1', 0, Math.min(data.length, 3));
      if (head === '2') {
        ws.send('3');
      } else if (head.startsWith('0')) {
        ws.send('40'); // Engine.IO open → Socket.IO CONNECT to "/"
      } else if (head.startsWith('40')) {
        if (options.subscribe === undefined) ready();
        else ws.send(`421${JSON.stringify([options.subscribe.event, options.subscribe.payload])}`);
      } else if (head.startsWith('44')) {
        fail(new Error(`connect refused: ${data.toString('utf8', 2)}`));
      } else if (head.startsWith('431')) {
        // The ack of our one emit (id 1): [{ok:true,…}] or [{ok:false,error}].
        const [answer] = JSON.parse(data.toString('utf8', 3)) as [{ ok?: boolean }];
        if (answer.ok === true) ready();
        else fail(new Error(`subscribe refused: ${data.toString('utf8', 3)}`));
      } else if (head.startsWith('1')) {
        ws.terminate(); // Engine.IO CLOSE
      }
    });
  });
}

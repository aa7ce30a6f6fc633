// Authenticated links between validators over WebSocket (frames in envelope.ts).
//
// Each validator dials every other validator and sends on that outbound link only; it receives
// on the links the others dialed to it. What reaches `onMessage` has passed: a handshake proving
// the sender holds the key genesis names for its index (Ed25519, which also signs the X25519 keys
// the connection's MAC key comes from: link-keys.ts), the HMAC of the frame that carried it, and
// the replay check (sequence numbers strictly rising within the connection).
// Messages queued for one peer are not framed one by one: a flush scheduled as a microtask on the
// first `send` packs everything sent by the end of the current synchronous run (e.g. the effects
// of one consensus step: a proposal broadcast and the leader's own vote, a timeout and a
// new-view) into one MACed frame, up to the frame cap, without waiting a turn of the event loop
// (a setImmediate flush would queue behind signature-check slices: latency on every hop). The
// receiver delivers a frame's messages in order, or none of them. Everything else is
// dropped and counted, never delivered. Memory is bounded everywhere: frame size (ws maxPayload),
// outbound queue per peer (the oldest message is dropped when full: consensus messages go stale
// and the protocol recovers lost ones through timeouts), handshakes pending at once.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import WebSocket, { WebSocketServer } from 'ws';
import type { RawData } from 'ws';
import { bytesEqual, hexToBytes } from '@/lib/bytes';
import type { SignatureVerifier } from '@/lib/crypto/types';
import type { Genesis } from '../genesis';
import type { ValidatorKey } from '../keys';
import type { Logger } from '../logger';
import {
  BATCH_ENTRY_OVERHEAD,
  decodeBatch,
  decodeFrame,
  encodeBatch,
  encodeChallenge,
  encodeHello,
  encodeMessage,
  encodeMessageBody,
  encodeWelcome,
  FRAME_HELLO,
  FRAME_MESSAGE,
  FRAME_WELCOME,
  FRAME_CHALLENGE,
  helloSigningBytes,
  LINK_VERSION,
  type LinkContext,
  MAC_LENGTH,
  MESSAGE_HEADER_LENGTH,
  NONCE_LENGTH,
  welcomeSigningBytes,
} from './envelope';
import { checkFrameMac, deriveLinkKey, generateLinkEphemeral, type LinkEphemeral, macFrame } from './link-keys';

export const PEER_PATH = '/p2p';

export type DropReason =
  | 'malformed'
  | 'oversized'
  | 'unknown_sender'
  | 'bad_signature'
  | 'bad_mac'
  | 'replay'
  | 'wrong_receiver'
  | 'handshake_failed'
  | 'queue_full'
  | 'too_many_pending';

export interface PeerLinksOptions {
  readonly genesis: Genesis;
  readonly selfIndex: number;
  readonly key: ValidatorKey;
  readonly verifier: SignatureVerifier;
  /** Called with every authenticated payload, in the order each peer sent them. */
  readonly onMessage: (from: number, payload: Uint8Array) => void;
  readonly log: Logger;
  /** Largest frame accepted or sent, bytes (default 8 MiB). */
  readonly maxFrameBytes?: number;
  /** Outbound messages kept per peer while its link is down or slow (default 4,096). */
  readonly maxQueue?: number;
  readonly handshakeTimeoutMs?: number;
  readonly minBackoffMs?: number;
  readonly maxBackoffMs?: number;
  /** Ping period; a link silent for two periods is cut (catches a stopped peer). */
  readonly heartbeatMs?: number;
  /** Called for every dropped frame or message (metrics). */
  readonly onDrop?: (reason: DropReason) => void;
  /** Called for every MESSAGE frame sent, with the number of messages it carries (metrics). */
  readonly onFrameSent?: (messages: number) => void;
}

export interface PeerLinkStatus {
  readonly index: number;
  /** Our link to the peer is authenticated and open. */
  readonly outbound: boolean;
  /** The peer's link to us is authenticated and open. */
  readonly inbound: boolean;
  readonly queued: number;
}

const DEFAULT_MAX_FRAME = 8 * 1024 * 1024;
const MAX_PENDING_HANDSHAKES = 32;
/** Stop writing into a socket whose kernel buffer already holds this much. */
const SOCKET_HIGH_WATER = 4 * 1024 * 1024;

function toBytes(data: RawData): Uint8Array | null {
  if (Buffer.isBuffer(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return null; // fragmented Buffer[] only with a non-default binaryType
}

class OutboundLink {
  socket: WebSocket | null = null;
  open = false;
  queue: Uint8Array[] = [];
  seq = 0n;
  serverNonce: Uint8Array | null = null;
  clientNonce: Uint8Array | null = null;
  ephemeral: LinkEphemeral | null = null;
  /** The connection's MAC key, set once the WELCOME checked. */
  macKey: Uint8Array | null = null;
  backoffMs: number;
  reconnectTimer: NodeJS.Timeout | null = null;
  drainTimer: NodeJS.Timeout | null = null;
  flushScheduled = false;
  heartbeatTimer: NodeJS.Timeout | null = null;
  alive = true;

  constructor(readonly index: number, minBackoffMs: number) {
    this.backoffMs = minBackoffMs;
  }
}

interface InboundLink {
  readonly socket: WebSocket;
  readonly serverNonce: Uint8Array;
  peer: number | null;
  clientNonce: Uint8Array | null;
  /** The connection's MAC key, set once the HELLO checked. */
  macKey: Uint8Array | null;
  lastSeq: bigint;
}

export class PeerLinks {
  readonly #options: Required<Omit<PeerLinksOptions, 'onMessage' | 'log' | 'genesis' | 'key' | 'verifier' | 'selfIndex' | 'onDrop' | 'onFrameSent'>>;
  readonly #onDrop: (reason: DropReason) => void;
  readonly #onFrameSent: (messages: number) => void;
  readonly #genesis: Genesis;
  readonly #self: number;
  readonly #key: ValidatorKey;
  readonly #verifier: SignatureVerifier;
  readonly #onMessage: (from: number, payload: Uint8Array) => void;
  readonly #log: Logger;
  readonly #context: LinkContext;
  readonly #outbound = new Map<number, OutboundLink>();
  readonly #inbound = new Map<number, InboundLink>();
  readonly #pending = new Set<InboundLink>();
  readonly #server: WebSocketServer;
  readonly #drops = new Map<DropReason, number>();
  #closed = false;

  constructor(options: PeerLinksOptions) {
    this.#genesis = options.genesis;
    this.#self = options.selfIndex;
    this.#key = options.key;
    this.#verifier = options.verifier;
    this.#onMessage = options.onMessage;
    this.#log = options.log;
    this.#onDrop = options.onDrop ?? (() => undefined);
    this.#onFrameSent = options.onFrameSent ?? (() => undefined);
    this.#options = {
      maxFrameBytes: options.maxFrameBytes ?? DEFAULT_MAX_FRAME,
      maxQueue: options.maxQueue ?? 4096,
      handshakeTimeoutMs: options.handshakeTimeoutMs ?? 5000,
      minBackoffMs: options.minBackoffMs ?? 100,
      maxBackoffMs: options.maxBackoffMs ?? 3000,
      heartbeatMs: options.heartbeatMs ?? 2000,
    };
    this.#context = { genesisHash: hexToBytes(options.genesis.hash) };
    this.#server = new WebSocketServer({ noServer: true, maxPayload: this.#options.maxFrameBytes, perMessageDeflate: false });
    for (const validator of this.#genesis.validators) {
      if (validator.index !== this.#self) this.#outbound.set(validator.index, new OutboundLink(validator.index, this.#options.minBackoffMs));
    }
  }

  /** Starts dialing every peer. */
  start(): void {
    for (const link of this.#outbound.values()) this.#connect(link);
  }

  /** Hands an HTTP upgrade request for PEER_PATH to the link layer. */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (this.#closed || this.#pending.size >= MAX_PENDING_HANDSHAKES) {
      this.#count('too_many_pending');
      socket.destroy();
      return;
    }
    this.#server.handleUpgrade(request, socket, head, (ws) => this.#accept(ws));
  }

  /** Queues payload for peer `to`; dropped (and counted) if `to` is not a peer. */
  send(to: number, payload: Uint8Array): void {
    const link = this.#outbound.get(to);
    if (!link || this.#closed) return;
    if (MESSAGE_HEADER_LENGTH + BATCH_ENTRY_OVERHEAD + payload.length + MAC_LENGTH > this.#options.maxFrameBytes) {
      this.#log.error({ to, bytes: payload.length }, 'outbound message exceeds the frame cap; not sent');
      this.#count('oversized');
      return;
    }
    link.queue.push(payload);
    if (link.queue.length > this.#options.maxQueue) {
      link.queue.shift();
      this.#count('queue_full');
    }
    if (!link.flushScheduled) {
      link.flushScheduled = true;
      queueMicrotask(() => {
        link.flushScheduled = false;
        this.#drain(link);
      });
    }
  }

  /** Queues payload for every peer. */
  broadcast(payload: Uint8Array): void {
    for (const index of this.#outbound.keys()) this.send(index, payload);
  }

  status(): PeerLinkStatus[] {
    return [...this.#outbound.values()].map((link) => ({
      index: link.index,
      outbound: link.open,
      inbound: this.#inbound.has(link.index),
      queued: link.queue.length,
    }));
  }

  /** Peers we can both send to and hear from. */
  connectedCount(): number {
    return this.status().filter((peer) => peer.outbound && peer.inbound).length;
  }

  drops(): ReadonlyMap<DropReason, number> {
    return this.#drops;
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const link of this.#outbound.values()) {
      if (link.reconnectTimer) clearTimeout(link.reconnectTimer);
      if (link.drainTimer) clearTimeout(link.drainTimer);
      if (link.heartbeatTimer) clearInterval(link.heartbeatTimer);
      link.socket?.terminate();
    }
    for (const link of [...this.#inbound.values(), ...this.#pending]) link.socket.terminate();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #count(reason: DropReason): void {
    this.#drops.set(reason, (this.#drops.get(reason) ?? 0) + 1);
    this.#onDrop(reason);
  }

  // ---- outbound ----

  #connect(link: OutboundLink): void {
    if (this.#closed) return;
    const peer = this.#genesis.validators[link.index];
    if (!peer) return;
    const host = peer.host.includes(':') && !peer.host.startsWith('[') ? `[${peer.host}]` : peer.host;
    const socket = new WebSocket(`ws://${host}:${peer.port}${PEER_PATH}`, {
      maxPayload: this.#options.maxFrameBytes,
      perMessageDeflate: false,
      handshakeTimeout: this.#options.handshakeTimeoutMs,
      // An all-zero masking key: ws then skips XOR-ing every byte sent, and the peer skips
      // unmasking (~0.6% of a validator's busy time at high rates). Masking (RFC 6455 §5.3) keeps
      // script-chosen bytes from poisoning HTTP intermediaries' caches; these links carry no
      // script-chosen framing and every frame is authenticated end to end (envelope.ts).
      generateMask: (mask: Buffer) => {
        mask.fill(0);
      },
    });
    link.socket = socket;
    link.open = false;
    const handshakeTimer = setTimeout(() => socket.terminate(), this.#options.handshakeTimeoutMs);
    socket.on('message', (data, isBinary) => {
      const bytes = isBinary ? toBytes(data) : null;
      const frame = bytes ? decodeFrame(bytes) : null;
      if (!frame) {
        socket.terminate();
        return;
      }
      if (frame.kind === FRAME_CHALLENGE && link.serverNonce === null && socket === link.socket) {
        if (frame.version !== LINK_VERSION) {
          socket.terminate();
          return;
        }
        link.serverNonce = frame.nonce;
        link.clientNonce = new Uint8Array(randomBytes(NONCE_LENGTH));
        link.ephemeral = generateLinkEphemeral();
        const signature = this.#key.sign(helloSigningBytes(this.#context, this.#self, link.index, link.serverNonce, link.clientNonce, link.ephemeral.publicKey));
        socket.send(encodeHello(this.#self, link.index, link.serverNonce, link.clientNonce, link.ephemeral.publicKey, signature));
        return;
      }
      if (frame.kind === FRAME_WELCOME && link.serverNonce && link.clientNonce && link.ephemeral && !link.open) {
        const signed = welcomeSigningBytes(this.#context, link.index, this.#self, link.clientNonce, link.serverNonce, link.ephemeral.publicKey, frame.ephemeral);
        const macKey =
          frame.from === link.index && frame.to === this.#self && this.#verifier.verify(frame.signature, signed, peer.publicKey)
            ? deriveLinkKey(link.ephemeral.privateKey, frame.ephemeral, {
                genesisHash: this.#context.genesisHash,
                from: this.#self,
                to: link.index,
                serverNonce: link.serverNonce,
                clientNonce: link.clientNonce,
                clientEphemeral: link.ephemeral.publicKey,
                serverEphemeral: frame.ephemeral,
              })
            : null;
        if (macKey === null) {
          this.#log.warn({ peer: link.index }, 'peer failed to prove its key; disconnecting');
          this.#count('handshake_failed');
          socket.terminate();
          return;
        }
        clearTimeout(handshakeTimer);
        link.macKey = macKey;
        link.ephemeral = null;
        link.open = true;
        link.seq = 0n;
        link.backoffMs = this.#options.minBackoffMs;
        link.alive = true;
        link.heartbeatTimer = setInterval(() => {
          if (!link.alive) {
            socket.terminate();
            return;
          }
          link.alive = false;
          socket.ping();
        }, this.#options.heartbeatMs);
        this.#log.info({ peer: link.index }, 'link to peer open');
        this.#drain(link);
        return;
      }
      // The receiving side never sends anything else on this link.
      socket.terminate();
    });
    socket.on('pong', () => {
      link.alive = true;
    });
    socket.on('error', () => {
      // 'close' follows; the reconnect is scheduled there.
    });
    socket.on('close', () => {
      clearTimeout(handshakeTimer);
      if (link.heartbeatTimer) clearInterval(link.heartbeatTimer);
      link.heartbeatTimer = null;
      if (link.socket !== socket) return;
      if (link.open) this.#log.info({ peer: link.index }, 'link to peer closed');
      link.socket = null;
      link.open = false;
      link.serverNonce = null;
      link.clientNonce = null;
      link.ephemeral = null;
      link.macKey = null;
      this.#scheduleReconnect(link);
    });
  }

  #scheduleReconnect(link: OutboundLink): void {
    if (this.#closed || link.reconnectTimer) return;
    // Full jitter (AWS architecture blog, "Exponential Backoff And Jitter") so restarted peers
    // do not dial in lockstep.
    const delay = Math.floor(link.backoffMs / 2 + Math.random() * (link.backoffMs / 2));
    link.backoffMs = Math.min(link.backoffMs * 2, this.#options.maxBackoffMs);
    link.reconnectTimer = setTimeout(() => {
      link.reconnectTimer = null;
      this.#connect(link);
    }, delay);
  }

  #drain(link: OutboundLink): void {
    const socket = link.socket;
    if (!link.open || !socket || socket.readyState !== WebSocket.OPEN || link.drainTimer) return;
    const macKey = link.macKey;
    if (!macKey) return;
    while (link.queue.length > 0) {
      if (socket.bufferedAmount > SOCKET_HIGH_WATER) {
        link.drainTimer = setTimeout(() => {
          link.drainTimer = null;
          this.#drain(link);
        }, 5);
        return;
      }
      // As many queued messages as fit under the frame cap (send() refuses any that alone would not).
      let bytes = MESSAGE_HEADER_LENGTH + MAC_LENGTH;
      let count = 0;
      for (const message of link.queue) {
        if (count > 0 && bytes + BATCH_ENTRY_OVERHEAD + message.length > this.#options.maxFrameBytes) break;
        bytes += BATCH_ENTRY_OVERHEAD + message.length;
        count += 1;
      }
      const batch = encodeBatch(link.queue.splice(0, count));
      link.seq += 1n;
      const body = encodeMessageBody(this.#self, link.index, link.seq, batch);
      socket.send(encodeMessage(body, macFrame(macKey, body)));
      this.#onFrameSent(count);
    }
  }

  // ---- inbound ----

  #accept(socket: WebSocket): void {
    const link: InboundLink = { socket, serverNonce: new Uint8Array(randomBytes(NONCE_LENGTH)), peer: null, clientNonce: null, macKey: null, lastSeq: 0n };
    this.#pending.add(link);
    const handshakeTimer = setTimeout(() => {
      if (link.peer === null) {
        this.#count('handshake_failed');
        socket.terminate();
      }
    }, this.#options.handshakeTimeoutMs);
    socket.on('message', (data, isBinary) => {
      const bytes = isBinary ? toBytes(data) : null;
      const frame = bytes ? decodeFrame(bytes) : null;
      if (!frame) {
        this.#count('malformed');
        // Before the handshake nothing else may arrive: cut the connection.
        if (link.peer === null) socket.terminate();
        return;
      }
      if (link.peer === null) {
        clearTimeout(handshakeTimer);
        this.#completeHandshake(link, frame);
        return;
      }
      if (frame.kind !== FRAME_MESSAGE) {
        this.#count('malformed');
        return;
      }
      if (frame.from !== link.peer) {
        this.#count('unknown_sender');
        return;
      }
      if (frame.to !== this.#self) {
        this.#count('wrong_receiver');
        return;
      }
      if (frame.seq <= link.lastSeq) {
        this.#count('replay');
        return;
      }
      if (link.macKey === null || !checkFrameMac(link.macKey, frame.body, frame.mac)) {
        this.#count('bad_mac');
        return;
      }
      link.lastSeq = frame.seq;
      // Signed by the peer but not a whole batch: a broken sender; nothing of it is delivered.
      const messages = decodeBatch(frame.batch);
      if (!messages) {
        this.#count('malformed');
        return;
      }
      for (const payload of messages) {
        try {
          this.#onMessage(link.peer, payload);
        } catch (error) {
          this.#log.error({ err: error, peer: link.peer }, 'message handler failed');
        }
      }
    });
    socket.on('error', (error) => {
      // ws raises a RangeError for frames above maxPayload and closes with 1009.
      if (error instanceof RangeError) this.#count('oversized');
    });
    socket.on('close', () => {
      clearTimeout(handshakeTimer);
      this.#pending.delete(link);
      if (link.peer !== null && this.#inbound.get(link.peer) === link) this.#inbound.delete(link.peer);
    });
    socket.send(encodeChallenge(this.#self, link.serverNonce));
  }

  #completeHandshake(link: InboundLink, frame: NonNullable<ReturnType<typeof decodeFrame>>): void {
    const socket = link.socket;
    if (frame.kind !== FRAME_HELLO) {
      this.#count('handshake_failed');
      socket.terminate();
      return;
    }
    const sender = this.#genesis.validators[frame.from];
    if (!sender || frame.from === this.#self) {
      this.#count('unknown_sender');
      socket.terminate();
      return;
    }
    if (frame.to !== this.#self || !bytesEqual(frame.serverNonce, link.serverNonce)) {
      this.#count('handshake_failed');
      socket.terminate();
      return;
    }
    const signed = helloSigningBytes(this.#context, frame.from, frame.to, frame.serverNonce, frame.clientNonce, frame.ephemeral);
    if (!this.#verifier.verify(frame.signature, signed, sender.publicKey)) {
      this.#count('bad_signature');
      socket.terminate();
      return;
    }
    const ephemeral = generateLinkEphemeral();
    const macKey = deriveLinkKey(ephemeral.privateKey, frame.ephemeral, {
      genesisHash: this.#context.genesisHash,
      from: frame.from,
      to: this.#self,
      serverNonce: link.serverNonce,
      clientNonce: frame.clientNonce,
      clientEphemeral: frame.ephemeral,
      serverEphemeral: ephemeral.publicKey,
    });
    if (macKey === null) {
      // Signed by a validator, but not a usable X25519 key (e.g. a small-order point).
      this.#count('handshake_failed');
      socket.terminate();
      return;
    }
    link.peer = frame.from;
    link.clientNonce = frame.clientNonce;
    link.macKey = macKey;
    this.#pending.delete(link);
    // A peer that restarted dials again: the new link replaces the old one.
    const previous = this.#inbound.get(frame.from);
    this.#inbound.set(frame.from, link);
    previous?.socket.terminate();
    const signature = this.#key.sign(welcomeSigningBytes(this.#context, this.#self, frame.from, frame.clientNonce, link.serverNonce, frame.ephemeral, ephemeral.publicKey));
    socket.send(encodeWelcome(this.#self, frame.from, ephemeral.publicKey, signature));
  }
}

// Binary frames of the validator-to-validator links (one WebSocket binary message per frame).
//
// A link is one-way: validator A dials B and only sends; B only receives on it (each pair runs two
// links, one per direction, so nobody has to break a tie over who dials). The handshake binds the
// link to both validators' keys and to fresh nonces from both ends:
//
//   B → A  CHALLENGE  kind=1 ‖ version ‖ B:u16 ‖ nonceB[32]                 (unsigned)
//   A → B  HELLO      kind=2 ‖ A:u16 ‖ B:u16 ‖ nonceB ‖ nonceA[32] ‖ sig_A   over HELLO_DOMAIN
//   B → A  WELCOME    kind=3 ‖ B:u16 ‖ A:u16 ‖ sig_B                          over WELCOME_DOMAIN
//   A → B  MESSAGE    kind=4 ‖ A:u16 ‖ B:u16 ‖ seq:u64 ‖ batch ‖ sig_A       over MESSAGE_DOMAIN
//          batch = (len:u32 ‖ message[len])+   — the messages A sent B in one synchronous run
//
// Every signature covers a domain tag, the genesis hash (chain id and validator set), sender,
// receiver and both nonces, so a signature made for one purpose, chain, peer or connection is
// worthless for any other. Within a connection seq rises by one per message; a frame whose seq is
// not above the last one accepted is a replay and is dropped. A frame copied from an older
// connection fails verification because the nonces differ.
//
// Version 2 (session 4): a MESSAGE frame carries a batch of messages instead of exactly one. The
// signature covers the whole frame, so every message in it is as authenticated as a frame of its
// own was; a batch that does not parse exactly is dropped whole. What it saves is one Ed25519 sign
// (sender) and one verify (receiver) and one socket write per message beyond the first: the
// effects of one consensus step (a proposal and a vote, a timeout and a new-view) leave in one
// frame per peer. The version byte in CHALLENGE and the v2 domain tag keep
// a version-1 peer from ever accepting a version-2 frame (its handshake fails on the version).
import { concatBytes, utf8Encode } from '@/lib/bytes';

export const LINK_VERSION = 2;
export const NONCE_LENGTH = 32;
export const SIGNATURE_LENGTH = 64;

export const FRAME_CHALLENGE = 1;
export const FRAME_HELLO = 2;
export const FRAME_WELCOME = 3;
export const FRAME_MESSAGE = 4;

const HELLO_DOMAIN = utf8Encode('proofhub/link/hello/v1\0');
const WELCOME_DOMAIN = utf8Encode('proofhub/link/welcome/v1\0');
const MESSAGE_DOMAIN = utf8Encode('proofhub/link/message/v2\0');

const CHALLENGE_LENGTH = 1 + 1 + 2 + NONCE_LENGTH;
const HELLO_LENGTH = 1 + 2 + 2 + NONCE_LENGTH + NONCE_LENGTH + SIGNATURE_LENGTH;
const WELCOME_LENGTH = 1 + 2 + 2 + SIGNATURE_LENGTH;
export const MESSAGE_HEADER_LENGTH = 1 + 2 + 2 + 8;
/** Bytes a batch adds per message (its u32 length). */
export const BATCH_ENTRY_OVERHEAD = 4;

export interface ChallengeFrame {
  readonly kind: typeof FRAME_CHALLENGE;
  readonly version: number;
  readonly from: number;
  readonly nonce: Uint8Array;
}
export interface HelloFrame {
  readonly kind: typeof FRAME_HELLO;
  readonly from: number;
  readonly to: number;
  readonly serverNonce: Uint8Array;
  readonly clientNonce: Uint8Array;
  readonly signature: Uint8Array;
}
export interface WelcomeFrame {
  readonly kind: typeof FRAME_WELCOME;
  readonly from: number;
  readonly to: number;
  readonly signature: Uint8Array;
}
export interface MessageFrame {
  readonly kind: typeof FRAME_MESSAGE;
  readonly from: number;
  readonly to: number;
  readonly seq: bigint;
  /** The batch (decodeBatch), under the signature. */
  readonly batch: Uint8Array;
  readonly signature: Uint8Array;
  /** The signed bytes minus the domain and genesis prefix: the frame without its signature. */
  readonly body: Uint8Array;
}
export type Frame = ChallengeFrame | HelloFrame | WelcomeFrame | MessageFrame;

/** The fixed context every signature starts with: domain tag ‖ genesis hash. */
export interface LinkContext {
  readonly genesisHash: Uint8Array;
}

function u16(value: number): Uint8Array {
  const out = new Uint8Array(2);
  new DataView(out.buffer).setUint16(0, value);
  return out;
}

function u64(value: bigint): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, value);
  return out;
}

export function encodeChallenge(from: number, nonce: Uint8Array): Uint8Array {
  return concatBytes(new Uint8Array([FRAME_CHALLENGE, LINK_VERSION]), u16(from), nonce);
}

export function helloSigningBytes(context: LinkContext, from: number, to: number, serverNonce: Uint8Array, clientNonce: Uint8Array): Uint8Array {
  return concatBytes(HELLO_DOMAIN, context.genesisHash, u16(from), u16(to), serverNonce, clientNonce);
}

export function encodeHello(from: number, to: number, serverNonce: Uint8Array, clientNonce: Uint8Array, signature: Uint8Array): Uint8Array {
  return concatBytes(new Uint8Array([FRAME_HELLO]), u16(from), u16(to), serverNonce, clientNonce, signature);
}

/** The server signs both nonces in the opposite order to the hello, so a hello is never a welcome. */
export function welcomeSigningBytes(context: LinkContext, from: number, to: number, clientNonce: Uint8Array, serverNonce: Uint8Array): Uint8Array {
  return concatBytes(WELCOME_DOMAIN, context.genesisHash, u16(from), u16(to), clientNonce, serverNonce);
}

export function encodeWelcome(from: number, to: number, signature: Uint8Array): Uint8Array {
  return concatBytes(new Uint8Array([FRAME_WELCOME]), u16(from), u16(to), signature);
}

/** The session binds every message to one handshake: both nonces, server's first. */
export function messageSigningBytes(context: LinkContext, serverNonce: Uint8Array, clientNonce: Uint8Array, body: Uint8Array): Uint8Array {
  return concatBytes(MESSAGE_DOMAIN, context.genesisHash, serverNonce, clientNonce, body);
}

/** The batch of a MESSAGE frame: each message as len:u32 ‖ bytes, in sending order. */
export function encodeBatch(messages: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const message of messages) length += BATCH_ENTRY_OVERHEAD + message.length;
  const out = new Uint8Array(length);
  const view = new DataView(out.buffer);
  let offset = 0;
  for (const message of messages) {
    view.setUint32(offset, message.length);
    out.set(message, offset + BATCH_ENTRY_OVERHEAD);
    offset += BATCH_ENTRY_OVERHEAD + message.length;
  }
  return out;
}

/**
 * The messages of a batch (views into `batch`), or null unless the bytes are one or more whole
 * entries with nothing left over.
 */
export function decodeBatch(batch: Uint8Array): Uint8Array[] | null {
  const view = new DataView(batch.buffer, batch.byteOffset, batch.byteLength);
  const messages: Uint8Array[] = [];
  let offset = 0;
  while (offset < batch.length) {
    if (batch.length - offset < BATCH_ENTRY_OVERHEAD) return null;
    const length = view.getUint32(offset);
    const start = offset + BATCH_ENTRY_OVERHEAD;
    if (length > batch.length - start) return null;
    messages.push(batch.subarray(start, start + length));
    offset = start + length;
  }
  return messages.length === 0 ? null : messages;
}

/** Frame without signature: kind ‖ from ‖ to ‖ seq ‖ batch (encodeBatch). */
export function encodeMessageBody(from: number, to: number, seq: bigint, batch: Uint8Array): Uint8Array {
  return concatBytes(new Uint8Array([FRAME_MESSAGE]), u16(from), u16(to), u64(seq), batch);
}

export function encodeMessage(body: Uint8Array, signature: Uint8Array): Uint8Array {
  return concatBytes(body, signature);
}

/** Decodes one frame; null when the bytes are not a well-formed frame of a known kind. */
export function decodeFrame(bytes: Uint8Array): Frame | null {
  if (bytes.length < 1) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (bytes[0]) {
    case FRAME_CHALLENGE:
      if (bytes.length !== CHALLENGE_LENGTH) return null;
      return { kind: FRAME_CHALLENGE, version: bytes[1] ?? 0, from: view.getUint16(2), nonce: bytes.slice(4, 4 + NONCE_LENGTH) };
    case FRAME_HELLO:
      if (bytes.length !== HELLO_LENGTH) return null;
      return {
        kind: FRAME_HELLO,
        from: view.getUint16(1),
        to: view.getUint16(3),
        serverNonce: bytes.slice(5, 5 + NONCE_LENGTH),
        clientNonce: bytes.slice(5 + NONCE_LENGTH, 5 + 2 * NONCE_LENGTH),
        signature: bytes.slice(5 + 2 * NONCE_LENGTH),
      };
    case FRAME_WELCOME:
      if (bytes.length !== WELCOME_LENGTH) return null;
      return { kind: FRAME_WELCOME, from: view.getUint16(1), to: view.getUint16(3), signature: bytes.slice(5) };
    case FRAME_MESSAGE: {
      if (bytes.length < MESSAGE_HEADER_LENGTH + SIGNATURE_LENGTH) return null;
      const bodyEnd = bytes.length - SIGNATURE_LENGTH;
      return {
        kind: FRAME_MESSAGE,
        from: view.getUint16(1),
        to: view.getUint16(3),
        seq: view.getBigUint64(5),
        batch: bytes.subarray(MESSAGE_HEADER_LENGTH, bodyEnd),
        signature: bytes.subarray(bodyEnd),
        body: bytes.subarray(0, bodyEnd),
      };
    }
    default:
      return null;
  }
}

// Per-connection MAC keys of the validator links (link version 3).
//
// Both ends of a link draw a fresh X25519 key pair (RFC 7748) for the connection and exchange the
// public halves inside the Ed25519-signed HELLO and WELCOME (envelope.ts): each signature covers
// its signer's ephemeral key, both nonces, both indexes and the genesis hash, so the X25519
// shared secret is known only to the two validators genesis names for those indexes, for this
// one connection. The MAC key is HKDF-SHA256 (RFC 5869) of that secret, salted with the genesis
// hash and bound by its info string to the whole handshake transcript. Every MESSAGE frame then
// carries HMAC-SHA256 (RFC 2104) under that key instead of an Ed25519 signature: ~8 µs of CPU per
// frame instead of ~65 µs to sign and ~190 µs to verify. What travels inside the frames is
// unchanged: votes, timeouts and certificates are still Ed25519-signed by their authors, leaves
// by their issuers, and a proposal carries its justify QC. A proposal's sender (the leader check)
// was and is known from the link alone: the MAC key is known only to this link's two ends, so
// that stays as strong, but, unlike a signature, a MAC convinces only the receiver (nothing
// forwards a peer's frame to a third party as evidence).
import { createHmac, createPublicKey, diffieHellman, generateKeyPairSync, hkdfSync, type KeyObject, timingSafeEqual } from 'node:crypto';
import { concatBytes, utf8Encode } from '@/lib/bytes';

export const EPHEMERAL_KEY_LENGTH = 32;
export const MAC_LENGTH = 32;
export const LINK_KEY_LENGTH = 32;

const KEY_INFO_DOMAIN = utf8Encode('proofhub/link/key/v3\0');
/** DER SubjectPublicKeyInfo prefix of an X25519 key (RFC 8410 §4): the raw 32 bytes follow it. */
const X25519_SPKI_PREFIX = new Uint8Array([0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x03, 0x21, 0x00]);

export interface LinkEphemeral {
  /** The raw X25519 public key (32 bytes), sent in the HELLO or WELCOME. */
  readonly publicKey: Uint8Array;
  readonly privateKey: KeyObject;
}

/** What both ends of one link connection agree on: the signed handshake, in link order. */
export interface LinkTranscript {
  /** The genesis hash (chain id and validator set). */
  readonly genesisHash: Uint8Array;
  /** The dialing validator (A: the only one that sends MESSAGE frames on this link). */
  readonly from: number;
  /** The dialed validator (B). */
  readonly to: number;
  readonly serverNonce: Uint8Array;
  readonly clientNonce: Uint8Array;
  readonly clientEphemeral: Uint8Array;
  readonly serverEphemeral: Uint8Array;
}

export function generateLinkEphemeral(): LinkEphemeral {
  const { publicKey, privateKey } = generateKeyPairSync('x25519');
  const spki = publicKey.export({ format: 'der', type: 'spki' });
  return { publicKey: new Uint8Array(spki.subarray(spki.length - EPHEMERAL_KEY_LENGTH)), privateKey };
}

function u16(value: number): Uint8Array {
  return new Uint8Array([value >> 8, value & 0xff]);
}

/**
 * The link's MAC key, from our ephemeral private key and the peer's ephemeral public key; null
 * when the peer's key is not usable (wrong length, or a small-order point whose shared secret is
 * all zeros: RFC 7748 §6.1 — OpenSSL refuses to derive it, and the check is repeated here).
 */
export function deriveLinkKey(own: KeyObject, peerPublic: Uint8Array, transcript: LinkTranscript): Uint8Array | null {
  if (peerPublic.length !== EPHEMERAL_KEY_LENGTH) return null;
  let secret: Buffer;
  try {
    const publicKey = createPublicKey({ key: Buffer.from(concatBytes(X25519_SPKI_PREFIX, peerPublic)), format: 'der', type: 'spki' });
    secret = diffieHellman({ privateKey: own, publicKey });
  } catch {
    return null;
  }
  if (secret.every((byte) => byte === 0)) return null;
  const info = concatBytes(
    KEY_INFO_DOMAIN,
    u16(transcript.from),
    u16(transcript.to),
    transcript.serverNonce,
    transcript.clientNonce,
    transcript.clientEphemeral,
    transcript.serverEphemeral,
  );
  return new Uint8Array(hkdfSync('sha256', secret, transcript.genesisHash, info, LINK_KEY_LENGTH));
}

/** HMAC-SHA256 of a MESSAGE frame's bytes before the tag. */
export function macFrame(key: Uint8Array, body: Uint8Array): Uint8Array {
  const digest = createHmac('sha256', key).update(body).digest();
  return new Uint8Array(digest.buffer, digest.byteOffset, digest.byteLength);
}

/** True when tag is the frame's MAC under key (constant-time comparison). */
export function checkFrameMac(key: Uint8Array, body: Uint8Array, tag: Uint8Array): boolean {
  if (tag.length !== MAC_LENGTH) return false;
  return timingSafeEqual(macFrame(key, body), tag);
}

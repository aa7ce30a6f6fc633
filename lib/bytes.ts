// Byte helpers shared by every pure module. Encodings are strict: bad input throws a TypeError
// so callers that parse untrusted data must validate (zod) first or catch.
import { base64urlnopad, hex } from '@scure/base';

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder('utf-8', { fatal: true });

export function utf8Encode(text: string): Uint8Array {
  return textEncoder.encode(text);
}

export function utf8Decode(bytes: Uint8Array): string {
  return textDecoder.decode(bytes);
}

/** Lowercase hex. */
export function bytesToHex(bytes: Uint8Array): string {
  return hex.encode(bytes);
}

/** Accepts lowercase or uppercase hex of even length; throws on anything else. */
export function hexToBytes(text: string): Uint8Array {
  return hex.decode(text.toLowerCase());
}

export const HEX_PATTERN = /^[0-9a-f]*$/;

/** base64url without padding (RFC 4648 §5), as used for proof signatures. */
export function bytesToBase64url(bytes: Uint8Array): string {
  return base64urlnopad.encode(bytes);
}

export function base64urlToBytes(text: string): Uint8Array {
  return base64urlnopad.decode(text);
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** Constant-time for equal lengths; not secret-sensitive anywhere we use it, but cheap. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}

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

/**
 * A 32-byte value (key, proof id) as a Map/Set key: 16 UTF-16 code units of two bytes each,
 * compared by value. `String.fromCharCode` with sixteen arguments is about twice as fast as
 * `fromCharCode.apply` over the bytes (one char per byte: V8 first copies the typed array into an
 * argument list), and the validators build several such keys per leaf. Any other length gets one
 * char per byte, so one map must hold keys of one length of value only (a 16-byte value would
 * share its key with some 32-byte one).
 */
export function bytes32Key(v: Uint8Array): string {
  if (v.length !== 32) return String.fromCharCode.apply(null, v as unknown as number[]);
  const b = v as unknown as number[];
  return String.fromCharCode(
    ((b[0] as number) << 8) | (b[1] as number),
    ((b[2] as number) << 8) | (b[3] as number),
    ((b[4] as number) << 8) | (b[5] as number),
    ((b[6] as number) << 8) | (b[7] as number),
    ((b[8] as number) << 8) | (b[9] as number),
    ((b[10] as number) << 8) | (b[11] as number),
    ((b[12] as number) << 8) | (b[13] as number),
    ((b[14] as number) << 8) | (b[15] as number),
    ((b[16] as number) << 8) | (b[17] as number),
    ((b[18] as number) << 8) | (b[19] as number),
    ((b[20] as number) << 8) | (b[21] as number),
    ((b[22] as number) << 8) | (b[23] as number),
    ((b[24] as number) << 8) | (b[25] as number),
    ((b[26] as number) << 8) | (b[27] as number),
    ((b[28] as number) << 8) | (b[29] as number),
    ((b[30] as number) << 8) | (b[31] as number),
  );
}

/** Constant-time for equal lengths; not secret-sensitive anywhere we use it, but cheap. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}

// Hex on Node's native encoder: the commit path writes three hex JSON fields per leaf, and
// @scure/base's pure-JS hex (lib/bytes) cost ~3 % of a validator's CPU there.
// Lowercase, like lib/bytes bytesToHex (the one spelling the wire schemas accept).
export function hexOf(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}


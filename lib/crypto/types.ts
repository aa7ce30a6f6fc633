// The signing and verification interfaces every proofhub component shares. Two verifier
// back-ends implement SignatureVerifier (see ed25519.ts): @noble/ed25519 (browser, reference) and
// node:crypto (server/crypto/ed25519-node.ts, the hot path). Both apply the One Ed25519 rule of
// DESIGN.md first, so they accept exactly the same signatures.

export interface SignatureVerifier {
  /** Name for reports and benchmarks, e.g. "noble" or "node". */
  readonly name: string;
  /** Ed25519 (RFC 8032) verification under the One Ed25519 rule. Never throws: bad input is false. */
  verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean;
}

export interface Signer {
  /** 32-byte Ed25519 public key. */
  readonly publicKey: Uint8Array;
  /** 64-byte Ed25519 signature of message. Async because WebCrypto keys sign asynchronously. */
  sign(message: Uint8Array): Promise<Uint8Array>;
}

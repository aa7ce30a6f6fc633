// Keys for simulated validators and clients. Two schemes behind the same interfaces the core uses:
//  - "ed25519": real RFC 8032 keys (noble signer, the One-Ed25519-rule verifier): slow in pure JS,
//    so it runs a slice of the seeds to show the simulated runs use the production path unchanged;
//  - "hash": a keyed-hash stand-in (SHA-256 of a secret and the message, twice over to fill 64
//    bytes, checked by a registry of the run's secrets). It is unforgeable inside the simulation, because faulty validators only
//    ever sign with their own secret, and it is ~100× faster, which is what buys thousands of seeds.
import { bytesEqual, bytesToHex, concatBytes, utf8Encode } from '../../bytes';
import { nobleVerifier, publicKeyFromSeed, signEd25519 } from '../../crypto/ed25519';
import type { SignatureVerifier } from '../../crypto/types';
import { hashBytes } from '../encoding';

export type SimCrypto = 'hash' | 'ed25519';

export interface SimKeyRing {
  readonly crypto: SimCrypto;
  readonly verifier: SignatureVerifier;
  /** Public key of key number i (validators are 0..n-1, clients from 1000 up). */
  publicKey(i: number): Uint8Array;
  sign(i: number, message: Uint8Array): Uint8Array;
}

function secretOf(seed: number, i: number): Uint8Array {
  return hashBytes(utf8Encode(`proofhub/sim/secret/${seed}/${i}`));
}

export function createKeyRing(crypto: SimCrypto, seed: number): SimKeyRing {
  const secrets = new Map<number, Uint8Array>();
  const publics = new Map<number, Uint8Array>();
  const byPublic = new Map<string, Uint8Array>();
  const secret = (i: number): Uint8Array => {
    let value = secrets.get(i);
    if (value === undefined) {
      value = secretOf(seed, i);
      secrets.set(i, value);
    }
    return value;
  };
  const publicKey = (i: number): Uint8Array => {
    let value = publics.get(i);
    if (value === undefined) {
      value = crypto === 'ed25519' ? publicKeyFromSeed(secret(i)) : hashBytes(concatBytes(utf8Encode('pub'), secret(i)));
      publics.set(i, value);
      byPublic.set(bytesToHex(value), secret(i));
    }
    return value;
  };
  if (crypto === 'ed25519') {
    return { crypto, verifier: nobleVerifier, publicKey, sign: (i, message) => signEd25519(secret(i), message) };
  }
  const hashSign = (key: Uint8Array, message: Uint8Array): Uint8Array => {
    const digest = hashBytes(concatBytes(key, message));
    return concatBytes(digest, digest);
  };
  // Keys are mostly the same objects run-wide (the validator list), so look them up by identity first.
  const byIdentity = new WeakMap<Uint8Array, Uint8Array | null>();
  const secretOfKey = (key: Uint8Array): Uint8Array | undefined => {
    let known = byIdentity.get(key);
    if (known === undefined) {
      known = byPublic.get(bytesToHex(key)) ?? null;
      byIdentity.set(key, known);
    }
    return known ?? undefined;
  };
  const verifier: SignatureVerifier = {
    name: 'sim-hash',
    verify(signature, message, key) {
      if (!(signature instanceof Uint8Array) || signature.length !== 64 || !(key instanceof Uint8Array) || key.length !== 32) return false;
      const known = secretOfKey(key);
      return known !== undefined && bytesEqual(signature, hashSign(known, message));
    },
  };
  return { crypto, verifier, publicKey, sign: (i, message) => hashSign(secret(i), message) };
}

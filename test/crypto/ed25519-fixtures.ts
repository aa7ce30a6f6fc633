// Test fixtures for the Ed25519 suites: the published vector files (test/vectors/ed25519, see the
// README there for provenance) in one shape, and constructions of edge-case signatures whose
// expected answer under the One Ed25519 rule is known independently of any back-end.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Point, utils as nobleUtils } from '@noble/ed25519';
import { sha512 } from '@noble/hashes/sha2.js';
import { hexToBytes, utf8Encode } from '@/lib/bytes';
import { SMALL_ORDER_ENCODINGS } from '@/lib/crypto/ed25519';

const vectorsDir = join(import.meta.dirname, '../vectors/ed25519');

function readVectorFile(name: string): unknown {
  return JSON.parse(readFileSync(join(vectorsDir, name), 'utf8'));
}

export interface Ed25519Case {
  /** Where the case comes from, for failure messages: "cctv #12", "wycheproof tcId 3". */
  readonly label: string;
  readonly signature: Uint8Array;
  readonly message: Uint8Array;
  readonly publicKey: Uint8Array;
}

export interface Rfc8032Case extends Ed25519Case {
  readonly seed: Uint8Array;
}

export function loadRfc8032Cases(): Rfc8032Case[] {
  const rows = readVectorFile('rfc8032-ed25519.json') as { priv: string; pub: string; msg: string; sig: string }[];
  return rows.map((row, index) => ({
    label: `rfc8032 §7.1 test ${index + 1}`,
    seed: hexToBytes(row.priv),
    publicKey: hexToBytes(row.pub),
    message: hexToBytes(row.msg),
    signature: hexToBytes(row.sig),
  }));
}

export interface WycheproofCase extends Ed25519Case {
  readonly result: 'valid' | 'invalid' | 'acceptable';
  readonly comment: string;
}

export function loadWycheproofCases(): WycheproofCase[] {
  const file = readVectorFile('wycheproof_ed25519_test.json') as {
    testGroups: { publicKey: { pk: string }; tests: { tcId: number; comment: string; msg: string; sig: string; result: WycheproofCase['result'] }[] }[];
  };
  return file.testGroups.flatMap((group) =>
    group.tests.map((test) => ({
      label: `wycheproof tcId ${test.tcId} (${test.comment})`,
      publicKey: hexToBytes(group.publicKey.pk),
      message: hexToBytes(test.msg),
      signature: hexToBytes(test.sig),
      result: test.result,
      comment: test.comment,
    })),
  );
}

export interface CctvCase extends Ed25519Case {
  readonly number: number;
  readonly flags: readonly string[];
}

/** C2SP/CCTV ed25519vectors.json: the message is the ASCII string in `msg`. */
export function loadCctvCases(): CctvCase[] {
  const rows = readVectorFile('cctv_ed25519vectors.json') as { number: number; key: string; sig: string; msg: string; flags: string[] | null }[];
  return rows.map((row) => ({
    label: `cctv #${row.number} [${(row.flags ?? []).join(',')}]`,
    number: row.number,
    publicKey: hexToBytes(row.key),
    signature: hexToBytes(row.sig),
    message: utf8Encode(row.msg),
    flags: row.flags ?? [],
  }));
}

export interface Zip215Case extends Ed25519Case {
  readonly validLegacy: boolean;
  readonly validZip215: boolean;
}

/** ZIP-215 vectors (zcash ed25519-zebra): every signature is over the ASCII message "Zcash". */
export function loadZip215Cases(): Zip215Case[] {
  const rows = readVectorFile('zip215.json') as { vk_bytes: string; sig_bytes: string; valid_legacy: boolean; valid_zip215: boolean }[];
  return rows.map((row, index) => ({
    label: `zip215 #${index}`,
    publicKey: hexToBytes(row.vk_bytes),
    signature: hexToBytes(row.sig_bytes),
    message: utf8Encode('Zcash'),
    validLegacy: row.valid_legacy,
    validZip215: row.valid_zip215,
  }));
}

/** The 12 cases of "Taming the many EdDSAs" (eprint 2020/1244), Table 6, in order 0..11. */
export function loadEdgeCases(): Ed25519Case[] {
  const rows = readVectorFile('edge-cases.json') as { message: string; pub_key: string; signature: string }[];
  return rows.map((row, index) => ({
    label: `eprint 2020/1244 case ${index}`,
    publicKey: hexToBytes(row.pub_key),
    signature: hexToBytes(row.signature),
    message: hexToBytes(row.message),
  }));
}

// ---- constructions -------------------------------------------------------------------------

export const GROUP_ORDER = 0x1000000000000000000000000000000014def9dea2f79cd65812631a5cf5d3edn;
export const FIELD_PRIME = 2n ** 255n - 19n;

/** The 8 points of the torsion subgroup E[8], index i = [i]T for a generator T of order 8. */
export const TORSION_POINTS: readonly Point[] = (() => {
  const generator = Point.fromBytes(hexToBytes('c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a'));
  const points: Point[] = [Point.ZERO];
  for (let i = 1; i < 8; i++) points.push((points[i - 1] ?? Point.ZERO).add(generator));
  return points;
})();

export function bytesToNumberLE(bytes: Uint8Array): bigint {
  let n = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i] ?? 0);
  return n;
}

export function numberToBytesLE(n: bigint, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    out[i] = Number(n & 0xffn);
    n >>= 8n;
  }
  return out;
}

export interface TorsionSignature extends Ed25519Case {
  /** Whether the cofactorless equation [S]B = R + [k]A holds, computed from the construction. */
  readonly cofactorlessHolds: boolean;
}

/**
 * A signature by seed over message, made against a key and nonce point with torsion added:
 * A' = [a]B + T_a, R = [r]B + T_r, k = H(R ‖ A' ‖ M), S = r + k·a mod L. Then [S]B - R - [k]A'
 * = -(T_r + [k]T_a), so the cofactored equation always holds and the cofactorless one exactly when
 * T_r + [k]T_a is the identity: the "low_order_residue" distinction of the CCTV vectors, with an
 * expected answer that needs neither back-end. Precondition: 1 <= nonce < L.
 */
export function signWithTorsion(seed: Uint8Array, message: Uint8Array, nonce: bigint, torsionA: number, torsionR: number): TorsionSignature {
  const { scalar } = nobleUtils.getExtendedPublicKey(seed);
  const a = scalar % GROUP_ORDER;
  const tA = TORSION_POINTS[torsionA & 7] ?? Point.ZERO;
  const tR = TORSION_POINTS[torsionR & 7] ?? Point.ZERO;
  const publicKey = Point.BASE.multiply(a).add(tA).toBytes();
  const rBytes = Point.BASE.multiply(nonce).add(tR).toBytes();
  const k = bytesToNumberLE(sha512.create().update(rBytes).update(publicKey).update(message).digest()) % GROUP_ORDER;
  const s = (nonce + k * a) % GROUP_ORDER;
  const signature = new Uint8Array(64);
  signature.set(rBytes, 0);
  signature.set(numberToBytesLE(s, 32), 32);
  const residue = tR.add(tA.multiply(k, false));
  return { label: `torsion A+T${torsionA & 7} R+T${torsionR & 7}`, signature, message, publicKey, cofactorlessHolds: residue.is0() };
}

/**
 * Encodings that stress the rule's byte checks: every small-order encoding with y < p, and every
 * non-canonical encoding (y = p + δ for δ = 0..18, both sign bits; some are curve points, some not).
 */
export const SPECIAL_ENCODINGS: readonly Uint8Array[] = (() => {
  const out = SMALL_ORDER_ENCODINGS.map(hexToBytes);
  for (let delta = 0n; delta < 19n; delta++) {
    const encoding = numberToBytesLE(FIELD_PRIME + delta, 32);
    out.push(encoding);
    const signed = Uint8Array.from(encoding);
    signed[31] = (signed[31] ?? 0) | 0x80;
    out.push(signed);
  }
  return out;
})();

// The hub's rotating JWT signing keys (EdDSA over Ed25519, RFC 8037) for agent access tokens, and
// the JWK Set that publishes their public halves (RFC 7517 §5, GET /.well-known/jwks.json).
//
// Keys live in the database (table oauth_signing_keys), so every web instance signs and verifies
// with the same set. The private JWK is sealed with AES-256-GCM under a key derived (HKDF-SHA256,
// RFC 5869) from the hub's session secret: a database dump alone cannot mint tokens. A key signs
// for `rotateAfterMs`, then a new one is made; the old one stays published and accepted until its
// last token has expired (signs_until + token lifetime).
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { exportJWK, generateKeyPair, importJWK } from 'jose';
import type { CryptoKey, JSONWebKeySet, JWK } from 'jose';
import type { Db } from '../db/types';

export const SIGNING_ALG = 'EdDSA';

export interface SigningKeyOptions {
  prisma: Db;
  /** The hub's session secret (NEXTAUTH_SECRET or the data dir's generated one). */
  secret: string;
  now: () => Date;
  /** How long one key signs new tokens (default 24 h). */
  rotateAfterMs?: number;
  /** The longest token lifetime: a retired key verifies this much longer. */
  tokenLifetimeMs: number;
}

export interface ActiveKey {
  kid: string;
  key: CryptoKey;
}

export interface SigningKeys {
  /** The key to sign with now; makes (and stores) a new one when none is current. */
  current(): Promise<ActiveKey>;
  /** The public key for a kid, if it is one of ours and still verifies. */
  verificationKey(kid: string): Promise<CryptoKey | undefined>;
  /** Public JWKs of every key that still verifies. */
  jwks(): Promise<JSONWebKeySet>;
}

export const DEFAULT_ROTATE_AFTER_MS = 24 * 60 * 60 * 1000;

function sealingKey(secret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', Buffer.from(secret, 'utf8'), Buffer.from('proofhub oauth signing keys'), Buffer.from('aes-256-gcm v1'), 32));
}

/** base64url(iv ‖ ciphertext ‖ tag), AES-256-GCM with a fresh 96-bit IV; kid is the AAD. */
export function sealJson(value: unknown, secret: string, kid: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', sealingKey(secret), iv);
  cipher.setAAD(Buffer.from(kid, 'utf8'));
  const body = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
  return Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url');
}

export function openSealedJson(sealed: string, secret: string, kid: string): unknown {
  const bytes = Buffer.from(sealed, 'base64url');
  const decipher = createDecipheriv('aes-256-gcm', sealingKey(secret), bytes.subarray(0, 12));
  decipher.setAAD(Buffer.from(kid, 'utf8'));
  decipher.setAuthTag(bytes.subarray(bytes.length - 16));
  return JSON.parse(Buffer.concat([decipher.update(bytes.subarray(12, bytes.length - 16)), decipher.final()]).toString('utf8')) as unknown;
}

export function createSigningKeys(options: SigningKeyOptions): SigningKeys {
  const { prisma, secret, now } = options;
  const rotateAfterMs = options.rotateAfterMs ?? DEFAULT_ROTATE_AFTER_MS;
  let active: { kid: string; key: CryptoKey; signsUntilMs: number } | null = null;
  let creating: Promise<ActiveKey> | null = null;
  const publicKeys = new Map<string, { key: CryptoKey; verifiesUntilMs: number }>();

  async function loadCurrent(): Promise<ActiveKey> {
    const at = now();
    const row = await prisma.oAuthSigningKey.findFirst({ where: { signsUntil: { gt: at }, createdAt: { lte: at } }, orderBy: { createdAt: 'desc' } });
    if (row !== null) {
      const jwk = openSealedJson(row.sealedPrivateJwk, secret, row.kid) as JWK;
      const key = (await importJWK(jwk, SIGNING_ALG)) as CryptoKey;
      active = { kid: row.kid, key, signsUntilMs: row.signsUntil.getTime() };
      return { kid: row.kid, key };
    }
    // Two instances may both rotate at once: both keys are valid and both are published.
    const { privateKey, publicKey } = await generateKeyPair(SIGNING_ALG, { crv: 'Ed25519', extractable: true });
    const kid = randomBytes(12).toString('base64url');
    const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: SIGNING_ALG, use: 'sig' };
    const signsUntil = new Date(at.getTime() + rotateAfterMs);
    await prisma.oAuthSigningKey.create({
      data: {
        kid,
        alg: SIGNING_ALG,
        publicJwk,
        sealedPrivateJwk: sealJson(await exportJWK(privateKey), secret, kid),
        createdAt: at,
        signsUntil,
        verifiesUntil: new Date(signsUntil.getTime() + options.tokenLifetimeMs),
      },
    });
    active = { kid, key: privateKey, signsUntilMs: signsUntil.getTime() };
    return { kid, key: privateKey };
  }

  return {
    async current() {
      if (active !== null && active.signsUntilMs > now().getTime()) return { kid: active.kid, key: active.key };
      creating ??= loadCurrent().finally(() => {
        creating = null;
      });
      return creating;
    },
    async verificationKey(kid) {
      const at = now().getTime();
      const cached = publicKeys.get(kid);
      if (cached !== undefined) return cached.verifiesUntilMs > at ? cached.key : undefined;
      // Another instance may have rotated: an unknown kid is looked up (kid is a short string the
      // token carries; a forged one costs one indexed read and matches nothing).
      if (kid.length > 64) return undefined;
      const row = await prisma.oAuthSigningKey.findUnique({ where: { kid } });
      if (row === null) return undefined;
      const key = (await importJWK(row.publicJwk as JWK, SIGNING_ALG)) as CryptoKey;
      publicKeys.set(kid, { key, verifiesUntilMs: row.verifiesUntil.getTime() });
      return row.verifiesUntil.getTime() > at ? key : undefined;
    },
    async jwks() {
      const rows = await prisma.oAuthSigningKey.findMany({ where: { verifiesUntil: { gt: now() } }, orderBy: { createdAt: 'desc' }, select: { publicJwk: true } });
      return { keys: rows.map((row) => row.publicJwk as JWK) };
    },
  };
}

// Reads the next-auth (v4) session from a Cookie header: REST handlers in the Node server and the
// Socket.IO handshake use it, so all three see one session. The session token is a JWE (dir,
// A256GCM) under a key derived from NEXTAUTH_SECRET; next-auth's own decode does the crypto and
// checks expiry. Large tokens are split into name.0, name.1 … cookies, joined here in order.
import { decode, encode } from 'next-auth/jwt';

export const SESSION_COOKIE = 'next-auth.session-token';
export const SECURE_SESSION_COOKIE = '__Secure-next-auth.session-token';
/** next-auth's default session lifetime (30 days). */
export const SESSION_MAX_AGE_S = 30 * 24 * 60 * 60;

export function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  if (header === undefined) return cookies;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    const raw = part.slice(eq + 1).trim();
    try {
      cookies.set(name, decodeURIComponent(raw));
    } catch {
      cookies.set(name, raw);
    }
  }
  return cookies;
}

function sessionToken(cookies: Map<string, string>, name: string): string | undefined {
  const whole = cookies.get(name);
  if (whole !== undefined) return whole;
  const chunks: [number, string][] = [];
  for (const [key, value] of cookies) {
    const match = key.startsWith(`${name}.`) ? /^\d+$/.exec(key.slice(name.length + 1)) : null;
    if (match !== null) chunks.push([Number(match[0]), value]);
  }
  if (chunks.length === 0) return undefined;
  return chunks.sort(([a], [b]) => a - b).map(([, value]) => value).join('');
}

/** The signed-in user id (the JWT's sub), or null for no, expired or forged sessions. */
export async function readSessionUserId(cookieHeader: string | undefined, secret: string): Promise<string | null> {
  const cookies = parseCookies(cookieHeader);
  const token = sessionToken(cookies, SESSION_COOKIE) ?? sessionToken(cookies, SECURE_SESSION_COOKIE);
  if (token === undefined) return null;
  try {
    const payload = await decode({ token, secret });
    return typeof payload?.sub === 'string' && payload.sub !== '' ? payload.sub : null;
  } catch {
    return null;
  }
}

/** A session cookie for a user, as next-auth would set it (tests and the admin socket use it). */
export async function createSessionCookie(userId: string, username: string, secret: string): Promise<string> {
  const token = await encode({ token: { sub: userId, name: username }, secret, maxAge: SESSION_MAX_AGE_S });
  return `${SESSION_COOKIE}=${token}`;
}

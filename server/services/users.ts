// Accounts: sign-up with a browser-made identity, operator-created accounts, password checks for
// next-auth, and binding an identity to an account that has none. Passwords are hashed with
// argon2id (RFC 9106) at the OWASP-recommended m=19 MiB, t=2, p=1 (@node-rs/argon2's defaults).
import { randomUUID } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import type { MeView } from '@/lib/protocol/views';
import { Prisma } from '../generated/prisma/client';
import type { Db, DbOrTx } from '../db/types';
import { refuse } from '../errors';
import type { ServiceResult } from '../errors';
import type { RateLimiter } from '../rate-limit';
import type { ProofIngest } from './proof-ingest';
import { signupRole } from './moderation';

export type Role = 'user' | 'admin';

export interface UserDeps {
  db: Db;
  ingest: ProofIngest;
  signupLimiter: RateLimiter;
  loginLimiter: RateLimiter;
}

export async function hashPassword(password: string): Promise<string> {
  return hash(password); // argon2id, m=19456 KiB, t=2, p=1
}

// Verifying against this when the username is unknown keeps the answer time the same either way.
const UNKNOWN_USER_HASH = '$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$Rm9Hb0zAHrvfGKTmOkhbo6ueMFjSdTUBqtSw9I5VxJA';

function toMe(row: { id: string; username: string; did: string | null; role: string }): MeView {
  return { id: row.id, username: row.username, did: row.did, role: row.role as Role };
}

export async function getMe(db: DbOrTx, userId: string): Promise<MeView | null> {
  const row = await db.user.findUnique({ where: { id: userId }, select: { id: true, username: true, did: true, role: true } });
  return row === null ? null : toMe(row);
}

export interface UserService {
  signup(input: { username: string; password: string; identity: unknown }, clientAddress: string): Promise<ServiceResult<MeView>>;
  createUser(input: { username: string; password: string; role: Role }): Promise<ServiceResult<MeView>>;
  verifyCredentials(username: string, password: string): Promise<ServiceResult<MeView>>;
  bindIdentity(userId: string | null, identity: unknown): Promise<ServiceResult<MeView>>;
}

export function createUserService(deps: UserDeps): UserService {
  const { db } = deps;

  return {
    async signup(input, clientAddress) {
      const rate = await deps.signupLimiter.consume(clientAddress);
      if (!rate.allowed) return refuse('rate_limited', `too many sign-ups: try again in ${rate.retryAfterSeconds} s`, { retryAfter: rate.retryAfterSeconds });
      if ((await db.user.findUnique({ where: { username: input.username }, select: { id: true } })) !== null) {
        return refuse('username_taken', 'that username is taken');
      }
      const userId = randomUUID();
      const passwordHash = await hashPassword(input.password);
      const admitted = await deps.ingest.admitIdentity(input.identity, { kind: 'create', userId, username: input.username, passwordHash, role: await signupRole(db) });
      if (!admitted.ok) return admitted;
      const me = await getMe(db, userId);
      if (me === null) throw new Error('user vanished right after sign-up');
      return { ok: true, value: me };
    },

    async createUser(input) {
      const passwordHash = await hashPassword(input.password);
      try {
        const row = await db.user.create({ data: { id: randomUUID(), username: input.username, passwordHash, role: input.role } });
        return { ok: true, value: toMe(row) };
      } catch (error) {
        if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') return refuse('username_taken', 'that username is taken');
        throw error;
      }
    },

    async verifyCredentials(username, password) {
      const rate = await deps.loginLimiter.consume(username);
      if (!rate.allowed) return refuse('rate_limited', `too many sign-in attempts: try again in ${rate.retryAfterSeconds} s`, { retryAfter: rate.retryAfterSeconds });
      const row = await db.user.findUnique({ where: { username }, select: { id: true, username: true, did: true, role: true, passwordHash: true } });
      const matches = await verify(row?.passwordHash ?? UNKNOWN_USER_HASH, password).catch(() => false);
      if (row === null || !matches) return refuse('invalid_credentials', 'wrong username or password');
      return { ok: true, value: toMe(row) };
    },

    async bindIdentity(userId, identity) {
      if (userId === null) return refuse('not_signed_in', 'sign in to bind an identity');
      const me = await getMe(db, userId);
      if (me === null) return refuse('not_signed_in', 'the session\'s account no longer exists');
      if (me.did !== null) return refuse('already_bound', 'your account already has an identity');
      const admitted = await deps.ingest.admitIdentity(identity, { kind: 'bind', userId });
      if (!admitted.ok) return admitted;
      return { ok: true, value: { ...me, did: admitted.value.did } };
    },
  };
}

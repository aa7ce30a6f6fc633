// next-auth's side of sign-in, without Next: the Credentials provider checks passwords through the
// registered AppContext, the callbacks put the user id in the token's sub, and the cookie that
// next-auth would set is what REST and Socket.IO read back as the session.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encode } from 'next-auth/jwt';
import type { JWT } from 'next-auth/jwt';
import type { Session, User } from 'next-auth';
import { registerAppContext } from '../app-context';
import { createContext } from '../context';
import type { AppContext } from '../context';
import { createTestDatabase } from '../testing/database';
import type { TestDatabase } from '../testing/database';
import { TestIdentity } from '../testing/identities';
import { authOptions } from './next-auth-options';
import { SESSION_COOKIE, readSessionUserId } from './session';

let testDb: TestDatabase;
let ctx: AppContext;
let userId: string;

type Authorize = (credentials: Record<string, string> | undefined, request: unknown) => Promise<User | null>;
const authorize = (authOptions.providers[0] as unknown as { options: { authorize: Authorize } }).options.authorize;

beforeAll(async () => {
  testDb = await createTestDatabase();
  ctx = await createContext({ database: testDb.db, secret: 'a session secret of at least 32 chars' });
  registerAppContext(ctx);
  const signup = await ctx.users.signup({ username: 'alice', password: 'correct horse battery', identity: await new TestIdentity().identity('Alice') }, 'test');
  if (!signup.ok) throw new Error(signup.error.message);
  userId = signup.value.id;
});

afterAll(async () => {
  registerAppContext(undefined);
  await testDb.destroy();
});

describe('next-auth credentials', () => {
  it('accepts the right password (username case-insensitive) and refuses the rest', async () => {
    expect(await authorize({ username: 'Alice', password: 'correct horse battery' }, {})).toEqual({ id: userId, name: 'alice' });
    expect(await authorize({ username: 'alice', password: 'wrong password' }, {})).toBeNull();
    expect(await authorize({ username: 'nobody', password: 'correct horse battery' }, {})).toBeNull();
    expect(await authorize({ username: 'a', password: 'x' }, {})).toBeNull();
    expect(await authorize(undefined, {})).toBeNull();
  });

  it('puts the user id in the JWT that REST and Socket.IO read back', async () => {
    const jwtCallback = authOptions.callbacks?.jwt as unknown as (params: { token: JWT; user?: User }) => Promise<JWT> | JWT;
    const token = await jwtCallback({ token: {}, user: { id: userId, name: 'alice' } });
    expect(token).toMatchObject({ sub: userId, name: 'alice' });
    const sessionCallback = authOptions.callbacks?.session as unknown as (params: { session: Session; token: JWT }) => Promise<Session> | Session;
    const session = await sessionCallback({ session: { expires: '' }, token });
    expect(session.user).toMatchObject({ id: userId, name: 'alice' });
    const jwe = await encode({ token, secret: ctx.secret });
    expect(await readSessionUserId(`other=1; ${SESSION_COOKIE}=${jwe}`, ctx.secret)).toBe(userId);
    // Split as next-auth splits large cookies: name.0, name.1 …
    const half = Math.ceil(jwe.length / 2);
    expect(await readSessionUserId(`${SESSION_COOKIE}.1=${jwe.slice(half)}; ${SESSION_COOKIE}.0=${jwe.slice(0, half)}`, ctx.secret)).toBe(userId);
    expect(await readSessionUserId(`${SESSION_COOKIE}=${jwe}x`, ctx.secret)).toBeNull();
    expect(await readSessionUserId(undefined, ctx.secret)).toBeNull();
  });
});

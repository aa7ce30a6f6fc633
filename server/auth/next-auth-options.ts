// next-auth (v4) configuration: username + password (Credentials), JWT sessions only (no database
// adapter). Bundled by Next for app/api/auth/[...nextauth]; the password check itself runs in the
// Node process's services, reached through the app-context bridge. NEXTAUTH_SECRET and
// NEXTAUTH_URL are set in process.env by server/main.ts before Next starts.
import type { NextAuthOptions } from 'next-auth';
import CredentialsProvider from 'next-auth/providers/credentials';
import { z } from 'zod';
import { passwordSchema, usernameSchema } from '@/lib/protocol/rest';
import { getAppContext } from '../app-context';

const credentialsSchema = z.object({ username: usernameSchema, password: passwordSchema });

export const authOptions: NextAuthOptions = {
  session: { strategy: 'jwt', maxAge: 30 * 24 * 60 * 60 },
  providers: [
    CredentialsProvider({
      id: 'credentials',
      name: 'username and password',
      credentials: {
        username: { label: 'Username', type: 'text' },
        password: { label: 'Password', type: 'password' },
      },
      async authorize(credentials) {
        const parsed = credentialsSchema.safeParse(credentials);
        if (!parsed.success) return null;
        const result = await getAppContext().users.verifyCredentials(parsed.data.username, parsed.data.password);
        if (!result.ok) return null; // next-auth answers error=CredentialsSignin
        return { id: result.value.id, name: result.value.username };
      },
    }),
  ],
  callbacks: {
    jwt({ token, user }) {
      if (user !== undefined) {
        token.sub = user.id;
        token.name = user.name ?? null;
      }
      return token;
    },
    session({ session, token }) {
      session.user = { ...session.user, name: token.name ?? null, id: token.sub } as typeof session.user;
      return session;
    },
  },
};

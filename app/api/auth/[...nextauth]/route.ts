// next-auth's routes (/api/auth/signin, /callback/credentials, /session, /csrf, /signout).
import NextAuth from 'next-auth';
import { authOptions } from '@/server/auth/next-auth-options';

const handler = NextAuth(authOptions) as (request: Request, context: unknown) => Promise<Response>;

export { handler as GET, handler as POST };

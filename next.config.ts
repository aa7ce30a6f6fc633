// Next.js configuration. Next runs inside the proofhub web process (server/main.ts), which also
// hosts the REST API and Socket.IO: Next bundles only pages, components and the next-auth route.
import type { NextConfig } from 'next';

const config: NextConfig = {
  // Server-only packages that must never be bundled (native addons, WASM, engines): if a route
  // ever imports them they load from node_modules, the same copies the Node process uses.
  serverExternalPackages: ['@electric-sql/pglite', 'pglite-prisma-adapter', '@prisma/client', '@prisma/adapter-pg', 'pg', '@node-rs/argon2', 'socket.io', 'pino', 'rate-limiter-flexible', 'classic-level'],
  // `npm test` typechecks the whole repo (tsc --noEmit); the build does not repeat it.
  typescript: { ignoreBuildErrors: true },
  poweredByHeader: false,
  reactStrictMode: true,
  turbopack: { root: import.meta.dirname },
};

export default config;

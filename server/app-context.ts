// The bridge between the Node process and code that Next.js bundles (app/api/auth, server
// components): server/main.ts registers the one AppContext here at start, and bundled code reads
// it back. Only a type is imported, so Next never bundles a second copy of Prisma, PGlite or the
// services. Outside `npm start` / `npm run dev` (e.g. `next build`) no context is registered.
import type { AppContext } from './context';

const KEY = Symbol.for('proofhub.app-context');

type GlobalWithContext = typeof globalThis & { [KEY]?: AppContext };

export function registerAppContext(context: AppContext | undefined): void {
  (globalThis as GlobalWithContext)[KEY] = context;
}

export function getAppContext(): AppContext {
  const context = (globalThis as GlobalWithContext)[KEY];
  if (context === undefined) throw new Error('proofhub: no app context (start the hub with `npm start` or `npm run dev`, not `next start`)');
  return context;
}

export function findAppContext(): AppContext | undefined {
  return (globalThis as GlobalWithContext)[KEY];
}

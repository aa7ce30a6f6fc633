#!/usr/bin/env node
// The `proofhub` command. The CLI is TypeScript run through tsx's loader, so there is no build
// step between `npm ci` and `npx proofhub`.
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

// The repo's tsconfig, not the one of the caller's working directory: its `@/` path alias must
// resolve wherever `npx proofhub` is run from.
register({ tsconfig: fileURLToPath(new URL('../tsconfig.json', import.meta.url)) });
const { main } = await import('../server/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));

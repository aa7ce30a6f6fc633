#!/usr/bin/env node
// The `proofhub` command. The CLI is TypeScript run through tsx's loader, so there is no build
// step between `npm ci` and `npx proofhub`.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../server/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));

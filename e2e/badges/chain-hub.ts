// The badges project's own hub: `npm start` with its 4-validator devnet (the `hub` project's hub
// runs without validators, so its badges stay `signed`). Started once per worker, on a fresh data
// dir and free ports; the tamper spec stops and restarts it, so the fixture hands out a mutable
// state whose pid is the current one at teardown.
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Page } from '@playwright/test';
import { test as base } from '../fixtures';
import { freePort, newDataDir, startHub, stopHubAndWait } from '../hub-server';
import type { HubState } from '../hub-server';

export { expect } from '../fixtures';

export const REPO_ROOT = resolve(import.meta.dirname, '..', '..');

export const test = base.extend<{ hubLogOnFailure: void }, { chainHub: HubState }>({
  // A failed spec prints what the hub logged while it ran (warnings and errors, and every chain
  // line), so a CI failure explains itself: CI deletes the data dir with the full log.
  hubLogOnFailure: [
    async ({ chainHub }, use, testInfo) => {
      const offset = sizeOf(chainHub.logFile);
      await use();
      if (testInfo.status === testInfo.expectedStatus) return;
      const lines = hubLogSince(chainHub.logFile, offset);
      console.log(`--- hub log during "${testInfo.title}" (${lines.length} lines: warnings, errors, chain) ---\n${lines.slice(-300).join('\n')}\n--- end of hub log ---`);
      await testInfo.attach('hub-log', { body: lines.join('\n'), contentType: 'text/plain' });
    },
    { auto: true },
  ],
  chainHub: [
    // eslint-disable-next-line no-empty-pattern -- Playwright fixtures must destructure their first argument
    async ({}, use) => {
      const dataDir = newDataDir();
      const port = await freePort();
      const started = Date.now();
      const state = await startHub({ port, dataDir, logFile: join(dataDir, 'hub.log'), chain: true, noBuild: true });
      await waitForChain(state);
      console.log(`e2e badges: hub with devnet on ${state.url} (data ${dataDir}), ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      await use(state);
      await stopHubAndWait(state.pid);
      if (process.env.PROOFHUB_E2E_KEEP_DATA === undefined) rmSync(state.dataDir, { recursive: true, force: true });
    },
    { scope: 'worker', timeout: 9 * 60_000 },
  ],
});

function sizeOf(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

/** The hub's JSON log lines written after `offset` that are warnings or worse, or about the chain. */
export function hubLogSince(file: string, offset: number): string[] {
  let text: string;
  try {
    text = readFileSync(file).subarray(offset).toString('utf8');
  } catch {
    return [];
  }
  return text.split('\n').filter((line) => {
    if (line.trim() === '') return false;
    try {
      const entry = JSON.parse(line) as { level?: unknown; msg?: unknown };
      return (typeof entry.level === 'number' && entry.level >= 40) || (typeof entry.msg === 'string' && /chain|anchor|follower|submit/i.test(entry.msg));
    } catch {
      return true; // not JSON: a child process's own output (validators, npm), keep it
    }
  });
}

/**
 * The hub serves before its devnet is up (four processes can take a while on a busy machine):
 * wait until it names its validators and has a certified head, so specs measure anchoring only.
 */
export async function waitForChain(state: HubState, timeoutMs = 5 * 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const [validators, head] = await Promise.all([fetch(`${state.url}/api/v1/chain/validators`), fetch(`${state.url}/api/v1/chain/head`)]);
      if (validators.ok && head.ok) return;
    } catch {
      // not answering yet
    }
    await new Promise((wait) => setTimeout(wait, 1_000));
  }
  throw new Error(`the hub's devnet did not certify a head within ${timeoutMs / 1000} s; see ${state.logFile}`);
}

/**
 * Makes the signed-in account of `page` a moderator (the first account of a fresh hub is already
 * its admin, whose role the CLI leaves alone).
 */
export async function ensureModerator(page: Page, state: HubState, username: string): Promise<void> {
  const me = (await (await page.request.get('/api/v1/me')).json()) as { role?: string };
  if (me.role !== 'admin' && me.role !== 'moderator') runAdmin(state, ['grant-moderator', '--username', username]);
}

/** Runs `npx proofhub admin …` against the running hub (admin socket in its data dir). */
export function runAdmin(state: HubState, args: string[]): string {
  return execFileSync('npx', ['proofhub', 'admin', ...args, '--data-dir', state.dataDir], { cwd: REPO_ROOT, encoding: 'utf8' });
}

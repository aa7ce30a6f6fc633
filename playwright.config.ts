// End-to-end tests in Debian's Chromium (no browser download): the real hub (npm start) on a
// fresh data dir, two or three people in separate browser contexts. Projects run in order:
// `hub` (sign-up, live posting, replies, reactions, private hubs, XSS), then `restart`, which
// restarts the hub and checks that everything is still there and still verifies.
import { defineConfig } from '@playwright/test';

export default defineConfig({
  testDir: './e2e',
  globalSetup: './e2e/global-setup.ts',
  globalTeardown: './e2e/global-teardown.ts',
  // One hub, one browser, two cores: run specs one after another.
  workers: 1,
  fullyParallel: false,
  forbidOnly: process.env.CI !== undefined,
  retries: 0,
  timeout: 90_000,
  expect: { timeout: 15_000 },
  reporter: process.env.CI === undefined ? 'list' : [['list'], ['html', { open: 'never' }]],
  use: {
    browserName: 'chromium',
    headless: true,
    launchOptions: {
      executablePath: process.env.PROOFHUB_CHROMIUM ?? '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
    // Traces cost seconds per browser context on two cores: on demand only (PROOFHUB_E2E_TRACE=1).
    trace: process.env.PROOFHUB_E2E_TRACE === undefined ? 'off' : 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  projects: [
    { name: 'hub', testMatch: /hub\/.*\.spec\.ts$/ },
    { name: 'restart', testMatch: /restart\/.*\.spec\.ts$/, dependencies: ['hub'] },
    // Moderation: roles, hide/unhide live for a second person, the public moderation log.
    { name: 'moderation', testMatch: /moderation\/.*\.spec\.ts$/, dependencies: ['hub'] },
    // Agents: registered on the Agents page, posting with the SDK, seen live, revoked (no chain needed).
    { name: 'agents', testMatch: /agents\/.*\.spec\.ts$/ },
    // Badges, proof panel, chain page, Verify thread, tamper evidence (the hub's devnet certifies).
    { name: 'badges', testMatch: /badges\/.*\.spec\.ts$/, dependencies: ['restart'] },
  ],
});

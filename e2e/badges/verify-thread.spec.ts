// A moderator verifies a 200-item thread in the browser: every signature, chain link, key
// history, content digest, inclusion proof, certificate and tree-head consistency, with progress,
// ending in a clean report. The items are seeded through the API (signed in the test process with
// lib/proof), not typed into the UI, by four authors at once (each author's chain is sequential),
// to keep the run short on a loaded machine. The page re-checks all 200 badges from the anchors
// the thread view carries, without asking the hub for each proof.
import type { Page } from '@playwright/test';
import { newPerson } from '../fixtures';
import { ensureModerator, expect, test } from './chain-hub';
import { ApiAuthor } from './seed';

const ITEMS = 200;
const AUTHORS = 4;

interface ThreadAnswer {
  root: { view: { anchor?: unknown } };
  replies: { view: { anchor?: unknown } }[];
}

/** How many of the thread's items the hub serves with an anchor (verified under a certified head). */
async function anchoredCount(page: Page, rootId: string): Promise<number> {
  const response = await page.request.get(`/api/v1/threads/${rootId}`);
  if (!response.ok()) return -1;
  const thread = (await response.json()) as ThreadAnswer;
  return [thread.root, ...thread.replies].filter((item) => item.view.anchor !== undefined).length;
}

test('a moderator verifies a 200-item thread with a clean report', async ({ browser, chainHub }) => {
  test.setTimeout(12 * 60_000);
  const people = await Promise.all(Array.from({ length: AUTHORS }, () => newPerson(browser, chainHub.url)));
  const authors = await Promise.all(people.map(({ page }, i) => ApiAuthor.signUp(page, `mod${i}`, `Author ${i}`)));
  const moderator = authors[0] as ApiAuthor;
  const { page } = people[0] as { page: Page };
  await ensureModerator(page, chainHub, moderator.username);

  const seeding = Date.now();
  const root = await moderator.post(page.request, 'public', `Long thread ${Date.now()}`, 'Item 0');
  // Items 1 … 199, dealt round-robin to the authors; each author posts its share in order.
  await Promise.all(
    authors.map(async (author, a) => {
      const request = (people[a] as { page: Page }).page.request;
      for (let i = 1 + a; i < ITEMS; i += AUTHORS) await author.reply(request, 'public', root.id, root.id, `Item ${i}`);
    }),
  );
  console.log(`e2e verify-thread: ${ITEMS} items seeded in ${((Date.now() - seeding) / 1000).toFixed(1)} s`);

  // Let the devnet anchor every item, so the report covers inclusion proofs and certificates too.
  const anchoring = Date.now();
  await expect.poll(() => anchoredCount(page, root.id), { timeout: 5 * 60_000, intervals: [1_000, 2_000, 5_000] }).toBe(ITEMS);
  console.log(`e2e verify-thread: all anchored ${((Date.now() - anchoring) / 1000).toFixed(1)} s later`);

  // Every badge turns verified from the anchors in the thread view: no request per proof (the
  // only proofs fetched are the authors' identity proofs their first items chain to).
  const proofRequests: string[] = [];
  page.on('request', (request) => {
    if (/\/api\/v1\/proofs\/[0-9a-f]{64}$/.test(new URL(request.url()).pathname)) proofRequests.push(request.url());
  });
  const loading = Date.now();
  await page.goto(`/threads/${root.id}`);
  await expect(page.getByRole('heading', { level: 2, name: `${ITEMS - 1} replies` })).toBeVisible({ timeout: 60_000 });
  const badges = page.locator('article [data-badge]');
  await expect(badges).toHaveCount(ITEMS, { timeout: 60_000 });
  await expect(page.locator('article [data-badge="verified"]')).toHaveCount(ITEMS, { timeout: 3 * 60_000 });
  console.log(`e2e verify-thread: ${ITEMS} badges verified ${((Date.now() - loading) / 1000).toFixed(1)} s after the page load began, ${proofRequests.length} proof requests`);
  expect(proofRequests.length).toBeLessThanOrEqual(AUTHORS);

  // Record every state the progress bar shows (a MutationObserver sees each render), then verify.
  await page.evaluate(() => {
    const seen: number[] = [];
    (window as unknown as { __progress: number[] }).__progress = seen;
    new MutationObserver(() => {
      const bar = document.querySelector('[data-testid="verify-report"] [role="progressbar"]');
      const value = bar === null ? NaN : Number(bar.getAttribute('aria-valuenow'));
      if (!Number.isNaN(value) && seen.at(-1) !== value) seen.push(value);
    }).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['aria-valuenow'] });
  });
  await page.getByRole('button', { name: 'Verify thread' }).click();
  const report = page.getByTestId('verify-report');
  await expect(report).toHaveAttribute('data-state', 'done', { timeout: 3 * 60_000 });
  await expect(report.getByRole('progressbar')).toHaveCount(0);
  const progress = await page.evaluate(() => (window as unknown as { __progress: number[] }).__progress);
  // The bar moved forward through the signature phase and beyond, never back.
  expect(progress.some((value) => value > 5 && value < 100)).toBe(true);
  for (let i = 1; i < progress.length; i++) expect(progress[i]).toBeGreaterThanOrEqual(progress[i - 1] as number);

  await expect(report.locator('[data-ok]')).toHaveAttribute('data-ok', 'true');
  await expect(report).toContainText(`All ${ITEMS} items check.`);
  const summary = report.getByTestId('verify-summary');
  await expect(summary).toContainText(`${ITEMS} of ${ITEMS} valid`);
  await expect(summary).toContainText(`${ITEMS} anchored`);
  await expect(summary).toContainText('0 not yet anchored');
  await expect(summary).toContainText('consistent');
  await expect(summary).not.toContainText('INCONSISTENT');
  await expect(report.getByTestId('verify-failures')).toHaveCount(0);
  console.log(`e2e verify-thread: report: ${await summary.textContent()}`);

  // Export downloads the bundle the report was made from.
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export bundle' }).click();
  expect((await download).suggestedFilename()).toMatch(/^thread-[0-9a-f]{16}\.bundle\.json$/);
  await Promise.all(people.map(({ context }) => context.close()));
});

// A post turns verified live, without a reload: the hub hands its leaf to the devnet, follows the
// commits, and pushes proof:status; the browser checks the anchor itself (certificate quorum
// against the pinned genesis keys, inclusion path to the certified root) before the badge says
// `verified`. Clicking the badge opens the proof panel with the path and the signers. The chain
// page shows the head, the validators and the blocks.
import { badgeOf, newPerson, signUp, startThread, threadRow } from '../fixtures';
import { expect, test } from './chain-hub';

test('a post turns verified live; the proof panel shows path and signers; the chain page shows the head', async ({ browser, chainHub }) => {
  test.setTimeout(150_000);
  const ada = await signUp(browser, chainHub.url, 'ada', 'Ada');
  const page = ada.page;
  await page.goto('/hubs/public');
  const title = `Anchored ${Date.now()}`;
  await startThread(page, title, 'Watch this badge turn verified.');
  await threadRow(page, title).getByRole('link', { name: title }).click();
  const root = page.getByTestId('thread-root');
  await expect(root.getByRole('heading', { level: 1, name: title })).toBeVisible();
  // A marker on the window: a reload or navigation would drop it.
  await page.evaluate(() => ((window as unknown as { __noReload: boolean }).__noReload = true));

  await expect(badgeOf(root))
    .toHaveAttribute('data-badge', 'verified', { timeout: 45_000 })
    .catch(async (error: unknown) => {
      // What the hub says about it, and what the badge says: a hub that never verified it, or a
      // browser that did not take the hub's word up.
      const id = (await root.getAttribute('data-proof-id')) ?? '';
      const answer = await page.request.get(`/api/v1/proofs/${id}`);
      const body = (await answer.json()) as { status?: unknown; anchor?: unknown };
      const title = await badgeOf(root).getAttribute('title');
      const validators = (await (await page.request.get('/api/v1/chain/validators')).json()) as { liveness?: unknown };
      const head = (await (await page.request.get('/api/v1/chain/head')).json()) as { head?: { height?: unknown; tree_size?: unknown } | null; alerts?: unknown };
      console.log(`live-badge: proof ${id}: hub says ${answer.status()} status=${String(body.status)} anchor=${JSON.stringify(body.anchor ?? null).slice(0, 300)}; badge title: ${title ?? ''}`);
      console.log(`live-badge: hub head ${JSON.stringify({ height: head.head?.height, tree_size: head.head?.tree_size })}, alerts ${JSON.stringify(head.alerts ?? null).slice(0, 500)}; validators ${JSON.stringify(validators.liveness ?? null)}`);
      throw error;
    });
  expect(await page.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload)).toBe(true);

  // The proof panel: a modal dialog, focus inside, Esc closes and focus returns to the badge.
  const badgeButton = root.getByRole('button', { name: /Show proof/ });
  await badgeButton.click();
  const panel = page.getByRole('dialog');
  await expect(panel).toBeVisible();
  await expect(panel.getByRole('button', { name: 'Close' })).toBeFocused();
  const id = (await root.getAttribute('data-proof-id')) ?? '';
  await expect(panel).toContainText(id);
  await expect(panel.getByTestId('canonical-json')).toContainText('"type":"post"');
  await expect(panel.getByTestId('key-history').locator('li')).toHaveCount(1);
  // Every identity signed so far is in the log, so the tree has more than one leaf: a real path.
  await expect(panel.getByTestId('inclusion-path').locator('li').first()).toBeVisible();
  const signers = panel.getByTestId('qc-signers').locator('li');
  expect(await signers.count()).toBeGreaterThanOrEqual(3);
  await expect(signers.first()).toContainText('did:key:z6Mk');
  await page.keyboard.press('Escape');
  await expect(panel).toBeHidden();
  await expect(badgeButton).toBeFocused();

  // Another browser that never saw it checks it from scratch, and the chain page shows the chain.
  const reader = await newPerson(browser, chainHub.url);
  await reader.page.goto(page.url());
  await expect(badgeOf(reader.page.getByTestId('thread-root'))).toHaveAttribute('data-badge', 'verified');
  await reader.page.getByRole('link', { name: 'Chain' }).click();
  await expect(reader.page.getByRole('heading', { level: 1, name: 'Chain' })).toBeVisible();
  await expect(reader.page.getByTestId('head-tree-size')).toHaveText(/^[1-9]\d*$/);
  await expect(reader.page.getByTestId('validators').locator('tbody tr')).toHaveCount(4);
  await expect(reader.page.locator('[data-validator][data-liveness="up"]')).toHaveCount(4, { timeout: 20_000 });
  await expect(reader.page.getByTestId('blocks').locator('tbody tr').first()).toBeVisible();
  const heightBefore = Number(await reader.page.getByTestId('head-height').textContent());
  // Live on chain:head: a new post makes a new block, and the page follows without a reload.
  await page.goto('/hubs/public');
  await startThread(page, `${title} again`, 'One more block.');
  await expect.poll(async () => Number(await reader.page.getByTestId('head-height').textContent()), { timeout: 30_000 }).toBeGreaterThan(heightBefore);
  await expect(reader.page.getByTestId('chain-alert')).toHaveCount(0);
  await Promise.all([ada.context.close(), reader.context.close()]);
});

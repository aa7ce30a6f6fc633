// Tamper evidence: a proof whose stored text is changed in the database (here: its created_at
// rewritten by someone with access to the hub's PGlite files, while the hub is stopped) shows
// `invalid` with the reason in every browser, and "Verify thread" names it. The browser does not
// take the hub's word: the id no longer matches the body the hub now serves.
import { PGlite } from '@electric-sql/pglite';
import { join } from 'node:path';
import { badgeOf, newPerson, signIn, PASSWORD } from '../fixtures';
import { startHub, stopHubAndWait } from '../hub-server';
import { ensureModerator, expect, test, waitForChain } from './chain-hub';
import { ApiAuthor } from './seed';

test('a row altered in the database is caught: badge invalid and Verify thread names it', async ({ browser, chainHub }) => {
  test.setTimeout(10 * 60_000);
  const { context, page } = await newPerson(browser, chainHub.url);
  const author = await ApiAuthor.signUp(page, 'eve', 'Eve');
  await ensureModerator(page, chainHub, author.username);
  const root = await author.post(page.request, 'public', `Tamper ${Date.now()}`, 'The root stays honest.');
  const honest = await author.reply(page.request, 'public', root.id, root.id, 'An honest reply.');
  const altered = await author.reply(page.request, 'public', root.id, root.id, 'A reply someone will rewrite.');
  await page.goto(`/threads/${root.id}`);
  await expect(page.locator('article [data-badge="verified"]')).toHaveCount(3, { timeout: 3 * 60_000 });
  await context.close();

  // Stop the hub, rewrite the stored proof's text, start it again on the same data dir and port.
  await stopHubAndWait(chainHub.pid);
  const db = await PGlite.create(join(chainHub.dataDir, 'pglite'));
  try {
    const rows = await db.query<{ raw: string }>('SELECT raw FROM proofs WHERE id = $1', [altered.id]);
    const stored = JSON.parse(rows.rows[0]?.raw ?? 'null') as { created_at: string } | null;
    expect(stored).not.toBeNull();
    const rewritten = { ...stored, created_at: new Date(Date.parse(stored?.created_at ?? '') - 3_600_000).toISOString() };
    await db.query('UPDATE proofs SET raw = $1 WHERE id = $2', [JSON.stringify(rewritten), altered.id]);
  } finally {
    await db.close();
  }
  const restarted = await startHub({ port: chainHub.port, dataDir: chainHub.dataDir, logFile: chainHub.logFile, chain: true, noBuild: true });
  Object.assign(chainHub, restarted);
  await waitForChain(chainHub);

  const moderator = await newPerson(browser, chainHub.url);
  await signIn(moderator.page, author.username, PASSWORD);
  await moderator.page.goto(`/threads/${root.id}`);
  const bad = moderator.page.locator(`[data-proof-id="${altered.id}"]`);
  await expect(badgeOf(bad)).toHaveAttribute('data-badge', 'invalid', { timeout: 90_000 });
  await expect(badgeOf(bad)).toHaveAttribute('data-reason', 'id_mismatch');
  await expect(badgeOf(moderator.page.locator(`[data-proof-id="${honest.id}"]`))).toHaveAttribute('data-badge', 'verified', { timeout: 90_000 });
  await expect(badgeOf(moderator.page.getByTestId('thread-root'))).toHaveAttribute('data-badge', 'verified');

  await moderator.page.getByRole('button', { name: 'Verify thread' }).click();
  const report = moderator.page.getByTestId('verify-report');
  await expect(report).toHaveAttribute('data-state', 'done', { timeout: 2 * 60_000 });
  await expect(report.locator('[data-ok]')).toHaveAttribute('data-ok', 'false');
  const failure = report.locator(`[data-failure-id="${altered.id}"]`).first();
  await expect(failure).toBeVisible();
  await expect(failure).toHaveAttribute('data-code', 'id_mismatch');
  await expect(failure.getByRole('link')).toHaveAttribute('href', `#item-${altered.id}`);
  await expect(report.locator(`[data-failure-id="${honest.id}"]`)).toHaveCount(0);
  await moderator.context.close();
});

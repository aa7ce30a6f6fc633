// After a restart of the hub (same data dir, same port) every thread the `hub` project made is
// still there, and a browser that never saw it before checks every badge again to `signed`.
import { badgeOf, expect, newPerson, readRecords, signIn, test } from '../fixtures';
import { readState, startHub, stopHubAndWait, writeState } from '../hub-server';

test('everything is still there and still checks after a restart', async ({ browser, hubUrl }) => {
  test.setTimeout(180_000);
  const records = readRecords();
  expect(records.length).toBeGreaterThanOrEqual(3);

  const before = readState();
  await stopHubAndWait(before.pid);
  const after = await startHub({ port: before.port, dataDir: before.dataDir, logFile: before.logFile });
  writeState(after);
  expect(after.url).toBe(hubUrl);

  // One fresh browser context per reader (signed out, or the member a private thread needs): it
  // has never seen these proofs, so every badge is checked from scratch.
  const readers = new Map<string, Awaited<ReturnType<typeof newPerson>>>();
  for (const record of records) {
    const readerKey = record.reader?.username ?? '';
    let reader = readers.get(readerKey);
    if (reader === undefined) {
      reader = await newPerson(browser, hubUrl);
      if (record.reader !== null) await signIn(reader.page, record.reader.username, record.reader.password);
      readers.set(readerKey, reader);
    }
    const page = reader.page;
    await page.goto(`/threads/${record.id}`);
    await expect(page.getByRole('heading', { level: 1, name: record.title })).toBeVisible();
    for (const text of record.texts) await expect(page.locator('article').filter({ hasText: text }).first()).toBeVisible();
    const badges = page.locator('article [data-badge]');
    await expect(badges).toHaveCount(record.items);
    for (let i = 0; i < record.items; i++) await expect(badges.nth(i)).toHaveAttribute('data-badge', 'signed');

    await page.goto(`/hubs/${record.hub}`);
    const row = page.getByTestId('thread-row').filter({ has: page.getByRole('link', { name: record.title, exact: true }) });
    await expect(badgeOf(row)).toHaveAttribute('data-badge', 'signed');
  }
  await Promise.all([...readers.values()].map((reader) => reader.context.close()));
});

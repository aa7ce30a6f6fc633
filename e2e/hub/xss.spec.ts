// Markdown from other people is inert: script tags, event handlers and javascript: links show as
// text or are dropped, and nothing runs in the reader's page.
import { badgeOf, expect, recordThread, newPerson, signUp, startThread, test, threadRow } from '../fixtures';

const PAYLOAD = [
  'Hello <script>window.__xss = "script"</script>',
  '',
  '<img src=x onerror="window.__xss = \'img\'">',
  '',
  '<svg onload="window.__xss = \'svg\'"></svg>',
  '',
  '[click me](javascript:window.__xss=\'link\')',
  '',
  '<a href="javascript:window.__xss=\'anchor\'">anchor</a>',
  '',
  '<iframe src="javascript:window.__xss=\'iframe\'"></iframe>',
].join('\n');

test('an XSS payload renders as inert text', async ({ browser, hubUrl }) => {
  const mallory = await signUp(browser, hubUrl, 'mallory', 'Mallory');
  await mallory.page.goto('/hubs/public');
  const title = `Totally harmless ${Date.now()}`;
  await startThread(mallory.page, title, PAYLOAD);
  await expect(badgeOf(threadRow(mallory.page, title))).toHaveAttribute('data-badge', 'signed');
  await threadRow(mallory.page, title).getByRole('link', { name: title }).click();
  await expect(mallory.page.getByRole('heading', { level: 1, name: title })).toBeVisible();
  const threadId = mallory.page.url().split('/threads/')[1] ?? '';

  // A reader who is not signed in opens the thread.
  const reader = await newPerson(browser, hubUrl);
  await reader.page.goto(`/threads/${threadId}`);
  const root = reader.page.getByTestId('thread-root');
  await expect(badgeOf(root)).toHaveAttribute('data-badge', 'signed');
  const body = root.locator('.markdown');
  // The raw HTML is shown as text, exactly as typed.
  await expect(body).toContainText('<script>window.__xss = "script"</script>');
  await expect(body).toContainText('<img src=x onerror="window.__xss = \'img\'">');
  // None of it became markup.
  await expect(body.locator('script, img, svg, iframe, [onerror], [onload]')).toHaveCount(0);
  const hrefs = await body.locator('a').evaluateAll((anchors) => anchors.map((anchor) => anchor.getAttribute('href') ?? ''));
  expect(hrefs.filter((href) => /^\s*javascript:/i.test(href))).toEqual([]);
  // Click what looks like a link: nothing runs.
  await body.getByText('click me').click();
  await reader.page.waitForTimeout(300); // a handler, had one been attached, would have run by now
  expect(await reader.page.evaluate(() => (window as unknown as { __xss?: string }).__xss)).toBeUndefined();
  expect(await mallory.page.evaluate(() => (window as unknown as { __xss?: string }).__xss)).toBeUndefined();

  recordThread({ id: threadId, hub: 'public', title, texts: ['<script>window.__xss = "script"</script>'], items: 1, reader: null });
  await Promise.all([mallory.context.close(), reader.context.close()]);
});

// A legal takedown purges a reply's text; the proof stays, and a reader's browser still checks its
// signature and chain link: the badge stays `signed` and says the text was purged.
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { badgeOf, expect, newPerson, recordThread, signUp, startThread, test, threadRow } from '../fixtures';
import { readState } from '../hub-server';

test('a purged reply keeps a valid proof and a signed badge', async ({ browser, hubUrl }) => {
  const grace = await signUp(browser, hubUrl, 'grace', 'Grace');
  await grace.page.goto('/hubs/public');
  const title = `Takedown test ${Date.now()}`;
  await startThread(grace.page, title, 'A thread that stays.');
  await threadRow(grace.page, title).getByRole('link', { name: title }).click();
  await expect(grace.page.getByRole('heading', { level: 1, name: title })).toBeVisible();
  const threadId = grace.page.url().split('/threads/')[1] ?? '';
  const replyBox = grace.page.getByRole('form', { name: 'Your reply' });
  await replyBox.getByLabel('Your reply').fill('A reply that has to go.');
  await replyBox.getByRole('button', { name: 'Send reply' }).click();
  const reply = grace.page.getByTestId('reply').filter({ hasText: 'A reply that has to go.' });
  await expect(badgeOf(reply)).toHaveAttribute('data-badge', 'signed');
  const replyId = (await reply.getAttribute('data-proof-id')) ?? '';

  execFileSync('npx', ['proofhub', 'admin', 'purge-content', '--proof', replyId, '--reason', 'court order 1', '--data-dir', readState().dataDir], {
    cwd: resolve(import.meta.dirname, '..', '..'),
    encoding: 'utf8',
  });

  const reader = await newPerson(browser, hubUrl);
  await reader.page.goto(`/threads/${threadId}`);
  const purged = reader.page.locator(`[data-proof-id="${replyId}"]`);
  await expect(purged.getByText('The hub purged this text.')).toBeVisible();
  await expect(reader.page.getByText('A reply that has to go.')).toHaveCount(0);
  await expect(badgeOf(purged)).toHaveAttribute('data-badge', 'signed');
  await expect(badgeOf(purged)).toHaveAttribute('title', /purged the text; the proof stays valid/);
  await expect(badgeOf(reader.page.getByTestId('thread-root'))).toHaveAttribute('data-badge', 'signed');
  recordThread({ id: threadId, hub: 'public', title, texts: ['A thread that stays.', 'The hub purged this text.'], items: 2, reader: null });
  await Promise.all([grace.context.close(), reader.context.close()]);
});

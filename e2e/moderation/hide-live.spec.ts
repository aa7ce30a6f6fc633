// Moderation in the browser: an admin (made on the command line) grants the moderator role on the
// admin page; the moderator hides a reply with a reason from the keyboard-accessible dialog; the
// reply collapses live for a second person watching the thread ("Hidden by a moderator: …", with a
// button to show it, still signed); the public moderation log lists the action with its badge;
// unhide brings it back live.
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { badgeOf, expect, newPerson, signIn, signUp, startThread, test, uniqueName } from '../fixtures';
import { readState } from '../hub-server';

test('a moderator hides a reply; it collapses live for a reader; the moderation log shows it', async ({ browser, hubUrl }) => {
  // Three browser contexts, two sign-ups (argon2, key generation) and a CLI call on a shared 2-core machine.
  test.setTimeout(300_000);
  const author = await signUp(browser, hubUrl, 'author', 'Author');
  const moderator = await signUp(browser, hubUrl, 'moder', 'Moderator');

  // An admin made by the operator (no key needed to manage roles) grants the moderator role.
  const adminName = uniqueName('admin');
  const adminPassword = 'the operator made this admin';
  execFileSync('npx', ['proofhub', 'admin', 'create-user', '--username', adminName, '--password-stdin', '--role', 'admin', '--data-dir', readState().dataDir], {
    cwd: resolve(import.meta.dirname, '..', '..'),
    input: `${adminPassword}\n`,
    encoding: 'utf8',
  });
  const admin = await newPerson(browser, hubUrl);
  await signIn(admin.page, adminName, adminPassword);
  await admin.page.getByRole('link', { name: 'Admin' }).click();
  const row = admin.page.getByTestId('admin-user').and(admin.page.locator(`[data-username="${moderator.username}"]`));
  await expect(row.getByTestId('admin-user-role')).toHaveText('user');
  await row.getByRole('button', { name: `Make ${moderator.username} a moderator` }).click();
  await expect(row.getByTestId('admin-user-role')).toHaveText('moderator');
  await admin.context.close();

  // The author posts and replies; the moderator and a reader (the author) watch the thread.
  await author.page.goto('/hubs/public');
  const title = `Moderate this ${Date.now()}`;
  await startThread(author.page, title, 'A post that stays.');
  await author.page.getByRole('link', { name: title }).click();
  await expect(author.page.getByRole('heading', { level: 1, name: title })).toBeVisible();
  const threadId = author.page.url().split('/threads/')[1] ?? '';
  const replyText = `A reply that breaks the rules (${Date.now()})`;
  const box = author.page.getByRole('form', { name: 'Your reply' });
  await box.getByLabel('Your reply').fill(replyText);
  await box.getByRole('button', { name: 'Send reply' }).click();
  const authorsReply = author.page.getByTestId('reply').filter({ hasText: replyText });
  await expect(badgeOf(authorsReply)).toHaveAttribute('data-badge', 'signed');

  // The moderator reloads so /me carries the new role, opens the thread and hides the reply.
  await moderator.page.goto(`/threads/${threadId}`);
  const modsReply = moderator.page.getByTestId('reply').filter({ hasText: replyText });
  await expect(badgeOf(modsReply)).toHaveAttribute('data-badge', 'signed');
  await modsReply.getByRole('button', { name: 'Hide' }).click();
  const dialog = moderator.page.getByRole('dialog', { name: 'Hide this item' });
  await expect(dialog.getByLabel('Reason')).toBeFocused();
  // Confirming without a reason is refused in place.
  await dialog.getByRole('button', { name: 'Hide' }).click();
  await expect(dialog).toBeVisible();
  await moderator.page.keyboard.type('Off-topic and rude');
  await moderator.page.keyboard.press('Tab'); // Cancel
  await moderator.page.keyboard.press('Tab'); // Hide
  await expect(dialog.getByRole('button', { name: 'Hide' })).toBeFocused();
  await moderator.page.keyboard.press('Enter');
  await expect(dialog).toBeHidden();

  // The author's page collapses the reply live, without a reload.
  const hiddenForAuthor = author.page.getByTestId('hidden-item');
  await expect(hiddenForAuthor.getByTestId('hidden-notice')).toHaveText('Hidden by a moderator: Off-topic and rude');
  await expect(author.page.getByText(replyText)).toHaveCount(0);
  // Still there and still verifiable: show it, and its badge checks.
  await hiddenForAuthor.getByRole('button', { name: 'Show it' }).click();
  await expect(hiddenForAuthor.getByText(replyText)).toBeVisible();
  await expect(badgeOf(hiddenForAuthor)).toHaveAttribute('data-badge', 'signed');
  await expect(moderator.page.getByTestId('hidden-item').getByTestId('hidden-notice')).toHaveText('Hidden by a moderator: Off-topic and rude');

  // The public moderation log lists it, with the moderation proof's own badge, for anyone.
  const visitor = await newPerson(browser, hubUrl);
  await visitor.page.goto('/moderation');
  const entry = visitor.page.getByTestId('moderation-entry').filter({ hasText: 'Off-topic and rude' });
  await expect(visitor.page.getByRole('link', { name: 'Admin' })).toHaveCount(0);
  await expect(entry).toContainText('Hide');
  await expect(entry).toContainText('Moderator');
  await expect(badgeOf(entry)).toHaveAttribute('data-badge', /signed|anchored|verified/);
  await entry.getByRole('link', { name: 'open the thread' }).click();
  await expect(visitor.page.getByTestId('hidden-item').getByTestId('hidden-notice')).toHaveText('Hidden by a moderator: Off-topic and rude');
  // A signed-out reader is offered no moderation buttons.
  await expect(visitor.page.getByRole('button', { name: 'Unhide' })).toHaveCount(0);

  // Unhide brings it back for everyone, live.
  await moderator.page.getByTestId('hidden-item').getByRole('button', { name: 'Unhide' }).click();
  const unhide = moderator.page.getByRole('dialog', { name: 'Show this item again' });
  await unhide.getByLabel('Reason').fill('Apology given');
  await unhide.getByRole('button', { name: 'Unhide' }).click();
  await expect(author.page.getByTestId('hidden-item')).toHaveCount(0);
  await expect(author.page.getByTestId('reply').filter({ hasText: replyText })).toBeVisible();
  await expect(visitor.page.getByTestId('reply').filter({ hasText: replyText })).toBeVisible();

  await visitor.context.close();
  await author.context.close();
  await moderator.context.close();
});

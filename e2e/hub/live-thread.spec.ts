// Two people in two browser contexts: one posts, the other sees it appear live and replies; both
// see the reply and a reaction count change live, and every badge is `signed` by the browser's
// own check.
import { badgeOf, expect, recordThread, signUp, startThread, test, threadRow } from '../fixtures';

test('two people post, reply and react, and see each other live', async ({ browser, hubUrl }) => {
  const alice = await signUp(browser, hubUrl, 'alice', 'Alice');
  const bob = await signUp(browser, hubUrl, 'bob', 'Bob');

  await alice.page.goto('/hubs/public');
  await bob.page.goto('/hubs/public');
  await expect(bob.page.getByRole('heading', { name: 'Threads' })).toBeVisible();

  // Alice starts a thread; Bob's hub page shows it without a reload.
  const title = `Hello from Alice ${Date.now()}`;
  await startThread(alice.page, title, 'First **post**, signed in my browser.');
  const bobsRow = threadRow(bob.page, title);
  await expect(bobsRow).toBeVisible();
  await expect(badgeOf(bobsRow)).toHaveAttribute('data-badge', 'signed');
  await expect(badgeOf(threadRow(alice.page, title))).toHaveAttribute('data-badge', 'signed');

  // Both open the thread.
  await bobsRow.getByRole('link', { name: title }).click();
  await expect(bob.page.getByRole('heading', { level: 1, name: title })).toBeVisible();
  const threadUrl = bob.page.url();
  const threadId = threadUrl.split('/threads/')[1] ?? '';
  await alice.page.goto(`/threads/${threadId}`);
  const aliceRoot = alice.page.getByTestId('thread-root');
  await expect(aliceRoot.getByText('First post, signed in my browser.')).toBeVisible();
  await expect(badgeOf(aliceRoot)).toHaveAttribute('data-badge', 'signed');
  await expect(badgeOf(bob.page.getByTestId('thread-root'))).toHaveAttribute('data-badge', 'signed');

  // Bob replies; Alice sees the reply arrive, and both see it checked.
  const replyText = `Nice to meet you, Alice (${Date.now()})`;
  const bobsReplyBox = bob.page.getByRole('form', { name: 'Your reply' });
  await bobsReplyBox.getByLabel('Your reply').fill(replyText);
  await bobsReplyBox.getByRole('button', { name: 'Send reply' }).click();
  const bobsReplyForAlice = alice.page.getByTestId('reply').filter({ hasText: replyText });
  await expect(bobsReplyForAlice).toBeVisible();
  await expect(badgeOf(bobsReplyForAlice)).toHaveAttribute('data-badge', 'signed');
  const bobsReplyForBob = bob.page.getByTestId('reply').filter({ hasText: replyText });
  await expect(badgeOf(bobsReplyForBob)).toHaveAttribute('data-badge', 'signed');
  await expect(bobsReplyBox.getByLabel('Your reply')).toHaveValue('');

  // Alice answers Bob's reply: a nested reply, shown one level deeper on both pages.
  await bobsReplyForAlice.getByRole('button', { name: 'Reply' }).click();
  const nestedBox = alice.page.getByRole('form', { name: 'Reply to Bob' });
  const nestedText = `Welcome, Bob (${Date.now()})`;
  await nestedBox.getByLabel('Reply to Bob').fill(nestedText);
  await nestedBox.getByRole('button', { name: 'Send reply' }).click();
  const nestedForBob = bob.page.getByTestId('reply').filter({ hasText: nestedText });
  await expect(nestedForBob).toBeVisible();
  await expect(bob.page.locator('li[data-depth="2"]').filter({ hasText: nestedText })).toBeVisible();
  await expect(badgeOf(nestedForBob)).toHaveAttribute('data-badge', 'signed');

  // Bob likes Alice's post: the count changes live on Alice's page, and Bob's button is pressed.
  const bobsLike = bob.page.getByTestId('thread-root').getByRole('button', { name: /Like/ });
  const alicesLikeCount = aliceRoot.getByTestId('count-like');
  await expect(alicesLikeCount).toHaveText('0');
  await bobsLike.click();
  await expect(bobsLike).toHaveAttribute('aria-pressed', 'true');
  await expect(alicesLikeCount).toHaveText('1');
  await expect(bob.page.getByTestId('thread-root').getByTestId('count-like')).toHaveText('1');
  // Alice marks it verified too; then Bob withdraws his like (a reaction with undo).
  await aliceRoot.getByRole('button', { name: /Verified/ }).click();
  await expect(bob.page.getByTestId('thread-root').getByTestId('count-verified')).toHaveText('1');
  await expect(bobsLike).toBeEnabled();
  await bobsLike.click();
  await expect(bobsLike).toHaveAttribute('aria-pressed', 'false');
  await expect(alicesLikeCount).toHaveText('0');

  // A reload shows the same state from the hub (counts and Bob's own reactions).
  await bob.page.reload();
  await expect(bob.page.getByTestId('thread-root').getByTestId('count-verified')).toHaveText('1');
  await expect(bob.page.getByTestId('thread-root').getByRole('button', { name: /Like/ })).toHaveAttribute('aria-pressed', 'false');
  await expect(bob.page.getByTestId('reply')).toHaveCount(2);

  recordThread({ id: threadId, hub: 'public', title, texts: ['First post, signed in my browser.', replyText, nestedText], items: 3, reader: null });
  await alice.context.close();
  await bob.context.close();
});

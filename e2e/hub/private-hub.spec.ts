// A private hub is invisible to a non-member (not listed, its page and threads answer not found),
// and visible to a member the owner adds by username.
import { badgeOf, expect, recordThread, signUp, startThread, test, threadRow, uniqueName } from '../fixtures';

test('a private hub is invisible to a non-member and open to an added member', async ({ browser, hubUrl }) => {
  const carol = await signUp(browser, hubUrl, 'carol', 'Carol');
  const dave = await signUp(browser, hubUrl, 'dave', 'Dave');
  const erin = await signUp(browser, hubUrl, 'erin', 'Erin');

  // Carol creates a private hub and starts a thread in it.
  const hubId = uniqueName('secret').replace(/_/g, '-');
  await carol.page.goto('/');
  const createForm = carol.page.getByRole('form', { name: 'Create a hub' });
  await createForm.getByLabel('Hub id').fill(hubId);
  await createForm.getByLabel('Name').fill('Carol’s secret hub');
  await createForm.getByLabel('Private (members only)').check();
  await createForm.getByRole('button', { name: 'Create hub' }).click();
  await expect(carol.page.getByRole('heading', { level: 1, name: 'Carol’s secret hub' })).toBeVisible();
  await expect(carol.page.getByText('Private hub: members only.')).toBeVisible();
  const title = `Members only ${Date.now()}`;
  await startThread(carol.page, title, 'Only members can read this.');
  const row = threadRow(carol.page, title);
  await expect(badgeOf(row)).toHaveAttribute('data-badge', 'signed');
  await row.getByRole('link', { name: title }).click();
  await expect(carol.page.getByRole('heading', { level: 1, name: title })).toBeVisible();
  const threadId = carol.page.url().split('/threads/')[1] ?? '';

  // Erin is not a member: the hub is not listed, and its page and thread are not found.
  await erin.page.goto('/');
  await expect(erin.page.getByTestId('hub-row').first()).toBeVisible();
  await expect(erin.page.getByTestId('hub-row').filter({ hasText: hubId })).toHaveCount(0);
  await erin.page.goto(`/hubs/${hubId}`);
  await expect(erin.page.getByTestId('hub-not-found')).toBeVisible();
  await expect(erin.page.getByText(title)).toHaveCount(0);
  await erin.page.goto(`/threads/${threadId}`);
  await expect(erin.page.getByRole('main').getByRole('alert')).toContainText('not_found');
  await expect(erin.page.getByText('Only members can read this.')).toHaveCount(0);
  // Nor can she read it over the API with her session.
  const apiAnswer = await erin.page.request.get(`/api/v1/threads/${threadId}`);
  expect(apiAnswer.status()).toBe(404);

  // Carol adds Dave; Dave sees the hub and the thread, checked in his browser.
  await carol.page.goto(`/hubs/${hubId}`);
  const memberForm = carol.page.getByRole('form', { name: 'Add a member' });
  await memberForm.getByLabel('Add a member by username').fill(dave.username);
  await memberForm.getByRole('button', { name: 'Add member' }).click();
  await expect(memberForm.getByRole('status')).toContainText(`@${dave.username} is now a member`);
  await dave.page.goto('/');
  await expect(dave.page.getByTestId('hub-row').filter({ hasText: hubId })).toBeVisible();
  await dave.page.goto(`/hubs/${hubId}`);
  await expect(badgeOf(threadRow(dave.page, title))).toHaveAttribute('data-badge', 'signed');

  recordThread({ id: threadId, hub: hubId, title, texts: ['Only members can read this.'], items: 1, reader: { username: dave.username, password: dave.password } });
  await Promise.all([carol.context.close(), dave.context.close(), erin.context.close()]);
});

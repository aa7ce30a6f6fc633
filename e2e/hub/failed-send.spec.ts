// A send the hub refuses shows why (the error code and message) and keeps the text, so nothing
// typed is lost; sending again once the cause is gone works. The refusal is real: the browser's
// clock runs an hour ahead, so the hub answers timestamp_skew.
import { badgeOf, expect, signUp, test, threadRow } from '../fixtures';

test('a refused post shows the code and message and keeps the text', async ({ browser, hubUrl }) => {
  const hank = await signUp(browser, hubUrl, 'hank', 'Hank');
  const page = hank.page;
  await page.goto('/hubs/public');
  await page.clock.setFixedTime(new Date(Date.now() + 60 * 60 * 1000));

  const title = `Sent from the future ${Date.now()}`;
  const body = 'This text must survive a refusal.';
  const form = page.getByRole('form', { name: 'Your post' });
  await form.getByLabel('Title').fill(title);
  await form.getByLabel('Your post').fill(body);
  await form.getByRole('button', { name: 'Post thread' }).click();
  await expect(form.getByRole('alert')).toContainText('timestamp_skew');
  await expect(form.getByLabel('Your post')).toHaveValue(body);
  await expect(form.getByLabel('Title')).toHaveValue(title);
  await expect(page.getByTestId('pending-item')).toHaveCount(0);
  await expect(threadRow(page, title)).toHaveCount(0);

  // The clock is right again: the same text goes through.
  await page.clock.setFixedTime(new Date());
  await form.getByRole('button', { name: 'Post thread' }).click();
  await expect(badgeOf(threadRow(page, title))).toHaveAttribute('data-badge', 'signed');
  await expect(form.getByLabel('Your post')).toHaveValue('');
  await expect(form.getByRole('alert')).toHaveCount(0);
  await hank.context.close();
});

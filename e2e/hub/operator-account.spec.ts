// An account an operator made on the command line has no key: at first sign-in the person is told
// so, makes one in Settings (the browser signs the identity proof and binds it), and can post.
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { badgeOf, expect, newPerson, signIn, startThread, test, threadRow, uniqueName } from '../fixtures';
import { readState } from '../hub-server';

test('an operator-made account binds a key made in the browser, then posts', async ({ browser, hubUrl }) => {
  const username = uniqueName('oper');
  const password = 'made by the operator';
  // The documented path: through the running hub's admin socket in its data dir.
  const created = execFileSync('npx', ['proofhub', 'admin', 'create-user', '--username', username, '--password-stdin', '--data-dir', readState().dataDir], {
    cwd: resolve(import.meta.dirname, '..', '..'),
    input: `${password}\n`,
    encoding: 'utf8',
  });
  expect(JSON.parse(created)).toMatchObject({ username, did: null });

  const { context, page } = await newPerson(browser, hubUrl);
  await signIn(page, username, password);
  await page.goto('/hubs/public');
  await expect(page.getByText('Your account has no signing key yet.')).toBeVisible();
  await page.getByRole('link', { name: 'Create one in Settings' }).click();
  await page.getByRole('button', { name: 'Create my signing key' }).click();
  await expect(page.getByTestId('my-did')).toHaveText(/^did:key:z6Mk/);

  await page.goto('/hubs/public');
  const title = `First post of an operator-made account ${Date.now()}`;
  await startThread(page, title, 'Bound and signing.');
  await expect(badgeOf(threadRow(page, title))).toHaveAttribute('data-badge', 'signed');
  await context.close();
});

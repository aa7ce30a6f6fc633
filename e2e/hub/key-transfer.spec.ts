// The signing key moves between browsers only as a passphrase-encrypted file: exported in
// Settings, imported in a second browser (a fresh context, its own IndexedDB), after which that
// browser can sign as the same person.
import { readFileSync } from 'node:fs';
import { badgeOf, expect, newPerson, signIn, signUp, startThread, test, threadRow } from '../fixtures';

test('a key exported in one browser signs in another after import', async ({ browser, hubUrl }) => {
  const frank = await signUp(browser, hubUrl, 'frank', 'Frank');
  await frank.page.goto('/settings');
  const did = (await frank.page.getByTestId('my-did').textContent()) ?? '';
  expect(did).toMatch(/^did:key:z6Mk/);
  // Debian's Chromium has WebCrypto Ed25519: the daily key is non-extractable.
  await expect(frank.page.getByText('a non-extractable WebCrypto key')).toBeVisible();
  const exportForm = frank.page.getByRole('form', { name: 'Export your key' });
  await exportForm.getByLabel('Passphrase', { exact: true }).fill('a long export passphrase');
  await exportForm.getByLabel('Passphrase again').fill('a long export passphrase');
  const downloading = frank.page.waitForEvent('download');
  await exportForm.getByRole('button', { name: 'Download key file' }).click();
  const download = await downloading;
  const keyFilePath = await download.path();
  const keyFile = JSON.parse(readFileSync(keyFilePath, 'utf8')) as { did: string; ciphertext: string };
  expect(keyFile.did).toBe(did);

  // A second browser: signed in, but it has no key, so it cannot sign and says why.
  const second = await newPerson(browser, hubUrl);
  await signIn(second.page, frank.username, frank.password);
  await expect(second.page.getByRole('link', { name: 'No key in this browser' })).toBeVisible();
  await second.page.goto('/hubs/public');
  await expect(second.page.getByText('Your signing key is not in this browser')).toBeVisible();

  // A wrong passphrase is refused; the right one imports the key.
  await second.page.goto('/settings');
  const importForm = second.page.getByRole('form', { name: 'Import a key file' });
  await importForm.getByLabel('Key file').setInputFiles(keyFilePath);
  await importForm.getByLabel('Passphrase of the file').fill('not the passphrase');
  await importForm.getByRole('button', { name: 'Import key' }).click();
  await expect(importForm.getByRole('alert')).toContainText('passphrase_wrong');
  await importForm.getByLabel('Passphrase of the file').fill('a long export passphrase');
  await importForm.getByRole('button', { name: 'Import key' }).click();
  await expect(importForm.getByRole('status')).toContainText(did);
  await expect(second.page.getByTestId('my-did')).toHaveText(did);

  // The second browser now signs as Frank.
  await second.page.goto('/hubs/public');
  const title = `Signed in my second browser ${Date.now()}`;
  await startThread(second.page, title, 'Same key, other browser.');
  await expect(badgeOf(threadRow(second.page, title))).toHaveAttribute('data-badge', 'signed');
  await Promise.all([frank.context.close(), second.context.close()]);
});

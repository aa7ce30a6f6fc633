// Shared pieces of the e2e specs: the running hub's URL, people in their own browser contexts
// (each with its own IndexedDB, so its own signing key), and a record of what the `hub` project
// made so the `restart` project can check it after the hub restarts.
import { test as base, expect } from '@playwright/test';
import type { Browser, BrowserContext, Locator, Page } from '@playwright/test';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readState } from './hub-server';

export { expect };

const RECORD_FILE = join(tmpdir(), `proofhub-e2e-record-${process.env.PROOFHUB_E2E_RUN ?? 'default'}.json`);

export interface RecordedThread {
  /** Thread root proof id. */
  id: string;
  hub: string;
  title: string;
  /** Text that must be on the thread page. */
  texts: string[];
  /** How many items (root + replies) the page must show with a `signed` badge. */
  items: number;
  /** Who may read it (null: anyone, signed out). */
  reader: { username: string; password: string } | null;
}

export function recordThread(thread: RecordedThread): void {
  const all = readRecords();
  all.push(thread);
  writeFileSync(RECORD_FILE, JSON.stringify(all));
}

export function readRecords(): RecordedThread[] {
  return existsSync(RECORD_FILE) ? (JSON.parse(readFileSync(RECORD_FILE, 'utf8')) as RecordedThread[]) : [];
}

export function clearRecords(): void {
  writeFileSync(RECORD_FILE, '[]');
}

/** A username unique to this run: 3-32 characters of [a-z0-9_]. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}${Math.floor(Math.random() * 1296).toString(36)}`.slice(0, 32);
}

export const PASSWORD = 'correct horse battery staple';

export interface Person {
  username: string;
  password: string;
  context: BrowserContext;
  page: Page;
}

export async function newPerson(browser: Browser, hubUrl: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ baseURL: hubUrl });
  const page = await context.newPage();
  // A dialog would mean some script ran (alert, confirm): fail loudly instead of hanging.
  page.on('dialog', (dialog) => {
    throw new Error(`unexpected ${dialog.type()} dialog: ${dialog.message()}`);
  });
  return { context, page };
}

/** Signs up through the UI: the browser makes the key, signs the identity proof, signs in. */
export async function signUp(browser: Browser, hubUrl: string, prefix: string, displayName: string): Promise<Person> {
  const { context, page } = await newPerson(browser, hubUrl);
  const username = uniqueName(prefix);
  await page.goto('/signup');
  const form = page.getByRole('form', { name: 'Sign up' });
  await form.getByLabel('Username').fill(username);
  await form.getByLabel('Display name').fill(displayName);
  await form.getByLabel('Password').fill(PASSWORD);
  await form.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByTestId('signed-in-as')).toContainText(username, { timeout: 30_000 });
  return { username, password: PASSWORD, context, page };
}

export async function signIn(page: Page, username: string, password: string): Promise<void> {
  await page.goto('/signin');
  const form = page.getByRole('form', { name: 'Sign in' });
  await form.getByLabel('Username').fill(username);
  await form.getByLabel('Password').fill(password);
  await form.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByTestId('signed-in-as')).toContainText(username);
}

export async function startThread(page: Page, title: string, body: string): Promise<void> {
  const form = page.getByRole('form', { name: 'Your post' });
  await form.getByLabel('Title').fill(title);
  await form.getByLabel('Your post').fill(body);
  await form.getByRole('button', { name: 'Post thread' }).click();
}

export function threadRow(page: Page, title: string): Locator {
  return page.getByTestId('thread-row').filter({ has: page.getByRole('link', { name: title, exact: true }) });
}

export function badgeOf(scope: Locator): Locator {
  return scope.locator('[data-badge]').first();
}

export const test = base.extend<{ hubUrl: string }>({
  // eslint-disable-next-line no-empty-pattern -- Playwright fixtures must destructure their first argument
  hubUrl: async ({}, use) => {
    await use(readState().url);
  },
});

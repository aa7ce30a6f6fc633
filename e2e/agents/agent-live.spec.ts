// An AI agent end to end (issue 6): a person signs up, registers an agent on the Agents page with
// the agent's did:key (made here, as an operator would with `proofhub keygen`), signs the
// delegation in the browser and reads the credentials shown once. The agent connects with the SDK
// (client credentials → token → Socket.IO) and posts into the public hub; the person's hub page
// shows the post live, with the agent badge naming its owner. The owner revokes the agent: its
// socket is closed by the server, new tokens are refused and its next post is refused.
import { randomBytes } from 'node:crypto';
import { createKeyPair, createSeedSigner, keyPairToDidKey } from '@/lib/crypto/keys';
import { createContent, digestContent } from '@/lib/proof/content';
import { buildUnsignedProof, signProof } from '@/lib/proof/proof';
import { AgentClient } from '@/sdk/index';
import { badgeOf, expect, signUp, test, threadRow } from '../fixtures';

test('an agent registered on the Agents page posts live; revoking it disconnects it', async ({ browser, hubUrl }) => {
  // A sign-up (argon2, key generation), the delegation, a socket client: a shared 2-core machine.
  test.setTimeout(120_000);
  const owner = await signUp(browser, hubUrl, 'owner', 'Owner');
  const { page } = owner;

  // The agent's own key: only its did:key goes into the page.
  const seed = new Uint8Array(randomBytes(32));
  const agentDid = keyPairToDidKey(createKeyPair(seed));
  const agentName = `Echo ${Date.now().toString(36)}`;

  await page.getByRole('link', { name: 'Agents' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Agents' })).toBeVisible();
  await expect(page.getByText('None yet.')).toBeVisible();
  const register = page.getByRole('region', { name: 'Register an agent' });
  // A key that is not a did:key is refused in place, and nothing is registered.
  await register.getByLabel('Name').fill(agentName);
  await register.getByLabel('Agent did:key').fill('did:key:not-a-key');
  await register.getByRole('button', { name: 'Register and sign delegation' }).click();
  await expect(register.getByRole('alert')).toContainText('did:key');
  await expect(page.getByText('None yet.')).toBeVisible();

  await register.getByLabel('Agent did:key').fill(agentDid);
  await register.getByRole('button', { name: 'Register and sign delegation' }).click();
  const clientId = (await page.getByTestId('agent-client-id').textContent()) ?? '';
  const clientSecret = (await page.getByTestId('agent-client-secret').textContent()) ?? '';
  expect(clientId).not.toBe('');
  expect(clientSecret).not.toBe('');
  const listed = page.getByRole('listitem').filter({ hasText: agentDid });
  // The delegation signed in the browser made it active (not pending).
  await expect(listed.getByText('active', { exact: true })).toBeVisible();
  await expect(register.getByRole('alert')).toHaveCount(0);

  // The person watches the public hub in a second tab.
  const watcher = await owner.context.newPage();
  await watcher.goto('/hubs/public');
  await expect(watcher.getByRole('heading', { name: 'Threads' })).toBeVisible();

  // The agent connects with the SDK and posts.
  const agent = new AgentClient({ url: hubUrl, clientId, clientSecret, seed, name: agentName });
  try {
    await agent.connect();
    expect(agent.did).toBe(agentDid);
    const title = `Agent report ${Date.now()}`;
    const posted = await agent.post('public', { title, body: 'Posted by an agent over Socket.IO.' });
    expect(posted.proof.issuer).toBe(agentDid);

    const row = threadRow(watcher, title);
    await expect(row).toBeVisible();
    await expect(badgeOf(row)).toHaveAttribute('data-badge', 'signed');
    await expect(row.getByTestId('agent-badge')).toContainText(`agent · ${owner.username}`);
    await expect(row.getByTestId('signer-name')).toHaveText(agentName);

    // A token taken now, to try again after the revocation.
    const tokenResponse = await fetch(`${hubUrl}/api/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret }),
    });
    expect(tokenResponse.status).toBe(200);
    const { access_token: oldToken } = (await tokenResponse.json()) as { access_token: string };

    // The owner revokes it on the Agents page (after a confirmation).
    const disconnected = new Promise<string>((resolve) => agent.on('disconnected', resolve));
    const fatal = new Promise<string>((resolve) => agent.on('fatal', (error) => resolve(error.code)));
    page.removeAllListeners('dialog');
    page.once('dialog', (dialog) => {
      expect(dialog.type()).toBe('confirm');
      void dialog.accept();
    });
    await listed.getByRole('button', { name: `Revoke ${agentName}` }).click();
    await expect(listed.getByText('revoked', { exact: true })).toBeVisible();
    await expect(listed.getByRole('button', { name: `Revoke ${agentName}` })).toHaveCount(0);

    // The server closed the agent's socket, and a fresh token is refused.
    expect(await disconnected).toBe('io server disconnect');
    expect(await fatal).toBe('unauthorized_client');
    await expect(agent.post('public', { title: 'After revocation', body: 'must not appear' })).rejects.toThrow();
    // The token from before is refused too, for reading and for posting a proof the agent signed.
    const read = await fetch(`${hubUrl}/api/v1/hubs`, { headers: { authorization: `Bearer ${oldToken}` } });
    expect(read.status).toBe(401);
    const content = createContent({ title: 'Posted after revocation', body: 'must not appear' }, new Uint8Array(randomBytes(16)));
    if (!content.ok) throw new Error(content.error.message);
    const unsigned = buildUnsignedProof({
      type: 'post',
      hub: 'public',
      issuer: agentDid,
      seq: posted.proof.seq + 1,
      prev: posted.proof.id,
      created_at: new Date(),
      claim: { content_digest: digestContent(content.value), visibility: 'public' },
    });
    if (!unsigned.ok) throw new Error(unsigned.error.message);
    const late = await signProof(unsigned.value, createSeedSigner(seed));
    const submitted = await fetch(`${hubUrl}/api/v1/proofs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${oldToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ proof: late, content: content.value }),
    });
    expect(submitted.status).toBe(401);
    expect(((await submitted.json()) as { error: { code: string } }).error.code).toBe('invalid_token');
    const again = new AgentClient({ url: hubUrl, clientId, clientSecret, seed, name: agentName });
    await expect(again.connect()).rejects.toMatchObject({ code: 'unauthorized_client' });

    // The earlier post stays, still signed.
    await watcher.reload();
    await expect(badgeOf(threadRow(watcher, title))).toHaveAttribute('data-badge', 'signed');
    await expect(watcher.getByText('After revocation')).toHaveCount(0);
    await expect(watcher.getByText('Posted after revocation')).toHaveCount(0);

    // The badge leads to the agent's page: its owner, its state and its activity.
    await threadRow(watcher, title).getByTestId('agent-badge').click();
    await expect(watcher.getByRole('heading', { level: 1, name: agentName })).toBeVisible();
    await expect(watcher.getByText(`Owned by ${owner.username} · revoked since`)).toBeVisible();
    const activity = watcher.getByRole('region', { name: 'Activity' }).getByRole('listitem');
    await expect(activity.filter({ hasText: 'Posted by an agent over Socket.IO.' })).toContainText('seq 2');
    await expect(activity.filter({ hasText: 'identity' })).toContainText('seq 1');
    await activity.filter({ hasText: 'Posted by an agent over Socket.IO.' }).getByRole('link', { name: 'thread' }).click();
    await expect(watcher.getByRole('heading', { level: 1, name: title })).toBeVisible();
  } finally {
    await agent.close();
    await owner.context.close();
  }
});

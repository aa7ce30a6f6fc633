// Moderation end to end on a real hub (HTTP + Socket.IO + database): roles (first account admin,
// grant/revoke over REST and the admin socket's operations), admission of moderation proofs (only
// moderators and admins; a refused one changes nothing), the views they derive (hidden, flags),
// the live push to readers of the thread, and the public moderation log.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdminUserView, ModerationLogPage } from '@/lib/protocol/moderation';
import type { ProofNewEvent } from '@/lib/protocol/events';
import type { ThreadDetail } from '@/lib/protocol/views';
import type { ModerationAction } from '@/lib/proof/schema';
import { runAdminRequest } from '../admin/operations';
import { startTestHub } from '../testing/hub';
import type { TestHub, TestUser } from '../testing/hub';
import { snapshotViews } from './views';

let hub: TestHub;
let admin: TestUser;
let mod: TestUser;
let carol: TestUser;

beforeAll(async () => {
  hub = await startTestHub();
  admin = await hub.signUp('admin');
  mod = await hub.signUp('mod');
  carol = await hub.signUp('carol');
});

afterAll(async () => {
  await hub.close();
});

function moderation(user: TestUser, hubId: string, target: string, action: ModerationAction, reason: string, options: { advance?: boolean } = {}) {
  return user.identity.sign('moderation', hubId, { target, action, reason }, options);
}

async function submit(user: TestUser, payload: { proof: unknown; content?: unknown }) {
  return hub.fetchJson<{ id?: string; error?: { code: string } }>('/api/v1/proofs', { body: payload, cookie: user.cookie });
}

async function thread(id: string, user?: TestUser): Promise<ThreadDetail> {
  const response = await hub.fetchJson<ThreadDetail>(`/api/v1/threads/${id}`, user === undefined ? {} : { cookie: user.cookie });
  expect(response.status).toBe(200);
  return response.body;
}

async function everything(): Promise<unknown> {
  return {
    proofs: await hub.ctx.prisma.proof.count(),
    heads: await hub.ctx.prisma.identityView.findMany({ orderBy: { did: 'asc' }, select: { did: true, headSeq: true } }),
    views: await snapshotViews(hub.ctx.prisma),
  };
}

describe('roles', () => {
  it('makes the first account admin, who grants and revokes moderator; others cannot', async () => {
    expect((await hub.fetchJson('/api/v1/me', { cookie: admin.cookie })).body).toMatchObject({ role: 'admin' });
    expect((await hub.fetchJson('/api/v1/me', { cookie: mod.cookie })).body).toMatchObject({ role: 'user' });

    expect(await hub.fetchJson('/api/v1/admin/users', { cookie: carol.cookie })).toMatchObject({ status: 403, body: { error: { code: 'forbidden' } } });
    expect(await hub.fetchJson('/api/v1/admin/users')).toMatchObject({ status: 401, body: { error: { code: 'not_signed_in' } } });
    expect(await hub.fetchJson('/api/v1/admin/users/mod/role', { method: 'PUT', body: { role: 'moderator' }, cookie: carol.cookie })).toMatchObject({ status: 403 });

    const listed = await hub.fetchJson<{ users: AdminUserView[] }>('/api/v1/admin/users', { cookie: admin.cookie });
    expect(listed.body.users.map((user) => [user.username, user.role])).toEqual([['admin', 'admin'], ['mod', 'user'], ['carol', 'user']]);

    const granted = await hub.fetchJson('/api/v1/admin/users/mod/role', { method: 'PUT', body: { role: 'moderator' }, cookie: admin.cookie });
    expect(granted).toMatchObject({ status: 200, body: { user: { username: 'mod', role: 'moderator' } } });
    expect((await hub.fetchJson('/api/v1/me', { cookie: mod.cookie })).body).toMatchObject({ role: 'moderator' });

    expect(await hub.fetchJson('/api/v1/admin/users/admin/role', { method: 'PUT', body: { role: 'user' }, cookie: admin.cookie })).toMatchObject({ status: 403, body: { error: { code: 'forbidden' } } });
    expect(await hub.fetchJson('/api/v1/admin/users/nobody/role', { method: 'PUT', body: { role: 'moderator' }, cookie: admin.cookie })).toMatchObject({ status: 404, body: { error: { code: 'unknown_user' } } });
    expect(await hub.fetchJson('/api/v1/admin/users/mod/role', { method: 'PUT', body: { role: 'admin' }, cookie: admin.cookie })).toMatchObject({ status: 400, body: { error: { code: 'invalid_request' } } });
  });

  it('grants and revokes through the admin socket operations (the CLI path)', async () => {
    const deps = { prisma: hub.ctx.prisma, users: hub.ctx.users };
    expect(await runAdminRequest(deps, { op: 'grant-moderator', username: 'Carol' })).toMatchObject({ ok: true, data: { username: 'carol', role: 'moderator' } });
    expect(await runAdminRequest(deps, { op: 'revoke-moderator', username: 'carol' })).toMatchObject({ ok: true, data: { username: 'carol', role: 'user' } });
    expect(await runAdminRequest(deps, { op: 'grant-moderator', username: 'ghost' })).toMatchObject({ ok: false, error: { code: 'unknown_user' } });
    expect(await runAdminRequest(deps, { op: 'grant-moderator' })).toMatchObject({ ok: false, error: { code: 'invalid_request' } });
  });
});

describe('moderation proofs', () => {
  let postId: string;
  let replyId: string;

  beforeAll(async () => {
    const post = await carol.identity.post('public', { title: 'Moderate me', body: 'a post' });
    expect((await submit(carol, post)).status).toBe(201);
    const reply = await carol.identity.reply('public', post.proof, 'a rude reply');
    expect((await submit(carol, reply)).status).toBe(201);
    postId = post.proof.id;
    replyId = reply.proof.id;
  });

  it('refuses a non-moderator\'s moderation proof and changes nothing', async () => {
    const before = await everything();
    const refused = await submit(carol, { proof: await moderation(carol, 'public', replyId, 'hide', 'my own reply', { advance: false }) });
    expect(refused).toMatchObject({ status: 403, body: { error: { code: 'forbidden' } } });
    expect(await everything()).toEqual(before);
    expect((await thread(postId)).replies[0]?.moderation).toBeUndefined();
  });

  it('refuses bad targets: unknown, not a post or reply, another hub, a private hub', async () => {
    const before = await everything();
    expect(await submit(mod, { proof: await moderation(mod, 'public', 'a'.repeat(64), 'hide', 'x', { advance: false }) })).toMatchObject({ body: { error: { code: 'unknown_parent' } } });
    const identityProof = await hub.ctx.prisma.proof.findFirstOrThrow({ where: { type: 'identity' }, select: { id: true } });
    expect(await submit(mod, { proof: await moderation(mod, 'public', identityProof.id, 'hide', 'x', { advance: false }) })).toMatchObject({ body: { error: { code: 'invalid_claim' } } });
    expect((await hub.fetchJson('/api/v1/hubs', { body: { id: 'other', name: 'Other' }, cookie: carol.cookie })).status).toBe(201);
    expect(await submit(mod, { proof: await moderation(mod, 'other', replyId, 'hide', 'x', { advance: false }) })).toMatchObject({ body: { error: { code: 'wrong_hub' } } });
    const valid = await moderation(mod, 'public', replyId, 'hide', 'x', { advance: false });
    expect(await submit(mod, { proof: { ...valid, claim: { ...valid.claim, reason: '' } } })).toMatchObject({ body: { error: { code: 'invalid_claim' } } });
    expect(await submit(mod, { proof: { ...valid, claim: { ...valid.claim, action: 'delete' } } })).toMatchObject({ body: { error: { code: 'invalid_claim' } } });
    expect(await everything()).toEqual({ ...(before as object), views: expect.anything() as unknown });
    expect((await snapshotViews(hub.ctx.prisma)).moderation_views).toEqual([]);

    expect((await hub.fetchJson('/api/v1/hubs', { body: { id: 'den', name: 'Den', visibility: 'private' }, cookie: carol.cookie })).status).toBe(201);
    const secret = await carol.identity.post('den', { body: 'members only' });
    expect((await submit(carol, secret)).status).toBe(201);
    expect(await submit(mod, { proof: await moderation(mod, 'den', secret.proof.id, 'hide', 'x', { advance: false }) })).toMatchObject({ body: { error: { code: 'private_hub' } } });
  });

  it('hide, unhide and flag change the views, and readers of the thread get each change live', async () => {
    const reader = await hub.connect(); // signed out: hidden items are hidden for everyone
    expect(await reader.emitWithAck('subscribe', { thread: postId })).toMatchObject({ ok: true });
    const events: ProofNewEvent[] = [];
    reader.on('proof:new', (event) => events.push(event));
    const waitFor = async (count: number) => {
      for (let i = 0; i < 200 && events.length < count; i++) await new Promise((resolve) => setTimeout(resolve, 25));
      expect(events).toHaveLength(count);
    };

    const hide = await moderation(mod, 'public', replyId, 'hide', 'rude');
    expect(await submit(mod, { proof: hide })).toMatchObject({ status: 201, body: { id: hide.id } });
    let detail = await thread(postId);
    expect(detail.replies[0]).toMatchObject({
      content: { body: 'a rude reply' }, // still delivered: the item stays verifiable
      moderation: { hidden: true, hidden_reason: 'rude', hidden_by: { did: mod.identity.did, username: 'mod' }, hidden_proof: hide.id, flags: 0 },
    });
    expect(detail.replies).toHaveLength(1); // the moderation proof is not a reply
    await waitFor(1);
    expect(events[0]).toMatchObject({ proof: { id: hide.id, type: 'moderation' }, view: { thread: postId, parent: replyId }, moderation: { target: replyId, thread: postId, moderation: { hidden: true, hidden_reason: 'rude' } } });

    const flag = await moderation(admin, 'public', postId, 'flag', 'needs a source');
    expect((await submit(admin, { proof: flag })).status).toBe(201);
    const unhide = await moderation(mod, 'public', replyId, 'unhide', 'edited in spirit');
    expect((await submit(mod, { proof: unhide })).status).toBe(201);
    detail = await thread(postId, carol);
    expect(detail.root.moderation).toMatchObject({ hidden: false, flags: 1, last_flag_reason: 'needs a source' });
    expect(detail.replies[0]?.moderation).toMatchObject({ hidden: false, hidden_reason: null, hidden_by: null, last_proof: unhide.id });
    await waitFor(3);
    expect(events.map((event) => event.moderation?.moderation.hidden)).toEqual([true, false, false]);
    expect(events[1]?.moderation).toMatchObject({ target: postId, moderation: { flags: 1 } });

    // A moderation proof is a proof like the others: in the log, readable by id.
    expect(await hub.fetchJson(`/api/v1/proofs/${hide.id}`)).toMatchObject({ status: 200, body: { proof: hide, status: 'signed', view: { type: 'moderation' } } });
  });

  it('lists every action in the public moderation log, newest first, paginated and per hub', async () => {
    const page = await hub.fetchJson<ModerationLogPage>('/api/v1/moderation?limit=2');
    expect(page.status).toBe(200);
    expect(page.body.actions.map((entry) => [entry.action, entry.reason, entry.moderator.username])).toEqual([
      ['unhide', 'edited in spirit', 'mod'],
      ['flag', 'needs a source', 'admin'],
    ]);
    expect(page.body.actions[0]).toMatchObject({ target: replyId, thread: postId, proof: { type: 'moderation' }, view: { status: 'signed' } });
    expect(page.body.next_cursor).not.toBeNull();
    const next = await hub.fetchJson<ModerationLogPage>(`/api/v1/moderation?limit=2&cursor=${page.body.next_cursor ?? ''}`);
    expect(next.body.actions.map((entry) => entry.action)).toEqual(['hide']);
    expect(next.body.next_cursor).toBeNull();

    expect((await hub.fetchJson<ModerationLogPage>('/api/v1/moderation?hub=public')).body.actions).toHaveLength(3);
    expect((await hub.fetchJson<ModerationLogPage>('/api/v1/moderation?hub=other')).body.actions).toEqual([]);
    expect(await hub.fetchJson('/api/v1/moderation?hub=den')).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } });
    expect(await hub.fetchJson('/api/v1/moderation?cursor=abc')).toMatchObject({ status: 400, body: { error: { code: 'invalid_request' } } });
  });

  it('hides in a private hub only for its members\' eyes in the log', async () => {
    const secret = await hub.ctx.prisma.proof.findFirstOrThrow({ where: { hub: 'den', type: 'post' }, select: { id: true } });
    // carol owns den and is made moderator for this case.
    expect((await hub.fetchJson('/api/v1/admin/users/carol/role', { method: 'PUT', body: { role: 'moderator' }, cookie: admin.cookie })).status).toBe(200);
    expect((await submit(carol, { proof: await moderation(carol, 'den', secret.id, 'hide', 'members-only reason') })).status).toBe(201);
    const outsider = await hub.fetchJson<ModerationLogPage>('/api/v1/moderation', { cookie: mod.cookie });
    expect(outsider.body.actions.map((entry) => entry.proof.hub)).not.toContain('den');
    const member = await hub.fetchJson<ModerationLogPage>('/api/v1/moderation', { cookie: carol.cookie });
    expect(member.body.actions[0]).toMatchObject({ action: 'hide', reason: 'members-only reason', proof: { hub: 'den' } });
  });
});

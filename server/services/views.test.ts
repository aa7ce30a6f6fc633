// Views are a function of the proofs: after a realistic history (threads, nested replies,
// reactions and their undo, a key rotation, a private hub), rebuilding from the proofs alone gives
// exactly the views that live ingest built.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContext } from '../context';
import type { AppContext } from '../context';
import { createTestDatabase } from '../testing/database';
import type { TestDatabase } from '../testing/database';
import { TestIdentity } from '../testing/identities';
import type { SignedWithContent } from '../testing/identities';
import { createHub } from './hubs';
import { setModeratorRole } from './moderation';
import { rebuildViews, snapshotViews } from './views';

let testDb: TestDatabase;
let ctx: AppContext;

beforeAll(async () => {
  testDb = await createTestDatabase();
  ctx = await createContext({ database: testDb.db, secret: 'x'.repeat(32) });
});

afterAll(async () => {
  await testDb.destroy();
});

describe('rebuild-views', () => {
  it('recomputes from proofs alone exactly the views live ingest built', async () => {
    const people = [new TestIdentity(), new TestIdentity(), new TestIdentity()] as const;
    const ids: string[] = [];
    for (const [index, person] of people.entries()) {
      const result = await ctx.users.signup({ username: `user${index}`, password: 'correct horse battery', identity: await person.identity(`User ${index}`) }, 'test');
      if (!result.ok) throw new Error(result.error.message);
      ids.push(result.value.id);
    }
    const [a, b, c] = people;
    const [aId, bId, cId] = ids as [string, string, string];
    expect((await createHub(ctx.prisma, aId, { id: 'den', name: 'Den', visibility: 'private' })).ok).toBe(true);
    const submit = async (_who: TestIdentity, userId: string, item: SignedWithContent) => {
      const result = await ctx.ingest.submit(item, userId);
      if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
    };

    const t1 = await a.post('public', { title: 'one', body: 'first thread' });
    await submit(a, aId, t1);
    const t2 = await b.post('public', { title: 'two', body: 'second thread' });
    await submit(b, bId, t2);
    const r1 = await b.reply('public', t1.proof, 'reply');
    await submit(b, bId, r1);
    const r2 = await c.reply('public', r1.proof, 'nested');
    await submit(c, cId, r2);
    await submit(a, aId, { proof: await a.rotate() }); // later proofs of a verify against the new key
    const r3 = await a.reply('public', r2.proof, 'deeper, signed with the rotated key');
    await submit(a, aId, r3);
    for (const [who, userId, target, kind, undo] of [
      [b, bId, t1.proof.id, 'like', false],
      [c, cId, t1.proof.id, 'like', false],
      [c, cId, t1.proof.id, 'like', true],
      [a, aId, r2.proof.id, 'verified', false],
      [b, bId, t2.proof.id, 'disputed', false],
      [b, bId, t2.proof.id, 'disputed', true],
      [b, bId, t2.proof.id, 'disputed', false],
    ] as const) {
      await submit(who, userId, { proof: await who.react('public', target, kind, undo) });
    }
    await submit(a, aId, await a.post('den', { body: 'private' }));
    await submit(c, cId, { proof: await c.sign('identity', 'public', { name: 'Renamed' }) });
    // Moderation (a, the first account, is admin): hidden, shown again, hidden for another reason;
    // flagged twice; a moderator whose role is later revoked still counts (decided at admission).
    expect((await setModeratorRole(ctx.prisma, 'user1', 'moderator')).ok).toBe(true);
    for (const [who, userId, target, action, reason] of [
      [a, aId, r1.proof.id, 'hide', 'spam'],
      [b, bId, r1.proof.id, 'unhide', 'not spam after all'],
      [a, aId, r1.proof.id, 'hide', 'off topic'],
      [b, bId, t2.proof.id, 'flag', 'needs a source'],
      [a, aId, t2.proof.id, 'flag', 'still no source'],
      [b, bId, r2.proof.id, 'hide', 'rude'],
      [a, aId, r2.proof.id, 'unhide', 'apology given'],
    ] as const) {
      await submit(who, userId, { proof: await who.sign('moderation', 'public', { target, action, reason }) });
    }
    expect((await setModeratorRole(ctx.prisma, 'user1', 'user')).ok).toBe(true);

    const live = await snapshotViews(ctx.prisma);
    expect(live.thread_views).toHaveLength(3);
    expect(live.reply_views).toHaveLength(3);
    expect(live.identity_views).toContainEqual(expect.objectContaining({ did: c.did, displayName: 'Renamed' }));
    const moderated: Record<string, unknown>[] = [
      { targetId: r1.proof.id, hidden: true, hiddenReason: 'off topic', hiddenBy: a.did, flagCount: 0 },
      { targetId: r2.proof.id, hidden: false, hiddenReason: null, hiddenBy: null, flagCount: 0 },
      { targetId: t2.proof.id, hidden: false, flagCount: 2, lastFlagReason: 'still no source' },
    ];
    moderated.sort((x, y) => String(x.targetId).localeCompare(String(y.targetId)));
    expect(live.moderation_views).toEqual(moderated.map((row) => expect.objectContaining(row) as unknown));

    const report = await rebuildViews(ctx.prisma);
    expect(report.proofs).toBe(await ctx.prisma.proof.count());
    expect(await snapshotViews(ctx.prisma)).toEqual(live);

    // Views emptied by hand come back the same too.
    await ctx.prisma.threadView.deleteMany();
    await ctx.prisma.reactionCount.deleteMany();
    await ctx.prisma.moderationView.deleteMany();
    await rebuildViews(ctx.prisma);
    expect(await snapshotViews(ctx.prisma)).toEqual(live);
  }, 180_000); // ~40 signed proofs, three sign-ups (argon2) and three rebuilds on a shared 2-core machine
});

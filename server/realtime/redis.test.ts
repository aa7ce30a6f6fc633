// Several web instances on one database and one Redis (REDIS_TEST_URL; .ci/run starts Redis): a
// proof submitted on one instance reaches a socket on the other (Socket.IO Redis adapter), and an
// account's rate-limit budget is shared between them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import type { ProofNewEvent } from '@/lib/protocol/events';
import { connectRedis } from '../redis';
import type { RedisConnection } from '../redis';
import { createTestDatabase } from '../testing/database';
import type { TestDatabase } from '../testing/database';
import { startTestHub } from '../testing/hub';
import type { TestHub } from '../testing/hub';

const REDIS_URL = process.env.REDIS_TEST_URL;

describe.runIf(REDIS_URL !== undefined && REDIS_URL !== '')('two web instances with Redis', () => {
  let testDb: TestDatabase;
  const connections: RedisConnection[] = [];
  let a: TestHub;
  let b: TestHub;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    // A prefix of its own, so parallel runs on one Redis never hear each other.
    const prefix = `proofhub-test-${randomBytes(4).toString('hex')}`;
    for (let i = 0; i < 2; i++) connections.push(await connectRedis(REDIS_URL ?? '', prefix));
    const secret = randomBytes(32).toString('base64url');
    const rateLimits = { proofs: { points: 2, windowSeconds: 60 }, signups: { points: 10, windowSeconds: 60 }, logins: { points: 10, windowSeconds: 60 } };
    a = await startTestHub({ testDb, redis: connections[0], secret, rateLimits });
    b = await startTestHub({ testDb, redis: connections[1], secret, rateLimits });
    // A fresh database and two hubs: over a minute on the shared machine at a load of 40.
  }, 180_000);

  afterAll(async () => {
    await a.close();
    await b.close();
    for (const connection of connections) await connection.close();
    await testDb.destroy();
  });

  it('delivers across instances and shares rate limits', async () => {
    const alice = await a.signUp('alice');
    const listener = await b.connect();
    expect(await listener.emitWithAck('subscribe', { hub: 'public' })).toMatchObject({ ok: true });
    const arrived = new Promise<ProofNewEvent>((resolve) => {
      listener.on('proof:new', (event) => {
        if (event.proof.type === 'post') resolve(event);
      });
    });
    const sender = await a.connect(alice.cookie);
    const post = await alice.identity.post('public', { body: 'from instance A' });
    expect(await sender.emitWithAck('proof:submit', post)).toMatchObject({ ok: true });
    expect((await arrived).proof).toEqual(post.proof);

    // Budget of 2: one spent on A above, one on B, the third (on A) is refused.
    const onB = await b.fetchJson('/api/v1/proofs', { body: { proof: await alice.identity.react('public', post.proof.id, 'like') }, cookie: alice.cookie });
    expect(onB.status).toBe(201);
    const third = await a.fetchJson('/api/v1/proofs', { body: await alice.identity.post('public', { body: 'one too many' }, { advance: false }), cookie: alice.cookie });
    expect(third).toMatchObject({ status: 429, body: { error: { code: 'rate_limited' } } });
  });
});

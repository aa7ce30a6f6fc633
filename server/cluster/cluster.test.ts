// A real cluster (two web instance processes, the sticky proxy, PostgreSQL at PG_TEST_URL, Redis
// at REDIS_TEST_URL; skipped when either is unset, .ci/run sets both): a post made on instance A
// reaches a client on instance B and one behind the proxy; a client that drops gets what it missed,
// in log order, exactly once, from whichever instance it lands on.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStickyProxy, STICKY_COOKIE } from './proxy';
import { connectClient, RoomFollower, startTestCluster, waitFor } from './testing';
import type { ClusterUser, TestCluster } from './testing';
import type { SignedWithContent } from '../testing/identities';
import { checkClusterConfig } from './launcher';

const REDIS_URL = process.env.REDIS_TEST_URL ?? '';
// Always PostgreSQL: run once, in the first pass of npm test, not again in its PostgreSQL pass.
const PG_URL = process.env.PROOFHUB_TEST_DB === 'postgres' ? '' : (process.env.PG_TEST_URL ?? '');

describe('cluster configuration', () => {
  it('refuses to start without PostgreSQL and Redis, naming both', () => {
    expect(() => checkClusterConfig({ instances: 2, databaseUrl: undefined, redisUrl: undefined })).toThrow(/DATABASE_URL must name a PostgreSQL database[\s\S]*REDIS_URL must name a Redis server/);
    expect(() => checkClusterConfig({ instances: 2, databaseUrl: 'postgres://x/y', redisUrl: 'http://nope' })).toThrow(/^REDIS_URL/);
    expect(() => checkClusterConfig({ instances: 0, databaseUrl: 'postgres://x/y', redisUrl: 'redis://x' })).toThrow(/instance count/);
  });

  it('the proxy answers 502 with a code when no instance is reachable', async () => {
    const proxy = createStickyProxy([{ host: '127.0.0.1', port: 1 }]);
    const { port } = await proxy.listen(0, '127.0.0.1');
    try {
      const response = await fetch(`http://127.0.0.1:${port}/health`);
      expect(response.status).toBe(502);
      expect(await response.json()).toMatchObject({ error: { code: 'unavailable' } });
    } finally {
      await proxy.close();
    }
  });
});

describe.runIf(REDIS_URL !== '' && PG_URL !== '')('two web instances behind the proxy', () => {
  let cluster: TestCluster;
  let alice: ClusterUser;

  beforeAll(async () => {
    cluster = await startTestCluster({ redisUrl: REDIS_URL });
    alice = await cluster.signUp('alice', cluster.instances[0]?.url);
  }, 240_000);

  afterAll(async () => {
    await cluster?.destroy();
  });

  it('pins browsers with a cookie and spreads new ones over the instances', async () => {
    const first = await fetch(`${cluster.url}/health`);
    const second = await fetch(`${cluster.url}/health`);
    const pins = [first, second].map((response) => response.headers.get('set-cookie') ?? '');
    expect(new Set(pins.map((cookie) => cookie.match(new RegExp(`${STICKY_COOKIE}=(\\d+)`))?.[1]))).toEqual(new Set(['0', '1']));
    const pinned = await fetch(`${cluster.url}/health`, { headers: { cookie: `${STICKY_COOKIE}=1` } });
    expect(pinned.headers.get('set-cookie')).toBeNull();
  });

  it('delivers a post made on instance A to a client on instance B and to one behind the proxy', async () => {
    const [a, b] = cluster.instances;
    const onB = new RoomFollower('public');
    const viaProxy = new RoomFollower('public');
    await onB.attach(b?.url ?? '');
    await viaProxy.attach(cluster.url);
    const sender = await connectClient(a?.url ?? '', alice.cookie);
    const post = await alice.identity.post('public', { body: 'made on A' });
    expect(await sender.emitWithAck('proof:submit', post)).toMatchObject({ ok: true });
    await waitFor(() => onB.has(post.proof.id) && viaProxy.has(post.proof.id), 'the post on B and behind the proxy');
    expect(onB.received.at(-1)?.proof).toEqual(post.proof);
    sender.disconnect();
    onB.detach();
    viaProxy.detach();
  });

  it('gives a client that dropped every proof it missed, in log order, exactly once', async () => {
    const [a, b] = cluster.instances;
    const follower = new RoomFollower('public');
    await follower.attach(b?.url ?? '');
    const sender = await connectClient(a?.url ?? '', alice.cookie);
    const seen = await alice.identity.post('public', { body: 'seen live' });
    expect(await sender.emitWithAck('proof:submit', seen)).toMatchObject({ ok: true });
    await waitFor(() => follower.has(seen.proof.id), 'the live post');
    follower.detach();

    // Missed while away: a post, a reply to it and a reaction, stored through instance A.
    const missed: SignedWithContent[] = [await alice.identity.post('public', { body: 'missed 1' })];
    missed.push(await alice.identity.reply('public', missed[0]!.proof, 'missed 2'));
    missed.push({ proof: await alice.identity.react('public', missed[0]!.proof.id, 'like') });
    for (const item of missed) expect(await sender.emitWithAck('proof:submit', item)).toMatchObject({ ok: true });

    // Back through the proxy (either instance): replayed before the subscribe ack.
    const before = follower.received.length;
    const { replayed } = await follower.attach(cluster.url);
    expect(replayed).toBe(3);
    const caughtUp = follower.received.slice(before);
    expect(caughtUp.map((event) => event.proof.id)).toEqual(missed.map((item) => item.proof.id));
    const indexes = caughtUp.map((event) => event.view.log_index);
    expect(indexes).toEqual([...indexes].sort((x, y) => x - y));

    // And live again afterwards, once.
    const after = await alice.identity.post('public', { body: 'live again' });
    expect(await sender.emitWithAck('proof:submit', after)).toMatchObject({ ok: true });
    await waitFor(() => follower.has(after.proof.id), 'the post after the catch-up');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(follower.duplicates).toBe(0);
    expect(follower.received.slice(before).map((event) => event.proof.id)).toEqual([...missed.map((item) => item.proof.id), after.proof.id]);
    sender.disconnect();
    follower.detach();
  });

  it('serves /ready and /metrics on every instance', async () => {
    for (const instance of cluster.instances) {
      const ready = await fetch(`${instance.url}/ready`);
      expect(ready.status).toBe(200);
      const text = await (await fetch(`${instance.url}/metrics`)).text();
      expect(text).toMatch(/proofhub_db_pool_connections\{pool="main",state="total"\} \d+/);
    }
  });
});

// Follower takeover under a crash (issue 7 fault tests): two web instances on PostgreSQL + Redis
// anchor on four real validators (workers/devnet.ts); the instance whose connection holds the
// chain follower's advisory lock gets kill -9. Its connection dies with it, PostgreSQL releases
// the lock, the other instance takes over, and every proof posted before and after the crash ends
// verified. A client following the hub through the proxy (RoomFollower: both catch-up cursors)
// ends with each of those proofs verified, each status once. Always PostgreSQL, like
// fault.test.ts: it runs in the first pass of npm test, when PG_TEST_URL and REDIS_TEST_URL are set.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevnet } from '@/workers/devnet';
import type { Devnet } from '@/workers/devnet';
import { freeBasePort } from '@/workers/ports';
import { followerPid, RoomFollower, startTestCluster, waitFor } from './testing';
import type { ClusterUser, TestCluster } from './testing';

const REDIS_URL = process.env.REDIS_TEST_URL ?? '';
const PG_URL = process.env.PROOFHUB_TEST_DB === 'postgres' ? '' : (process.env.PG_TEST_URL ?? '');

/** Resolves with probe's value once it is not null; polls every 200 ms. */
async function until<T>(what: string, probe: () => Promise<T | null>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe.runIf(REDIS_URL !== '' && PG_URL !== '')('kill -9 the commit-stream follower', () => {
  let dir: string;
  let devnet: Devnet | undefined;
  let cluster: TestCluster | undefined;
  let alice: ClusterUser;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'proofhub-takeover-'));
    devnet = await startDevnet({ dir, basePort: await freeBasePort(4), logLevel: 'warn', readyTimeoutMs: 180_000 });
    cluster = await startTestCluster({ redisUrl: REDIS_URL, env: { CHAIN_GENESIS: devnet.genesisPath, CHAIN_RPC: devnet.urls.join(',') } });
    alice = await cluster.signUp('alice', cluster.instances[0]?.url);
  }, 300_000);

  afterAll(async () => {
    await cluster?.destroy();
    await devnet?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('another instance takes over and every proof posted before and after ends verified', async () => {
    const current = cluster as TestCluster;
    const leaderPid = await until('an instance following the commits', () => followerPid(current.databaseUrl));
    const leader = current.instances.findIndex((instance) => instance.child.pid === leaderPid);
    expect(leader, `follower pid ${leaderPid} is one of the instances`).toBeGreaterThanOrEqual(0);
    const other = current.instances[1 - leader];
    if (other === undefined) throw new Error('two instances expected');

    const follower = new RoomFollower('public');
    await follower.attach(current.url, undefined, { reconnection: true });
    const post = async (body: string, base: string): Promise<string> => {
      const item = await alice.identity.post('public', { body });
      const response = await fetch(`${base}/api/v1/proofs`, { method: 'POST', headers: { 'content-type': 'application/json', cookie: alice.cookie }, body: JSON.stringify(item) });
      expect(response.status).toBe(201);
      return item.proof.id;
    };
    const statusOf = async (id: string): Promise<string> => ((await (await fetch(`${other.url}/api/v1/proofs/${id}`)).json()) as { status: string }).status;

    const before = [await post('before the crash 1', other.url), await post('before the crash 2', other.url)];
    await until('the first proof verified under the first follower', async () => ((await statusOf(before[0] ?? '')) === 'verified' ? true : null));
    before.push(await post('before the crash 3', other.url));

    await current.stopInstance(leader, 'SIGKILL');
    const after = [await post('after the crash 1', other.url), await post('after the crash 2', other.url)];

    const takenOver = await until('the other instance following', async () => {
      const pid = await followerPid(current.databaseUrl);
      return pid !== null && pid !== leaderPid ? pid : null;
    });
    expect(takenOver).toBe(other.child.pid);
    for (const id of [...before, ...after]) {
      await until(`proof ${id.slice(0, 8)} verified`, async () => ((await statusOf(id)) === 'verified' ? true : null), 90_000);
    }

    // The client, moved to the survivor by the proxy if it was on the dead instance, has every
    // proof and sees each verified, with no status twice.
    const all = [...before, ...after];
    await waitFor(() => all.every((id) => follower.statusOf(id) === 'verified'), 'the client sees every proof verified', 60_000).catch((error: unknown) => {
      throw new Error(`${String(error)}: ${JSON.stringify(all.map((id) => [id.slice(0, 8), follower.statusOf(id)]))}`);
    });
    const keys = follower.statuses.map((event) => `${event.id} ${event.status}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(follower.socket?.connected).toBe(true);
    follower.detach();
  }, 240_000);
});

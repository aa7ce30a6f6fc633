// Reconnect catch-up of proofs and status changes (server/realtime/catch-up.ts) on a real test
// hub (PGlite; PostgreSQL under npm run test:pg): a client drops, misses posts and their badge
// changes, comes back with its two cursors and gets each proof and each status change once, in
// order, then live again. Status changes are written with the SQL the chain's writers use
// (server/chain/submitter.ts, follower.ts: UPDATE proofs SET status …) and announced through the
// chain's real broadcaster; the devnet runs in server/cluster/takeover.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProofNewEvent, ProofStatus, ProofStatusEvent } from '@/lib/protocol/events';
import type { ThreadDetail, ThreadPage } from '@/lib/protocol/views';
import { socketBroadcaster, threadOf } from '../chain/broadcast';
import type { ChainBroadcaster } from '../chain/broadcast';
import { startTestHub } from '../testing/hub';
import type { ClientSocket, TestHub, TestUser } from '../testing/hub';

const RANK: Record<ProofStatus, number> = { signed: 0, anchored: 1, verified: 2, invalid: 3 };

/**
 * A client following one hub the way docs/operations.md says: cursors `since` (highest log index
 * received) and `status_since` (highest status index: live events and the subscribe ack), a
 * proof id or an (id, status) already had is dropped.
 */
class HubClient {
  readonly proofs: ProofNewEvent[] = [];
  readonly statuses: ProofStatusEvent[] = [];
  readonly #seen = new Set<string>();
  since = 0;
  statusSince = 0;
  socket: ClientSocket | null = null;

  async attach(hub: TestHub): Promise<{ replayed: number; status_replayed: number }> {
    const socket = await hub.connect();
    this.socket = socket;
    socket.on('proof:new', (event) => {
      if (this.#seen.has(event.proof.id)) return;
      this.#seen.add(event.proof.id);
      this.since = Math.max(this.since, event.view.log_index);
      this.proofs.push(event);
    });
    socket.on('proof:status', (event) => {
      if (event.status_index !== undefined) this.statusSince = Math.max(this.statusSince, event.status_index);
      const key = `${event.id} ${event.status}`;
      if (this.#seen.has(key)) return;
      this.#seen.add(key);
      this.statuses.push(event);
    });
    const ack = await socket.emitWithAck('subscribe', { hub: 'public', since: this.since, status_since: this.statusSince });
    if (!ack.ok) throw new Error(ack.error.message);
    this.statusSince = Math.max(this.statusSince, ack.data.status_index);
    return ack.data;
  }

  detach(): void {
    this.socket?.disconnect();
    this.socket = null;
  }

  statusOf(id: string): ProofStatus | undefined {
    const proof = this.proofs.find((event) => event.proof.id === id);
    let status = proof?.view.status;
    for (const event of this.statuses) if (event.id === id && (status === undefined || RANK[event.status] > RANK[status])) status = event.status;
    return status;
  }
}

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

let hub: TestHub;
let alice: TestUser;
let chain: ChainBroadcaster;

beforeAll(async () => {
  hub = await startTestHub();
  alice = await hub.signUp('alice');
  chain = socketBroadcaster(hub.web.realtime.io, hub.ctx.prisma);
});

afterAll(async () => {
  await hub.close();
});

async function post(body: string): Promise<string> {
  const signed = await alice.identity.post('public', { body });
  const answer = await hub.fetchJson('/api/v1/proofs', { body: signed, cookie: alice.cookie });
  expect(answer.status).toBe(201);
  return signed.proof.id;
}

/** Moves proofs on as the chain does (signed → anchored, → verified) and announces it. */
async function setStatus(ids: string[], status: 'anchored' | 'verified'): Promise<void> {
  const from = status === 'anchored' ? "('signed')" : "('signed', 'anchored')";
  const moved = await hub.ctx.prisma.$queryRawUnsafe<{ id: string; hub: string; type: string; ref_root: string | null }[]>(
    `UPDATE proofs SET status = '${status}' WHERE id = ANY($1::text[]) AND status IN ${from} RETURNING id, hub, type, ref_root`,
    ids,
  );
  chain.proofStatus(moved.map((row) => ({ event: { id: row.id, hub: row.hub, status }, thread: threadOf({ id: row.id, type: row.type, refRoot: row.ref_root }) })));
}

describe('reconnect catch-up', () => {
  it('replays missed proofs and missed status changes once each, in order, then goes live again', async () => {
    const client = new HubClient();
    await client.attach(hub);
    const seenBefore = await post('seen live, anchored while away');
    await until(() => client.proofs.some((event) => event.proof.id === seenBefore), 'the first post live');
    await setStatus([seenBefore], 'anchored');
    await until(() => client.statuses.some((event) => event.id === seenBefore), 'its anchoring live');
    expect(client.statuses.at(-1)?.status_index).toBeGreaterThan(0);

    client.detach();
    // While away: the known post is verified; two new posts arrive, one is anchored then verified.
    await setStatus([seenBefore], 'verified');
    const missedA = await post('missed, anchored and verified');
    const missedB = await post('missed, still signed');
    await setStatus([missedA], 'anchored');
    await setStatus([missedA], 'verified');

    const back = await client.attach(hub);
    expect(back).toMatchObject({ replayed: 2, status_replayed: 1 });
    const posts = client.proofs.filter((event) => event.proof.type === 'post');
    expect(posts.map((event) => event.proof.id)).toEqual([seenBefore, missedA, missedB]);
    // The missed proofs carry their current status; the known one gets its missed change.
    expect(posts.map((event) => event.view.status)).toEqual(['signed', 'verified', 'signed']);
    expect(client.statuses.map((event) => [event.id, event.status])).toEqual([
      [seenBefore, 'anchored'],
      [seenBefore, 'verified'],
    ]);
    const indexes = client.statuses.map((event) => event.status_index ?? 0);
    expect(indexes).toEqual([...indexes].sort((a, b) => a - b));

    // Live again, and a second reconnect with nothing missed replays nothing.
    await setStatus([missedB], 'anchored');
    await until(() => client.statusOf(missedB) === 'anchored', 'anchoring after the reconnect');
    client.detach();
    expect(await client.attach(hub)).toMatchObject({ replayed: 0, status_replayed: 0 });
    expect([seenBefore, missedA, missedB].map((id) => client.statusOf(id))).toEqual(['verified', 'verified', 'anchored']);
    expect(client.statuses.filter((event) => event.id === missedB).map((event) => event.status)).toEqual(['anchored']);
    client.detach();
  });

  it('starts from a REST answer: a change between the read and the join is replayed, one before it is in the rows', async () => {
    const id = await post('read over REST, verified before the page joins its room');
    await setStatus([id], 'anchored');
    const threadRead = await hub.fetchJson<ThreadDetail>(`/api/v1/threads/${id}`);
    const hubRead = await hub.fetchJson<ThreadPage>('/api/v1/hubs/public/threads');
    expect(threadRead.body.root.view.status).toBe('anchored');
    expect(hubRead.body.threads.find((thread) => thread.id === id)?.root.view.status).toBe('anchored');
    expect(hubRead.body.status_index).toBe(threadRead.body.status_index);
    // Between the page's read and its subscribe (a navigation, a slow first render): verified.
    await setStatus([id], 'verified');

    for (const room of [{ thread: id }, { hub: 'public' }]) {
      const socket = await hub.connect();
      const statuses: ProofStatusEvent[] = [];
      socket.on('proof:status', (event) => statuses.push(event));
      const ack = await socket.emitWithAck('subscribe', { ...room, since: threadRead.body.thread.last_log_index, status_since: threadRead.body.status_index });
      expect(ack).toMatchObject({ ok: true, data: { status_replayed: 1 } });
      // Only the change the read missed: the anchoring it already showed is not sent again.
      expect(statuses.map((event) => [event.id, event.status])).toEqual([[id, 'verified']]);
      socket.disconnect();
    }
    // A read after the change shows it, and its index covers it: nothing to replay.
    const later = await hub.fetchJson<ThreadDetail>(`/api/v1/threads/${id}`);
    expect(later.body.root.view.status).toBe('verified');
    const socket = await hub.connect();
    expect(await socket.emitWithAck('subscribe', { thread: id, since: later.body.thread.last_log_index, status_since: later.body.status_index })).toMatchObject({ ok: true, data: { status_replayed: 0 } });
    socket.disconnect();
  });

  it('keeps the status log in commit order and refuses a bad cursor', async () => {
    const id = await post('logged');
    await setStatus([id], 'anchored');
    await setStatus([id], 'verified');
    await setStatus([id], 'verified'); // no change, no entry
    const log = await hub.ctx.prisma.proofStatusLog.findMany({ where: { proofId: id }, orderBy: { statusIndex: 'asc' } });
    expect(log.map((row) => [row.status, row.hub, row.thread])).toEqual([
      ['anchored', 'public', id],
      ['verified', 'public', id],
    ]);
    const socket = await hub.connect();
    expect(await socket.emitWithAck('subscribe', { hub: 'public', status_since: -1 })).toMatchObject({ ok: false, error: { code: 'invalid_request' } });
    socket.disconnect();
  });
});

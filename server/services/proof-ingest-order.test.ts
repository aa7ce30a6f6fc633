// Commit order equals log order (PostgreSQL only: PGlite is one session, where transactions never
// overlap). A proof that drew a lower log_index but commits late must not be skipped by a client
// that catches up with `since` = the highest index it saw (docs/operations.md, "Reconnect
// catch-up"). The test holds a real row lock from a second connection so that alice's ingest
// transaction stops after drawing its index; bob's proof then races it. Without the log-order
// lock in proof-ingest.ts bob commits first, the client sees him live, drops, and its catch-up
// `since` bob's index never returns alice's proof.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProofNewEvent } from '@/lib/protocol/events';
import { testDatabaseKind } from '../testing/database';
import { startTestHub } from '../testing/hub';
import type { ClientSocket, TestHub, TestUser } from '../testing/hub';

const onPostgres = testDatabaseKind() === 'postgres';

/** A client that keeps a log-index cursor and drops proof ids it already has. */
class CursorClient {
  readonly received: ProofNewEvent[] = [];
  readonly #seen = new Set<string>();
  cursor = 0;
  socket: ClientSocket | null = null;

  async attach(hub: TestHub): Promise<void> {
    const socket = await hub.connect();
    this.socket = socket;
    socket.on('proof:new', (event) => {
      if (this.#seen.has(event.proof.id)) return;
      this.#seen.add(event.proof.id);
      this.cursor = Math.max(this.cursor, event.view.log_index);
      this.received.push(event);
    });
    const ack = await socket.emitWithAck('subscribe', { hub: 'public', since: this.cursor });
    if (!ack.ok) throw new Error(ack.error.message);
  }

  detach(): void {
    this.socket?.disconnect();
    this.socket = null;
  }
}

async function until<T>(check: () => Promise<T | undefined> | T | undefined, what: string): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe.skipIf(!onPostgres)('log order on PostgreSQL', () => {
  let hub: TestHub;
  let alice: TestUser;
  let bob: TestUser;
  let locker: pg.Client;

  beforeAll(async () => {
    hub = await startTestHub();
    alice = await hub.signUp('alice');
    bob = await hub.signUp('bob');
    if (hub.testDb.config.kind !== 'postgres') throw new Error('expected PostgreSQL');
    locker = new pg.Client({ connectionString: hub.testDb.config.url });
    await locker.connect();
  });

  afterAll(async () => {
    await locker.end();
    await hub.close();
  });

  /** Backends of this database waiting on a lock, by wait_event ("transactionid", "advisory", …). */
  async function lockWaits(): Promise<string[]> {
    const rows = await locker.query<{ wait_event: string }>("SELECT wait_event FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()");
    return rows.rows.map((row) => row.wait_event);
  }

  it('a proof that drew a lower log index is never skipped by catch-up, however late it would commit', async () => {
    const client = new CursorClient();
    await client.attach(hub);
    const first = await alice.identity.post('public', { body: 'first' });
    expect(await hub.fetchJson('/api/v1/proofs', { body: first, cookie: alice.cookie })).toMatchObject({ status: 201 });
    await until(() => (client.received.some((event) => event.proof.id === first.proof.id) ? true : undefined), 'the first post live');

    // Alice's next ingest transaction inserts its proof (drawing log_index n) and then waits on
    // her identity view row, which this connection holds.
    await locker.query('BEGIN');
    await locker.query('SELECT did FROM identity_views WHERE did = $1 FOR UPDATE', [alice.identity.did]);
    const late = await alice.identity.post('public', { body: 'drew the lower index' });
    const lateAnswer = hub.fetchJson<{ log_index: number }>('/api/v1/proofs', { body: late, cookie: alice.cookie });
    await until(async () => ((await lockWaits()).some((wait) => wait === 'transactionid' || wait === 'tuple') ? true : undefined), "alice's insert waiting on the row lock");

    // Bob's proof draws n+1 after her. It either commits now (no log-order lock) or waits for her.
    const early = await bob.identity.post('public', { body: 'drew the higher index' });
    let bobAnswered = false;
    const earlyAnswer = hub.fetchJson<{ log_index: number }>('/api/v1/proofs', { body: early, cookie: bob.cookie }).then((answer) => {
      bobAnswered = true;
      return answer;
    });
    await until(async () => (bobAnswered || (await lockWaits()).includes('advisory') ? true : undefined), "bob's proof stored or waiting for alice's");
    if (bobAnswered) await until(() => (client.received.some((event) => event.proof.id === early.proof.id) ? true : undefined), "bob's post live");

    // The client drops now, alice's transaction commits, and the client catches up.
    client.detach();
    await locker.query('ROLLBACK');
    const [lateStored, earlyStored] = await Promise.all([lateAnswer, earlyAnswer]);
    expect(lateStored).toMatchObject({ status: 201 });
    expect(earlyStored).toMatchObject({ status: 201 });
    expect(lateStored.body.log_index).toBeLessThan(earlyStored.body.log_index);

    await client.attach(hub);
    const posts = client.received.filter((event) => event.proof.type === 'post');
    expect(posts.map((event) => event.proof.id)).toEqual([first.proof.id, late.proof.id, early.proof.id]);
    const indexes = client.received.map((event) => event.view.log_index);
    expect(indexes).toEqual([...indexes].sort((a, b) => a - b));
    client.detach();
  });
});

// Four real validator processes on loopback, each with its own LevelDB: commits with certificates a
// light client accepts, kill -9 and restart with catch-up, loss of liveness (never of safety) with
// two down, recovery, a damaged safety record, identical blocks everywhere, and bad input on the
// RPC and the peer port that changes nothing. No timing asserts: every wait is "until X, or fail
// after a generous deadline".
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { concatBytes, hexToBytes, utf8Encode } from '@/lib/bytes';
import { nobleVerifier } from '@/lib/crypto/ed25519';
import { consensusMessageToJson, type PinnedValidatorSet } from '@/lib/consensus';
import { checkLeafCertified, getJson, type LeafJson, leafHashHex, makeSignedLeaves, postJson, readStatus, submitLeaves, type ValidatorStatus } from './client';
import { type Devnet, startDevnet } from './devnet';
import { readKeyFile } from './keys';
import { decodeFrame, encodeBatch, FRAME_CHALLENGE, FRAME_WELCOME } from './links/envelope';
import { dialAs } from './links/test-dialer';
import { PEER_PATH } from './links/peer-links';
import { ValidatorStore } from './store';
import { freeBasePort } from './ports';

const TEST_TIMEOUT = 240_000;

async function until<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== null && value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
}

async function statuses(devnet: Devnet, indexes: readonly number[]): Promise<(ValidatorStatus | null)[]> {
  return Promise.all(indexes.map((index) => readStatus(devnet.urls[index] as string)));
}

/** Block hash per height from validator index, heights 1..upTo. */
async function blockHashes(devnet: Devnet, index: number, upTo: number): Promise<string[]> {
  const hashes: string[] = [];
  for (let from = 1; from <= upTo; from += 100) {
    const { status, body } = await getJson<{ blocks: { height: number; hash: string }[] }>(`${devnet.urls[index]}/blocks?from=${from}&limit=100`);
    expect(status).toBe(200);
    for (const block of body.blocks) if (block.height <= upTo) hashes[block.height - 1] = block.hash;
  }
  return hashes;
}

/** Waits until every leaf is in the committed tree of each listed validator. */
async function waitCommitted(devnet: Devnet, indexes: readonly number[], leaves: readonly LeafJson[]): Promise<void> {
  for (const index of indexes) {
    for (const leaf of [leaves[0], leaves[leaves.length - 1]]) {
      if (!leaf) continue;
      await until(`leaf committed on validator ${index}`, async () => {
        const { status } = await getJson(`${devnet.urls[index]}/proofs/inclusion?leaf=${leafHashHex(leaf)}`).catch(() => ({ status: 0 }));
        return status === 200;
      });
    }
  }
}

/** Sum of a counter's samples with the given label in a validator's /metrics. */
async function counter(url: string, name: string, label: string): Promise<number> {
  const text = await fetch(`${url}/metrics`).then((response) => response.text());
  let sum = 0;
  for (const line of text.split('\n')) if (line.startsWith(`${name}{`) && line.includes(label)) sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  return sum;
}

/**
 * Opens an authenticated link to validator `to` as validator `from` (the test holds its key file):
 * what a Byzantine validator can do. Resolves once the welcome arrived, with a frame builder.
 */
async function openLinkAs(devnet: Devnet, from: number, to: number): Promise<{ socket: WebSocket; send: (payload: Uint8Array) => void }> {
  const key = await readKeyFile(devnet.validators[from]?.keyPath as string);
  const context = { genesisHash: hexToBytes(devnet.genesis.hash) };
  const socket = new WebSocket(`${(devnet.urls[to] as string).replace('http://', 'ws://')}${PEER_PATH}`);
  // Event-driven, not polled: the real validator `from` redials within ~100 ms and replaces this
  // link, so the frames must go out the moment the welcome arrives.
  const nextFrame = (): Promise<ReturnType<typeof decodeFrame>> =>
    new Promise((resolve, reject) => {
      socket.once('message', (data: Buffer) => resolve(decodeFrame(new Uint8Array(data))));
      socket.once('close', () => reject(new Error('link closed during the handshake')));
    });
  const first = nextFrame();
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  const challenge = await first;
  if (challenge?.kind !== FRAME_CHALLENGE) throw new Error('expected a challenge');
  const session = dialAs(context, (message) => key.sign(message), from, to, challenge.nonce);
  const welcome = nextFrame();
  socket.send(session.hello);
  const answer = await welcome;
  if (answer?.kind !== FRAME_WELCOME || session.accept(answer) === null) throw new Error('expected a welcome');
  let seq = 0n;
  return {
    socket,
    send: (payload) => {
      seq += 1n;
      socket.send(session.frame(seq, encodeBatch([payload])));
    },
  };
}

describe('devnet of 4 validator processes', () => {
  let devnet: Devnet;
  let dir: string;
  let pinned: PinnedValidatorSet;
  const history = new Map<number, string>();

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'proofhub-devnet-'));
    devnet = await startDevnet({ dir, basePort: await freeBasePort(4), timeoutMs: 800, idleBlockMs: 150, blockTimeMs: 10, logLevel: 'warn', readyTimeoutMs: 120_000 });
    pinned = { chainId: hexToBytes(devnet.genesis.hash), validators: devnet.genesis.validators.map((validator) => validator.publicKey) };
  }, TEST_TIMEOUT);

  afterAll(async () => {
    await devnet?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  }, 60_000);

  /** Records heights and hashes seen so far and checks none ever changes. */
  async function checkHistory(index: number): Promise<void> {
    const status = await readStatus(devnet.urls[index] as string);
    if (!status) throw new Error(`validator ${index} does not answer`);
    const hashes = await blockHashes(devnet, index, status.height);
    hashes.forEach((hash, i) => {
      const height = i + 1;
      const seen = history.get(height);
      if (seen === undefined) history.set(height, hash);
      else expect(hash, `validator ${index} height ${height}`).toBe(seen);
    });
  }

  it(
    'commits submitted leaves with certificates a light client accepts, on every validator',
    async () => {
      const leaves = makeSignedLeaves(40);
      const results = await submitLeaves(devnet.urls[0] as string, leaves);
      expect(results.every((result) => result.status === 'accepted')).toBe(true);
      await waitCommitted(devnet, [0, 1, 2, 3], leaves);
      for (const index of [0, 1, 2, 3]) {
        expect(await checkLeafCertified(devnet.urls[index] as string, pinned, nobleVerifier, leaves[17] as LeafJson)).toBeNull();
      }
      // Submitting again is idempotent: the log never holds a leaf twice.
      const again = await submitLeaves(devnet.urls[2] as string, leaves.slice(0, 3));
      expect(again.map((result) => result.status)).toEqual(['committed', 'committed', 'committed']);
      for (const index of [0, 1, 2, 3]) await checkHistory(index);

      // GET /status answers the documented shape, agreeing with the certified head.
      const { status: code, body } = await getJson<Record<string, unknown>>(`${devnet.urls[1]}/status`);
      expect(code).toBe(200);
      for (const key of ['height', 'view', 'tree_size', 'peers']) expect(Number.isInteger(body[key]), key).toBe(true);
      expect(body.root).toMatch(/^[0-9a-f]{64}$/);
      expect(body.peers).toBe(3);
      expect(body.view as number).toBeGreaterThanOrEqual(body.height as number);
      const head = await getJson<{ height: number; tree_size: number; root: string }>(`${devnet.urls[1]}/head`);
      if (head.body.height === body.height) expect([head.body.tree_size, head.body.root]).toEqual([body.tree_size, body.root]);
      // The Prometheus metrics the issue names: height, view, commit latency, mempool size, peers.
      const metrics = await fetch(`${devnet.urls[0]}/metrics`).then((response) => response.text());
      expect(metrics).toMatch(/^proofhub_chain_height\{[^}]*\} [1-9]\d*$/m);
      expect(metrics).toMatch(/^proofhub_chain_view\{[^}]*\} [1-9]\d*$/m);
      expect(metrics).toMatch(/^proofhub_commit_latency_seconds_count\{[^}]*\} [1-9]\d*$/m);
      expect(metrics).toMatch(/^proofhub_mempool_size\{[^}]*\} \d+$/m);
      expect(metrics).toMatch(/^proofhub_peers_connected\{[^}]*\} 3$/m);
      // Where a view's time goes: this validator has voted on proposals and stepped inputs.
      expect(metrics).toMatch(/^proofhub_consensus_vote_delay_seconds_count\{[^}]*\} [1-9]\d*$/m);
      expect(metrics).toMatch(/^proofhub_consensus_step_seconds_count\{[^}]*kind="proposal"[^}]*\} [1-9]\d*$/m);
      expect(metrics).toMatch(/^proofhub_consensus_input_wait_seconds_count\{[^}]*kind="vote"[^}]*\} [1-9]\d*$/m);
    },
    TEST_TIMEOUT,
  );

  it(
    'keeps committing with one validator killed, and the restarted one catches up to the same chain',
    async () => {
      await devnet.kill(3, 'SIGKILL');
      const before = await statuses(devnet, [0]);
      const leaves = makeSignedLeaves(30);
      await submitLeaves(devnet.urls[1] as string, leaves);
      await waitCommitted(devnet, [0, 1, 2], leaves);
      await until('three validators move past the kill', async () => {
        const now = await statuses(devnet, [0, 1, 2]);
        return now.every((status) => (status?.height ?? 0) > (before[0]?.height ?? 0) + 2);
      });
      await devnet.restart(3);
      const target = (await readStatus(devnet.urls[0] as string))?.height ?? 0;
      await until('the restarted validator reaches the others’ head', async () => ((await readStatus(devnet.urls[3] as string))?.height ?? 0) >= target);
      await waitCommitted(devnet, [3], leaves);
      expect(await checkLeafCertified(devnet.urls[3] as string, pinned, nobleVerifier, leaves[5] as LeafJson)).toBeNull();
      for (const index of [0, 1, 2, 3]) await checkHistory(index);
    },
    TEST_TIMEOUT,
  );

  it(
    'commits nothing and forks nothing with two validators down, and resumes when they return',
    async () => {
      await Promise.all([devnet.kill(2, 'SIGKILL'), devnet.kill(3, 'SIGKILL')]);
      // Let any block whose certificate formed before the kill land, then the height must freeze.
      let frozen = 0;
      await until('heights stop moving', async () => {
        const first = await statuses(devnet, [0, 1]);
        await new Promise((resolve) => setTimeout(resolve, 2500));
        const second = await statuses(devnet, [0, 1]);
        const same = first.every((status, i) => status !== null && status.height === second[i]?.height);
        frozen = Math.max(...second.map((status) => status?.height ?? 0));
        return same;
      });
      const stalled = makeSignedLeaves(20);
      expect((await submitLeaves(devnet.urls[0] as string, stalled)).every((result) => result.status === 'accepted')).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 4000));
      const during = await statuses(devnet, [0, 1]);
      for (const status of during) expect(status?.height).toBe(frozen);
      const { status: missing } = await getJson(`${devnet.urls[0]}/proofs/inclusion?leaf=${leafHashHex(stalled[0] as LeafJson)}`);
      expect(missing).toBe(404);
      for (const index of [0, 1]) await checkHistory(index);

      await Promise.all([devnet.restart(2), devnet.restart(3)]);
      await waitCommitted(devnet, [0, 1, 2, 3], stalled);
      const after = await statuses(devnet, [0, 1, 2, 3]);
      for (const status of after) expect(status?.height).toBeGreaterThan(frozen);
      for (const index of [0, 1, 2, 3]) await checkHistory(index);
    },
    TEST_TIMEOUT,
  );

  it(
    'refuses to sign with a damaged safety record until it has seen a newer certificate, then rejoins',
    async () => {
      await devnet.kill(1, 'SIGKILL');
      const store = await ValidatorStore.open(devnet.validators[1]?.dataDir as string, { hash: devnet.genesis.hash, chainId: devnet.genesis.chainId });
      await store.writeRawSafety(new TextEncoder().encode('PHS1 torn write'));
      await store.close();
      await devnet.restart(1);
      const status = await readStatus(devnet.urls[1] as string);
      expect(status?.safety_record).toBe('damaged');
      await until('validator 1 signs again', async () => (await readStatus(devnet.urls[1] as string))?.can_sign === true);
      const leaves = makeSignedLeaves(10);
      await submitLeaves(devnet.urls[1] as string, leaves);
      await waitCommitted(devnet, [0, 1, 2, 3], leaves);
      for (const index of [0, 1, 2, 3]) await checkHistory(index);

      // A record that is gone (not torn) from a store that has run before: the same caution.
      await devnet.kill(1, 'SIGKILL');
      const again = await ValidatorStore.open(devnet.validators[1]?.dataDir as string, { hash: devnet.genesis.hash, chainId: devnet.genesis.chainId });
      await again.writeRawSafety(null);
      await again.close();
      await devnet.restart(1);
      expect((await readStatus(devnet.urls[1] as string))?.safety_record).toBe('missing');
      await until('validator 1 signs again after losing its record', async () => (await readStatus(devnet.urls[1] as string))?.can_sign === true);
      const more = makeSignedLeaves(10);
      await submitLeaves(devnet.urls[1] as string, more);
      await waitCommitted(devnet, [0, 1, 2, 3], more);
      for (const index of [0, 1, 2, 3]) await checkHistory(index);
    },
    TEST_TIMEOUT,
  );

  it(
    'loses no committed block when every validator is killed at once, and commits again after',
    async () => {
      const leaves = makeSignedLeaves(20);
      await submitLeaves(devnet.urls[0] as string, leaves);
      // Kill while blocks are in flight: some are certified but not yet committed everywhere.
      await new Promise((resolve) => setTimeout(resolve, 300));
      await Promise.all([0, 1, 2, 3].map((index) => devnet.kill(index, 'SIGKILL')));
      await Promise.all([0, 1, 2, 3].map((index) => devnet.restart(index)));
      const more = makeSignedLeaves(10);
      await submitLeaves(devnet.urls[3] as string, more);
      // Leaves that were only in mempools died with them; the hub resubmits (idempotent).
      const again = await submitLeaves(devnet.urls[2] as string, leaves);
      expect(again.every((result) => result.status === 'committed' || result.status === 'accepted' || result.status === 'duplicate')).toBe(true);
      await waitCommitted(devnet, [0, 1, 2, 3], more);
      await waitCommitted(devnet, [0, 1, 2, 3], leaves);
      for (const index of [0, 1, 2, 3]) await checkHistory(index);
    },
    TEST_TIMEOUT,
  );

  it(
    'answers bad RPC input with clear errors and changes nothing',
    async () => {
      const url = devnet.urls[0] as string;
      const before = await readStatus(url);
      const cases: [string, Promise<{ status: number; body: unknown }>, number, string][] = [
        ['malformed JSON', postJson(url + '/leaves', '{"leaves": ['), 400, 'invalid_json'],
        ['wrong shape', postJson(url + '/leaves', { leaves: [{ pub: 'zz', id: '00', sig: '11' }] }), 400, 'invalid_body'],
        ['empty batch', postJson(url + '/leaves', { leaves: [] }), 400, 'invalid_body'],
        ['extra field', postJson(url + '/leaves', { leaves: makeSignedLeaves(1), more: 1 }), 400, 'invalid_body'],
        ['oversized body', postJson(url + '/leaves', { leaves: makeSignedLeaves(1), pad: 'x'.repeat(2 * 1024 * 1024) }), 413, 'payload_too_large'],
        ['too many leaves', postJson(url + '/leaves', { leaves: makeSignedLeaves(1001) }), 400, 'invalid_body'],
        ['bad height', getJson(url + '/blocks/-1'), 400, 'invalid_query'],
        ['height as float', getJson(url + '/blocks/1.5'), 400, 'invalid_query'],
        ['missing block', getJson(url + '/blocks/999999999'), 404, 'not_found'],
        ['inclusion without target', getJson(url + '/proofs/inclusion'), 400, 'invalid_query'],
        ['inclusion with two targets', getJson(url + `/proofs/inclusion?index=0&leaf=${'a'.repeat(64)}`), 400, 'invalid_query'],
        ['inclusion beyond the head', getJson(url + '/proofs/inclusion?index=0&size=999999999'), 400, 'bad_size'],
        ['unknown leaf', getJson(url + `/proofs/inclusion?leaf=${'ab'.repeat(32)}`), 404, 'leaf_not_found'],
        ['consistency from 0', getJson(url + '/proofs/consistency?from=0'), 400, 'bad_size'],
        ['consistency hex size', getJson(url + '/proofs/consistency?from=0x10'), 400, 'invalid_query'],
        ['unknown route', getJson(url + '/nope'), 404, 'not_found'],
        ['wrong method', postJson(url + '/status', {}), 405, 'method_not_allowed'],
      ];
      for (const [name, request, status, code] of cases) {
        const answer = await request;
        expect(answer.status, name).toBe(status);
        expect((answer.body as { error: { code: string } }).error.code, name).toBe(code);
      }
      // A wrongly signed leaf is refused per leaf and never reaches a block.
      const [good, other] = [makeSignedLeaves(1)[0] as LeafJson, makeSignedLeaves(1)[0] as LeafJson];
      const forged: LeafJson = { ...good, sig: other.sig };
      const results = await submitLeaves(url, [forged, good]);
      expect(results[0]?.error?.code).toBe('invalid_signature');
      expect(results[1]?.status).toBe('accepted');
      await waitCommitted(devnet, [0], [good]);
      const { status: forgedStatus } = await getJson(`${url}/proofs/inclusion?leaf=${leafHashHex(forged)}`);
      expect(forgedStatus).toBe(404);
      const after = await readStatus(url);
      expect(after?.height).toBeGreaterThanOrEqual(before?.height ?? 0);
      expect(after?.tree_size).toBe((before?.tree_size ?? 0) + 1);
    },
    TEST_TIMEOUT,
  );

  it(
    'drops malformed, unknown-key and oversized traffic on the peer port without disturbing consensus',
    async () => {
      const url = devnet.urls[2] as string;
      const wsUrl = url.replace('http://', 'ws://') + '/p2p';
      const attempts = [
        (socket: WebSocket) => socket.send(new Uint8Array([9, 9, 9])),
        (socket: WebSocket) => socket.send('{"type":"proposal"}'),
        // A hello claiming validator 0 with garbage where the signature goes.
        (socket: WebSocket) => socket.send(new Uint8Array([2, 0, 0, 0, 2, ...new Uint8Array(64 + 64)])),
        (socket: WebSocket) => socket.send(new Uint8Array(17 * 1024 * 1024)),
      ];
      for (const attempt of attempts) {
        const socket = new WebSocket(wsUrl);
        await new Promise<void>((resolve, reject) => {
          socket.once('open', () => resolve());
          socket.once('error', reject);
        });
        attempt(socket);
        await until('the validator cuts the connection', () => Promise.resolve(socket.readyState === WebSocket.CLOSED), 15_000);
      }
      const metrics = await fetch(`${url}/metrics`).then((response) => response.text());
      expect(metrics).toMatch(/proofhub_link_drops_total\{reason="malformed"/);
      const leaves = makeSignedLeaves(5);
      await submitLeaves(url, leaves);
      await waitCommitted(devnet, [0, 1, 2, 3], leaves);
      for (const index of [0, 1, 2, 3]) await checkHistory(index);
      // The commit stream replays history with certificates.
      const stream = new WebSocket(url.replace('http://', 'ws://') + '/commits?from=1');
      const first = await new Promise<{ type: string; block: { height: number; hash: string } }>((resolve, reject) => {
        stream.once('message', (data: Buffer) => resolve(JSON.parse(data.toString('utf8')) as { type: string; block: { height: number; hash: string } }));
        stream.once('error', reject);
      });
      stream.terminate();
      expect(first.type).toBe('commit');
      expect(first.block.height).toBe(1);
      expect(first.block.hash).toBe(history.get(1));
    },
    TEST_TIMEOUT,
  );

  it(
    'drops garbage a validator sends on its authenticated link, and a forged gossiped leaf never commits',
    async () => {
      const url = devnet.urls[2] as string;
      const before = await counter(url, 'proofhub_link_drops_total', 'reason="malformed"');
      const [honest, other] = [makeSignedLeaves(1)[0] as LeafJson, makeSignedLeaves(1)[0] as LeafJson];
      const forged: LeafJson = { ...honest, sig: other.sig };
      const forgedBytes = concatBytes(hexToBytes(forged.pub), hexToBytes(forged.id), hexToBytes(forged.sig));
      const vote = { view: 1_000_000, blockHash: new Uint8Array(32).fill(7), committedHash: new Uint8Array(32), signer: 0, signature: new Uint8Array(64).fill(1) };
      const payloads = [
        concatBytes(Uint8Array.of(1), utf8Encode('not json')), // malformed
        concatBytes(Uint8Array.of(1), utf8Encode('{"type":"vote"}')), // malformed (schema)
        concatBytes(Uint8Array.of(3), Uint8Array.of(1, 2, 3)), // malformed proposal
        concatBytes(Uint8Array.of(2), new Uint8Array(127)), // malformed leaf gossip
        Uint8Array.of(9), // unknown channel: malformed
        // Well-formed but wrong: a vote with a bad signature (the core refuses it) and a forged leaf
        // (the mempool refuses it). Neither counts as malformed; neither may change anything.
        concatBytes(Uint8Array.of(1), utf8Encode(JSON.stringify(consensusMessageToJson({ type: 'vote', vote })))),
        concatBytes(Uint8Array.of(2), forgedBytes),
      ];
      // Validator 0 itself redials and replaces this link at any moment: repeat until the five
      // malformed payloads were all counted.
      await until(
        'five malformed payloads counted',
        async () => {
          const link = await openLinkAs(devnet, 0, 2).catch(() => null);
          if (!link) return false;
          for (const payload of payloads) link.send(payload);
          await new Promise((resolve) => setTimeout(resolve, 500));
          link.socket.terminate();
          return (await counter(url, 'proofhub_link_drops_total', 'reason="malformed"')) - before >= 5;
        },
        60_000,
      );
      // The chain goes on with every validator, and the forged leaf is in no log.
      const leaves = makeSignedLeaves(5);
      await submitLeaves(url, leaves);
      await waitCommitted(devnet, [0, 1, 2, 3], leaves);
      for (const index of [0, 1, 2, 3]) {
        const { status } = await getJson(`${devnet.urls[index]}/proofs/inclusion?leaf=${leafHashHex(forged)}`);
        expect(status).toBe(404);
        await checkHistory(index);
      }
    },
    TEST_TIMEOUT,
  );
});

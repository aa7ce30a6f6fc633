// The hub's side of the chain against four real validator processes (workers/devnet.ts) and a real
// PGlite database: a post turns verified with an anchor a light client accepts; a validator that
// forges commit certificates is refused and verifies nothing; proofs posted while every validator
// is down are verified once they are back. One devnet for the file (the machine is shared).
import { createServer } from 'node:http';
import type { IncomingMessage, Server } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { base64urlToBytes, bytesToHex, hexToBytes } from '@/lib/bytes';
import type { BlockHeader } from '@/lib/consensus';
import { blockHeaderToJson, decodeBlockHeader, decodeQuorumCert, headerHash, quorumCertToJson, verifyCommitCertificate, voteMessage } from '@/lib/consensus';
import { createNobleVerifier } from '@/lib/crypto/ed25519';
import { consistencyProofFromJson, inclusionProofFromJson, leafHash, verifyConsistency, verifyInclusion } from '@/lib/merkle';
import { anchorSchema, certifiedHeadSchema, consistencyResponseSchema, validatorSetSchema } from '@/lib/protocol/chain';
import type { AnchorWire } from '@/lib/protocol/chain';
import type { ProofStatusEvent } from '@/lib/protocol/events';
import { startDevnet } from '@/workers/devnet';
import type { Devnet } from '@/workers/devnet';
import { readKeyFile } from '@/workers/keys';
import { freeBasePort } from '@/workers/ports';
import pino from 'pino';
import { nodeVerifier } from '../crypto/ed25519-node';
import { HeadWatcher } from './head-watcher';
import { openDatabase } from '../db/database';
import { createPostgresDatabase } from '../testing/database';
import { startTestHub } from '../testing/hub';
import type { TestHub, TestUser } from '../testing/hub';
import { loadAnchorsAtNewestHead } from './anchors';
import { chainPins } from './config';
import { leavesAnswerSchema, rpcPost } from './rpc';
import type { ChainConfig } from './config';
import { startChainService } from './service';
import type { ChainService } from './service';

let dir: string;
let devnet: Devnet;
let config: ChainConfig;

// Deadlines, not timing asserts: on the shared 2-core machine (load 20-40) a block can take tens of seconds.
async function waitFor<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== null && value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function post(hub: TestHub, user: TestUser, body: string): Promise<string> {
  const { proof, content } = await user.identity.post('public', { body });
  const response = await hub.fetchJson<{ id: string }>('/api/v1/proofs', { body: { proof, content }, cookie: user.cookie });
  expect(response.status).toBe(201);
  return response.body.id;
}

interface ProofAnswer {
  proof: { id: string; sig: string };
  status: string;
  anchor: AnchorWire | null;
}

async function verifiedProof(hub: TestHub, id: string, timeoutMs?: number): Promise<ProofAnswer> {
  return waitFor(`proof ${id.slice(0, 8)} verified`, async () => {
    const answer = await hub.fetchJson<ProofAnswer>(`/api/v1/proofs/${id}`);
    return answer.body.status === 'verified' ? answer.body : null;
  }, timeoutMs);
}

/** What a light client does with an anchor: certificate against the genesis keys, then inclusion. */
function lightClientAccepts(anchor: AnchorWire, proof: { id: string; sig: string }): boolean {
  const header = decodeBlockHeader(anchor.certificate.header);
  const qc = decodeQuorumCert(anchor.certificate.qc);
  if (!header.ok || !qc.ok) return false;
  const certified = verifyCommitCertificate(chainPins(config.genesis).pinned, header.value, qc.value, createNobleVerifier());
  if (!certified.ok || certified.value.logSize !== anchor.tree_size) return false;
  const inclusion = inclusionProofFromJson(anchor.inclusion);
  if (!inclusion.ok) return false;
  return verifyInclusion({ leafHash: leafHash(hexToBytes(proof.id), base64urlToBytes(proof.sig)), index: anchor.leaf_index, size: anchor.tree_size, path: inclusion.value.path, root: certified.value.logRoot }).ok;
}

function startService(hub: TestHub, urls: string[]): ChainService {
  return startChainService({ ctx: hub.ctx, io: hub.web.realtime.io, source: { ready: Promise.resolve({ ...config, urls }) }, databaseUrl: null, watchIntervalMs: 500, scanIntervalMs: 1000 });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'proofhub-chain-test-'));
  devnet = await startDevnet({ dir, basePort: await freeBasePort(4), logLevel: 'warn', readyTimeoutMs: 180_000 });
  config = { genesis: devnet.genesis, genesisPath: devnet.genesisPath, urls: [...devnet.urls] };
}, 200_000);

afterAll(async () => {
  await devnet?.stop();
  await rm(dir, { recursive: true, force: true });
}, 60_000);

describe('anchoring on a live devnet', () => {
  it('turns a post signed → anchored → verified, live, with an anchor a light client accepts', async () => {
    const hub = await startTestHub();
    const service = startService(hub, config.urls);
    try {
      await service.ready;
      const user = await hub.signUp('alice');
      const socket = await hub.connect(user.cookie);
      const statuses: ProofStatusEvent[] = [];
      socket.on('proof:status', (event) => statuses.push(event));
      const heads: number[] = [];
      socket.on('chain:head', (event) => heads.push(event.size));
      await new Promise((resolve) => socket.emit('subscribe', { hub: 'public' }, resolve));

      const id = await post(hub, user, 'anchored, then verified');
      const answer = await verifiedProof(hub, id);
      const anchor = anchorSchema.parse(answer.anchor);
      expect(lightClientAccepts(anchor, answer.proof)).toBe(true);
      // A tampered inclusion path or a certificate signature flipped is refused by the same check.
      const badPath = { ...anchor, inclusion: { ...anchor.inclusion, path: anchor.inclusion.path.map((hash) => hash.replace(/^./, (c) => (c === '0' ? '1' : '0'))) } };
      if (anchor.inclusion.path.length > 0) expect(lightClientAccepts(badPath, answer.proof)).toBe(false);
      const sig = anchor.certificate.qc.signatures[0] as string;
      const badQc = { ...anchor, certificate: { ...anchor.certificate, qc: { ...anchor.certificate.qc, signatures: [sig.replace(/^./, (c) => (c === 'a' ? 'b' : 'a')), ...anchor.certificate.qc.signatures.slice(1)] } } };
      expect(lightClientAccepts(badQc, answer.proof)).toBe(false);

      await waitFor('proof:status events', () => Promise.resolve(statuses.some((event) => event.id === id && event.status === 'verified')));
      const mine = statuses.filter((event) => event.id === id).map((event) => event.status);
      expect(mine.at(-1)).toBe('verified');
      expect(anchorSchema.parse(statuses.find((event) => event.id === id && event.status === 'verified')?.anchor)).toEqual(anchor);
      // Each event carries its place in the status log (the follower reads it in its transaction):
      // a client resuming from it must not replay or miss the change.
      const log = await hub.ctx.prisma.proofStatusLog.findMany({ where: { proofId: id }, select: { status: true, statusIndex: true } });
      for (const status of ['anchored', 'verified']) {
        const event = statuses.find((candidate) => candidate.id === id && candidate.status === status);
        if (event === undefined) continue; // `anchored` may be skipped when the block came first
        expect(event.status_index).toBe(Number(log.find((row) => row.status === status)?.statusIndex));
      }
      expect(statuses.find((event) => event.id === id && event.status === 'verified')?.status_index).toBeGreaterThan(0);
      expect(heads.length).toBeGreaterThan(0);

      // The REST views of the chain.
      const head = await hub.fetchJson<{ head: unknown; alerts: unknown[] }>('/api/v1/chain/head');
      expect(head.status).toBe(200);
      const certified = certifiedHeadSchema.parse(head.body.head);
      expect(certified.tree_size).toBeGreaterThanOrEqual(anchor.tree_size);
      expect(head.body.alerts).toEqual([]);
      const validators = await hub.fetchJson<Record<string, unknown>>('/api/v1/chain/validators');
      const { liveness, ...set } = validators.body;
      expect(validatorSetSchema.parse(set).genesis_hash).toBe(config.genesis.hash);
      await waitFor('liveness', async () => {
        const again = await hub.fetchJson<{ liveness: { live: boolean }[] }>('/api/v1/chain/validators');
        return again.body.liveness.length === 4 && again.body.liveness.every((entry) => entry.live);
      });
      expect(Array.isArray(liveness)).toBe(true);
      const consistency = await hub.fetchJson(`/api/v1/log/consistency?from=${anchor.tree_size}&to=${certified.tree_size}`);
      expect(consistency.status).toBe(200);
      const parsed = consistencyResponseSchema.parse(consistency.body);
      expect(parsed.from_root).toBe(anchor.root);
      expect(parsed.to_root).toBe(certified.root);
      const proof = consistencyProofFromJson(parsed.proof);
      expect(proof.ok && verifyConsistency({ from: anchor.tree_size, to: certified.tree_size, oldRoot: hexToBytes(anchor.root), newRoot: hexToBytes(certified.root), path: proof.value.path }).ok).toBe(true);
      expect((await hub.fetchJson(`/api/v1/log/consistency?from=5&to=${certified.tree_size + 1}`)).status).toBe(400);
      expect((await hub.fetchJson('/api/v1/log/consistency?from=0')).status).toBe(400);
      const blocks = await hub.fetchJson<{ blocks: { height: number; leaf_count: number }[] }>('/api/v1/chain/blocks?limit=5');
      expect(blocks.status).toBe(200);
      expect(blocks.body.blocks.length).toBeGreaterThan(0);
      expect(blocks.body.blocks[0]?.height).toBeGreaterThanOrEqual(anchor.block_height);
    } finally {
      await service.close();
      await hub.close();
    }
  }, 240_000);

  it('anchors many proofs to the newest certified head: one certificate, paths a light client accepts, first anchors kept', async () => {
    const hub = await startTestHub();
    const service = startService(hub, config.urls);
    try {
      await service.ready;
      const user = await hub.signUp('erin');
      // Each posted after the previous one is verified: each first anchor names a later head.
      const ids: string[] = [];
      const first: ProofAnswer[] = [];
      for (const body of ['one', 'two', 'three']) {
        const id = await post(hub, user, body);
        ids.push(id);
        first.push(await verifiedProof(hub, id));
      }
      const sizes = first.map((answer) => anchorSchema.parse(answer.anchor).tree_size);
      expect(new Set(sizes).size).toBe(3);

      const { anchors, heads } = await loadAnchorsAtNewestHead(hub.ctx.prisma, service.mirror, [...ids, 'f'.repeat(64)]);
      const newest = await hub.ctx.prisma.chainHead.findFirst({ orderBy: { height: 'desc' } });
      expect(heads.map((head) => head.height)).toEqual([Number(newest?.height)]);
      expect(anchors.size).toBe(3);
      ids.forEach((id, i) => {
        const anchor = anchorSchema.parse(anchors.get(id));
        const stored = anchorSchema.parse(first[i]?.anchor);
        expect(anchor.tree_size).toBe(Number(newest?.treeSize));
        expect(anchor.tree_size).toBeGreaterThanOrEqual(stored.tree_size);
        expect(anchor.leaf_index).toBe(stored.leaf_index);
        expect(anchor.block_height).toBe(stored.block_height);
        expect(lightClientAccepts(anchor, (first[i] as ProofAnswer).proof)).toBe(true);
      });
      // The stored first anchor is what GET /api/v1/proofs/:id still serves.
      expect((await hub.fetchJson<ProofAnswer>(`/api/v1/proofs/${ids[0]}`)).body.anchor).toEqual(first[0]?.anchor);
      // Without a log mirror the first anchors are served, each with its own head.
      const fallback = await loadAnchorsAtNewestHead(hub.ctx.prisma, null, ids);
      expect(fallback.heads.length).toBe(3);
      expect(fallback.anchors.get(ids[1] as string)).toEqual(first[1]?.anchor);
      // A thread's bundle names one head: every anchor the newest.
      const bundle = await hub.fetchJson<{ bundle: { heads: { tree_size: number }[]; consistency: unknown[]; items: { anchor: AnchorWire | null }[] } }>(`/api/v1/bundles?thread=${ids[0]}`);
      expect(bundle.status).toBe(200);
      expect(bundle.body.bundle.heads.length).toBe(1);
      expect(bundle.body.bundle.consistency).toEqual([]);
      expect(bundle.body.bundle.items[0]?.anchor?.tree_size).toBe(bundle.body.bundle.heads[0]?.tree_size);
    } finally {
      await service.close();
      await hub.close();
    }
  }, 240_000);

  it('refuses a validator that forges commit certificates and verifies nothing from it', async () => {
    const forger = await startForgingProxy(config.urls[0] as string);
    const hub = await startTestHub();
    // The forger first: the follower starts on it, refuses it, and fails over to an honest validator.
    const service = startService(hub, [forger.url, config.urls[1] as string]);
    try {
      await service.ready;
      const user = await hub.signUp('mallory_victim');
      const id = await post(hub, user, 'no forged badge');
      const answer = await verifiedProof(hub, id);
      expect(lightClientAccepts(anchorSchema.parse(answer.anchor), answer.proof)).toBe(true);
      const sources = await hub.ctx.prisma.chainHead.findMany({ select: { source: true }, distinct: ['source'] });
      expect(sources.map((row) => row.source)).toEqual([config.urls[1]]);
      const head = await hub.fetchJson<{ alerts: { kind: string; source: string }[] }>('/api/v1/chain/head');
      expect(head.body.alerts.some((alert) => alert.kind === 'bad_certificate' && alert.source === forger.url)).toBe(true);
      expect(forger.forged()).toBeGreaterThan(0);
    } finally {
      await service.close();
      await hub.close();
      await forger.close();
    }
  }, 240_000);

  it('raises fork and rollback alerts for certified heads that contradict what the hub certified', async () => {
    const hub = await startTestHub();
    const service = startService(hub, config.urls);
    const liar = await startLyingValidator();
    try {
      await service.ready;
      const user = await hub.signUp('dave');
      await verifiedProof(hub, await post(hub, user, 'before the fork'));
      const stored = await hub.ctx.prisma.chainHead.findMany({ orderBy: { height: 'desc' }, take: 2 });
      const [latest, older] = stored;
      if (latest === undefined) throw new Error('no certified head');
      const watcher = new HeadWatcher({ db: hub.ctx.prisma, urls: [liar.url], pins: service.pins ?? chainPins(config.genesis), mirror: service.mirror, verifier: nodeVerifier, logger: pino({ level: 'silent' }), checkHeads: () => true });

      // A quorum of the genesis keys (3 of 4, as colluding validators could) certifies another block
      // at a height the hub holds: a valid certificate, and a fork.
      const header = decodeBlockHeader(latest.header);
      if (!header.ok) throw new Error('stored header does not decode');
      const forked = { ...header.value, logRoot: new Uint8Array(32).fill(7) };
      liar.serve(await certify(forked));
      await watcher.checkHead(liar.url);
      // The same validator then shows an older (genuine) head: it went back.
      if (older !== undefined) {
        liar.serve({ height: Number(older.height), block_hash: older.blockHash, tree_size: Number(older.treeSize), root: older.root, header: older.header, certificate: older.qc });
        await watcher.checkHead(liar.url);
      }
      const head = await hub.fetchJson<{ alerts: { kind: string; source: string }[] }>('/api/v1/chain/head');
      const kinds = head.body.alerts.filter((alert) => alert.source === liar.url).map((alert) => alert.kind);
      expect(kinds).toContain('fork');
      if (older !== undefined) expect(kinds).toContain('rollback');
      // Nothing the liar showed became the hub's: its latest certified head is unchanged.
      expect((await hub.fetchJson<{ head: { height: number; root: string } }>('/api/v1/chain/head')).body.head.root).not.toBe(bytesToHexOf(forked.logRoot));
    } finally {
      await liar.close();
      await service.close();
      await hub.close();
    }
  }, 240_000);

  it('verifies a proof whose leaf another hub had committed before this hub stored it', async () => {
    const hub = await startTestHub();
    const service = startService(hub, config.urls);
    try {
      await service.ready;
      const user = await hub.signUp('frank');
      // The follower has adopted since it started (its first adoption matches every pending anchor).
      await verifiedProof(hub, await post(hub, user, 'warm-up'));
      // Another hub submits the leaf first: it is committed and adopted while this hub has no row for it.
      const early = await user.identity.post('public', { body: 'committed elsewhere first' });
      const leaf = { pub: bytesToHex(user.identity.signer.publicKey), id: early.proof.id, sig: early.proof.sig };
      const hash = bytesToHex(leafHash(hexToBytes(leaf.id), base64urlToBytes(leaf.sig)));
      const admitted = await rpcPost(`${config.urls[0] as string}/leaves`, { leaves: [leaf] }, leavesAnswerSchema);
      expect(admitted.results[0]).toMatchObject({ status: 'accepted' });
      await waitFor('the leaf adopted', async () => hub.ctx.prisma.chainLeaf.findFirst({ where: { leafHash: hash } }));
      expect((await hub.fetchJson('/api/v1/proofs', { body: early, cookie: user.cookie })).status).toBe(201);
      // The validators answer `committed`; no later run carries the leaf, so the follower matches
      // every pending anchor at its next adoption (a later post's block).
      // (Or already verified: the follower's periodic whole match may find it before the
      // submitter records the validators' answer.)
      await waitFor('early anchored', async () => (['anchored', 'verified'].includes((await hub.fetchJson<ProofAnswer>(`/api/v1/proofs/${early.proof.id}`)).body.status) ? true : null));
      await verifiedProof(hub, await post(hub, user, 'a later post'));
      const answer = await verifiedProof(hub, early.proof.id);
      expect(lightClientAccepts(anchorSchema.parse(answer.anchor), answer.proof)).toBe(true);
    } finally {
      await service.close();
      await hub.close();
    }
  }, 240_000);

  it('heals an anchor the per-run match missed within a few blocks, with no new post', async () => {
    const hub = await startTestHub();
    const service = startService(hub, config.urls);
    try {
      await service.ready;
      const user = await hub.signUp('hana');
      const id = await post(hub, user, 'matched, then forgotten');
      await verifiedProof(hub, id);
      // As if the run carrying the leaf had been adopted without matching it (the case the
      // follower's periodic whole match exists for): the anchor is pending, the proof `anchored`.
      // submitted_at in the future keeps the submitter's stale retry out of it (a resubmission
      // answered `committed` heals it too, through matchAllPending): only the follower's own net.
      await hub.ctx.prisma.$executeRawUnsafe("UPDATE proof_anchors SET head_height = NULL, leaf_index = NULL, block_height = NULL, inclusion = NULL, verified_at = NULL, submitted_at = now() + interval '1 hour' WHERE proof_id = $1", id);
      await hub.ctx.prisma.$executeRawUnsafe("UPDATE proofs SET status = 'anchored' WHERE id = $1", id);
      expect((await hub.fetchJson<ProofAnswer>(`/api/v1/proofs/${id}`)).body.status).toBe('anchored');
      // Only empty blocks follow (the devnet commits them on its own); no later run carries the leaf.
      const answer = await verifiedProof(hub, id, 90_000);
      expect(lightClientAccepts(anchorSchema.parse(answer.anchor), answer.proof)).toBe(true);
    } finally {
      await service.close();
      await hub.close();
    }
  }, 240_000);

  it('keeps verifying when the validator it follows hangs: the follower moves to one that is ahead', async () => {
    const hub = await startTestHub();
    const service = startService(hub, config.urls);
    const hung = devnet.pid(0);
    expect(hung).not.toBeNull();
    try {
      await service.ready;
      const user = await hub.signUp('gina');
      // The follower reads validator 0's commit stream first.
      await verifiedProof(hub, await post(hub, user, 'before the hang'));
      // Stopped, not killed: its socket stays open and says nothing, as a validator that lost its
      // peers or hangs in a long pause would. The other three go on committing (f = 1).
      process.kill(hung as number, 'SIGSTOP');
      const id = await post(hub, user, 'while validator 0 hangs');
      const answer = await verifiedProof(hub, id, 60_000);
      expect(lightClientAccepts(anchorSchema.parse(answer.anchor), answer.proof)).toBe(true);
    } finally {
      process.kill(hung as number, 'SIGCONT');
      await service.close();
      await hub.close();
    }
  }, 240_000);

  it('verifies proofs posted while every validator was down once they are back', async () => {
    const hub = await startTestHub();
    const service = startService(hub, config.urls);
    try {
      await service.ready;
      const user = await hub.signUp('bob');
      await Promise.all([0, 1, 2, 3].map((index) => devnet.kill(index)));
      const id = await post(hub, user, 'posted while the chain is down');
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect((await hub.fetchJson<ProofAnswer>(`/api/v1/proofs/${id}`)).body.status).toBe('signed');
      await Promise.all([0, 1, 2, 3].map((index) => devnet.restart(index)));
      const answer = await verifiedProof(hub, id, 60_000);
      expect(lightClientAccepts(anchorSchema.parse(answer.anchor), answer.proof)).toBe(true);
    } finally {
      await service.close();
      await hub.close();
    }
  }, 300_000);
});


describe.skipIf(process.env.PG_TEST_URL === undefined || process.env.PG_TEST_URL === '')('one follower at a time (PostgreSQL)', () => {
  it('lets a second instance take over following when the follower stops', async () => {
    const { url, drop } = await createPostgresDatabase();
    const config_ = { kind: 'postgres' as const, url };
    const [dbA, dbB] = [await openDatabase(config_), await openDatabase(config_)];
    const hubA = await startTestHub({ testDb: { db: dbA, config: config_, destroy: () => dbA.close() } });
    const hubB = await startTestHub({ testDb: { db: dbB, config: config_, destroy: () => dbB.close() }, secret: hubA.ctx.secret });
    const options = { source: { ready: Promise.resolve(config) }, databaseUrl: url, watchIntervalMs: 500, scanIntervalMs: 1000, lockRetryMs: 300 };
    const serviceA = startChainService({ ctx: hubA.ctx, io: hubA.web.realtime.io, ...options });
    let serviceB: ChainService | null = null;
    try {
      await serviceA.ready;
      await waitFor('A following', () => Promise.resolve(serviceA.following));
      serviceB = startChainService({ ctx: hubB.ctx, io: hubB.web.realtime.io, ...options });
      const b = serviceB;
      await b.ready;
      const user = await hubA.signUp('carol');
      const first = await post(hubA, user, 'followed by A');
      await verifiedProof(hubB, first);
      expect(b.following).toBe(false);

      await serviceA.close();
      await waitFor('B following', () => Promise.resolve(b.following));
      const second = await post(hubB, user, 'followed by B');
      const answer = await verifiedProof(hubA, second);
      expect(lightClientAccepts(anchorSchema.parse(answer.anchor), answer.proof)).toBe(true);
    } finally {
      await serviceB?.close();
      await serviceA.close();
      await hubA.close();
      await hubB.close();
      await dbA.close();
      await dbB.close();
      await drop();
    }
  }, 120_000);
});

function bytesToHexOf(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

/** A commit certificate on header signed by validators 0, 1 and 2 with their real keys. */
async function certify(header: BlockHeader): Promise<Record<string, unknown>> {
  const keys = await Promise.all([0, 1, 2].map((index) => readKeyFile(devnet.validators[index]?.keyPath ?? '')));
  const committed = headerHash(header);
  const view = header.view + 1;
  const child = new Uint8Array(32).fill(9);
  const message = voteMessage(header.chainId, view, child, committed);
  const qc = { view, blockHash: child, committedHash: committed, signers: [0, 1, 2], signatures: keys.map((key) => key.sign(message)) };
  return { height: header.height, block_hash: bytesToHexOf(committed), tree_size: header.logSize, root: bytesToHexOf(header.logRoot), header: blockHeaderToJson(header), certificate: quorumCertToJson(qc) };
}

/** A validator RPC that answers /status and /head with whatever the test tells it. */
async function startLyingValidator(): Promise<{ url: string; serve: (head: Record<string, unknown>) => void; close: () => Promise<void> }> {
  let head: Record<string, unknown> = {};
  const server = createServer((_request, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(head));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return { url: `http://127.0.0.1:${port}`, serve: (next) => (head = next), close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/**
 * A validator gone bad: relays a real validator's RPC, but every commit certificate on its commit
 * stream and its /head has one signature byte changed.
 */
async function startForgingProxy(target: string): Promise<{ url: string; forged: () => number; close: () => Promise<void> }> {
  let forged = 0;
  const forge = (record: { certificate: { signatures: string[] } | null }) => {
    if (record.certificate === null || record.certificate.signatures.length === 0) return;
    const first = record.certificate.signatures[0] as string;
    record.certificate.signatures[0] = (first[0] === 'a' ? 'b' : 'a') + first.slice(1);
    forged++;
  };
  const server: Server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      void (async () => {
        const upstream = await fetch(`${target}${req.url ?? '/'}`, { method: req.method ?? 'GET', headers: { 'content-type': 'application/json' }, ...(req.method === 'POST' ? { body: Buffer.concat(chunks) } : {}) });
        let text = await upstream.text();
        if ((req.url ?? '').startsWith('/head') && upstream.status === 200) {
          const head = JSON.parse(text) as { certificate: { signatures: string[] } };
          forge(head);
          text = JSON.stringify(head);
        }
        res.writeHead(upstream.status, { 'content-type': 'application/json' });
        res.end(text);
      })().catch(() => {
        res.writeHead(502);
        res.end();
      });
    });
  });
  const wss = new WebSocketServer({ server });
  wss.on('connection', (client, req) => {
    const upstream = new WebSocket(`${target.replace(/^http/, 'ws')}${req.url ?? '/commits'}`);
    upstream.on('message', (data: Buffer) => {
      const message = JSON.parse(data.toString('utf8')) as { block: { certificate: { signatures: string[] } | null } };
      forge(message.block);
      client.send(JSON.stringify(message));
    });
    upstream.on('error', () => client.terminate());
    upstream.on('close', () => client.close());
    client.on('error', () => upstream.terminate());
    client.on('close', () => upstream.terminate());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    forged: () => forged,
    close: async () => {
      for (const client of wss.clients) client.terminate();
      wss.close();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

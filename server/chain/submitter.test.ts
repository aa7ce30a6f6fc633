// The submitter reads each proof's signing key from the issuer's identity view (one query per
// batch) instead of replaying the identity chain: it must name the same key keyForSeq gives,
// across key rotations, or the validators would refuse the leaf (invalid_signature). The pending
// scan reads only proofs above the last fully anchored log index; the status lookup the
// broadcaster makes per admitted batch reads proof_status_log by index (0006_chain_indexes).
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { base64urlToBytes, bytesToHex, hexToBytes } from '@/lib/bytes';
import { leafHash } from '@/lib/merkle';
import { keyForSeq } from '@/lib/proof/identity';
import { loadIdentityState } from '../services/identities';
import { startTestHub } from '../testing/hub';
import type { TestHub } from '../testing/hub';
import pino from 'pino';
import { keyFromView, LeafSubmitter, RESUBMIT_AFTER_MS } from './submitter';

/** A validator's POST /leaves that admits everything and never commits: records which ids it got. */
async function admittingValidator(): Promise<{ url: string; got: string[]; server: Server }> {
  const got: string[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      const { leaves } = JSON.parse(body) as { leaves: { id: string; sig: string }[] };
      got.push(...leaves.map((leaf) => leaf.id));
      const results = leaves.map((leaf) => ({ leaf_hash: bytesToHex(leafHash(hexToBytes(leaf.id), base64urlToBytes(leaf.sig))), status: 'accepted' }));
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ results }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, got, server };
}

let hub: TestHub;

beforeAll(async () => {
  hub = await startTestHub();
}, 60_000);

afterAll(async () => {
  await hub?.close();
});

describe('keyFromView', () => {
  it('gives the key keyForSeq gives for every seq, before and after two rotations', async () => {
    const user = await hub.signUp('rotator');
    const submit = async (body: unknown) => expect((await hub.fetchJson('/api/v1/proofs', { body, cookie: user.cookie })).status).toBe(201);
    await submit(await user.identity.post('public', { body: 'first key' }));
    await submit({ proof: await user.identity.rotate() });
    await submit(await user.identity.post('public', { body: 'second key' }));
    await submit({ proof: await user.identity.rotate() });
    await submit(await user.identity.post('public', { body: 'third key' }));

    const did = user.identity.did;
    const view = await hub.ctx.prisma.identityView.findUnique({ where: { did }, select: { keys: true, headSeq: true } });
    const state = await loadIdentityState(hub.ctx.prisma, did);
    if (view === null || state === null) throw new Error('no identity');
    const keys = new Set<string>();
    for (let seq = 1; seq <= view.headSeq + 1; seq++) {
      const expected = keyForSeq(state, seq);
      expect(expected).toBeDefined();
      const fromView = keyFromView(view.keys, seq);
      expect(fromView).toBe(bytesToHex(expected as Uint8Array));
      keys.add(fromView as string);
    }
    expect(keys.size).toBe(3);
  }, 60_000);

  it('answers undefined for a table it cannot read, so the submitter replays instead', () => {
    expect(keyFromView(null, 1)).toBeUndefined();
    expect(keyFromView([], 1)).toBeUndefined();
    expect(keyFromView([{ key: 'did:key:zNotAKey', from_seq: 1 }], 1)).toBeUndefined();
    expect(keyFromView([{ key: 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK', from_seq: 5 }], 4)).toBeUndefined();
    expect(keyFromView([{ from_seq: 1 }], 1)).toBeUndefined();
  });
});

describe('LeafSubmitter.scan', () => {
  it('finds stored proofs without an anchor row, then reads only above the proofs it saw anchored', async () => {
    const user = await hub.signUp('scanner');
    const store = async (body: string) => {
      const response = await hub.fetchJson<{ id: string }>('/api/v1/proofs', { body: await user.identity.post('public', { body }), cookie: user.cookie });
      expect(response.status).toBe(201);
      return response.body.id;
    };
    const anchor = (ids: string[]) => hub.ctx.prisma.proofAnchor.createMany({ data: ids.map((id) => ({ proofId: id, leafHash: id, pub: '00', submittedAt: new Date() })) });
    // A closed submitter queues nothing (no validator is called); scan still counts what it found.
    const submitter = new LeafSubmitter({ db: hub.ctx.prisma, urls: [], logger: pino({ level: 'silent' }), broadcaster: { proofStatus: () => undefined, chainHead: () => undefined } });
    await submitter.close();
    // Everything the hub holds so far (other tests' proofs, the sign-up's identity proof) anchored.
    await hub.ctx.prisma.$executeRawUnsafe("INSERT INTO proof_anchors (proof_id, leaf_hash, pub, submitted_at) SELECT id, id, '00', now() FROM proofs ON CONFLICT DO NOTHING");
    expect(await submitter.scan()).toBe(0);
    const first = [await store('one'), await store('two')];
    expect(await submitter.scan()).toBe(2);
    await anchor(first);
    const third = await store('three');
    // A proof without its row holds the mark below itself: found again until it has one.
    expect(await submitter.scan()).toBe(1);
    expect(await submitter.scan()).toBe(1);
    await anchor([third]);
    expect(await submitter.scan()).toBe(0);
    // Below the mark nothing is read again; a new submitter (a restart) starts from the bottom.
    await hub.ctx.prisma.proofAnchor.delete({ where: { proofId: first[0] as string } });
    expect(await submitter.scan()).toBe(0);
    const restarted = new LeafSubmitter({ db: hub.ctx.prisma, urls: [], logger: pino({ level: 'silent' }), broadcaster: { proofStatus: () => undefined, chainHead: () => undefined } });
    await restarted.close();
    expect(await restarted.scan()).toBe(1);
  }, 60_000);
});

describe('LeafSubmitter resubmission', () => {
  it('sends a leaf admitted but not committed after RESUBMIT_AFTER_MS to the next validator', async () => {
    const user = await hub.signUp('stranded');
    const response = await hub.fetchJson<{ id: string }>('/api/v1/proofs', { body: await user.identity.post('public', { body: 'stuck in one mempool' }), cookie: user.cookie });
    expect(response.status).toBe(201);
    const id = response.body.id;
    const [a, b] = [await admittingValidator(), await admittingValidator()];
    let now = Date.now();
    const submitter = new LeafSubmitter({ db: hub.ctx.prisma, urls: [a.url, b.url], logger: pino({ level: 'silent' }), broadcaster: { proofStatus: () => undefined, chainHead: () => undefined }, now: () => new Date(now) });
    try {
      submitter.enqueue([id]);
      await submitter.drain();
      expect(a.got).toContain(id);
      expect(b.got).not.toContain(id);
      // Validator A admitted it and never committed it (out of consensus, say): not stale yet…
      await submitter.scan();
      await submitter.drain();
      expect(b.got).not.toContain(id);
      // …then stale: the retry goes to B, not to A again.
      now += RESUBMIT_AFTER_MS + 1_000;
      expect(await submitter.scan()).toBeGreaterThan(0);
      await submitter.drain();
      expect(b.got).toContain(id);
      expect(a.got.filter((got) => got === id)).toHaveLength(1);
    } finally {
      await submitter.close();
      await Promise.all([a, b].map(({ server }) => new Promise((resolve) => server.close(resolve))));
    }
  }, 60_000);
});

describe('0006_chain_indexes', () => {
  it('lets the per-batch status lookup read proof_status_log by proof id', async () => {
    const plan = await hub.ctx.prisma.$transaction(async (tx) => {
      // The planner picks a scan for a nearly empty table; forbid it to see whether an index serves.
      await tx.$executeRawUnsafe('SET LOCAL enable_seqscan = off');
      return tx.$queryRawUnsafe<{ 'QUERY PLAN': string }[]>("EXPLAIN SELECT proof_id, status, max(status_index) FROM proof_status_log WHERE proof_id IN ('a', 'b') GROUP BY proof_id, status");
    });
    expect(plan.map((row) => row['QUERY PLAN']).join('\n')).toContain('proof_status_log_proof_idx');
  });
});

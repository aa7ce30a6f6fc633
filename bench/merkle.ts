// Merkle log benchmark: appends/s over N precomputed leaf hashes beside the raw SHA-256 rate for
// 65-byte inputs (one interior node: 0x01 ‖ left ‖ right), measured in the same run with the
// same hasher. An append costs one node hash on average (n - 1 nodes for n leaves), so the ratio
// says how much the log adds on top of hashing. Target (issue 2): ratio ≥ 0.5 with node:crypto.
// `npx tsx bench/merkle.ts [--leaves N]` runs it alone; bench/core.ts calls benchMerkle().
// Rates are per second of this process's CPU time (user + system), with wall-clock rates beside
// them: on a shared machine CPU time is what stays comparable between runs.
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { nobleHasher, type Hasher } from '@/lib/crypto/sha256';
import { bytesToHex } from '@/lib/bytes';
import { InMemoryNodeStore, leafHashOfData, MerkleLog } from '@/lib/merkle';
import { nodeHasher } from '@/server/crypto/sha256-node';

export interface MerkleBenchOptions {
  /** Leaves to append (default 1,000,000). */
  readonly leaves?: number;
  /** SHA-256 implementation under test (default node:crypto's). */
  readonly hasher?: Hasher;
}

export interface MerkleBenchResult {
  readonly hasher: string;
  readonly leaves: number;
  /** Appends per CPU-second. */
  readonly appendsPerSec: number;
  /** SHA-256 of 65-byte inputs per CPU-second, timed in slices alternating with the appends. */
  readonly rawHashesPerSec: number;
  /** appendsPerSec / rawHashesPerSec. */
  readonly ratio: number;
  /** The same three by wall clock (inflated by other processes on a busy machine). */
  readonly wallAppendsPerSec: number;
  readonly wallRawHashesPerSec: number;
  readonly wallRatio: number;
  /** Node hashes the appends computed per leaf (→ 1 as N grows). */
  readonly nodeHashesPerAppend: number;
  /** Bytes of hash storage per leaf in the in-memory store. */
  readonly storeBytesPerLeaf: number;
  /** Inclusion and consistency proofs per CPU-second for random past tree sizes of the full log. */
  readonly inclusionProofsPerSec: number;
  readonly consistencyProofsPerSec: number;
  /** Root of the benchmarked log, so runs can be compared for sameness. */
  readonly rootHex: string;
}

interface Elapsed {
  cpu: number;
  wall: number;
}

/** Runs work and returns the CPU and wall seconds it took. */
function measure(work: () => void): Elapsed {
  const cpuStart = process.cpuUsage();
  const wallStart = performance.now();
  work();
  const wall = (performance.now() - wallStart) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  return { cpu: (cpu.user + cpu.system) / 1e6, wall };
}

/** Deterministic pseudo-random integers (xorshift32) so runs are comparable. */
function randomIntegers(seed: number): (below: number) => number {
  let state = seed >>> 0 || 1;
  return (below) => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state % below;
  };
}

/** SHA-256 over one reused 65-byte node input, count times. */
function hashRaw(hasher: Hasher, count: number): void {
  const input = new Uint8Array(65);
  input[0] = 1;
  for (let i = 0; i < count; i++) {
    input[1] = i & 0xff;
    // A call into the hasher (native binding or allocating JS) is never optimized away.
    hasher.sha256(input);
  }
}

export async function benchMerkle(opts: MerkleBenchOptions = {}): Promise<MerkleBenchResult> {
  const leafCount = opts.leaves ?? 1_000_000;
  const hasher = opts.hasher ?? nodeHasher;

  // Precomputed leaf hashes (not timed), in one buffer as a batch or a store holds them. The timed
  // loop takes a 32-byte view per leaf, so the appends figure includes making that view.
  const leafBytes = new Uint8Array(leafCount * 32);
  const seedInput = new Uint8Array(4);
  for (let i = 0; i < leafCount; i++) {
    new DataView(seedInput.buffer).setUint32(0, i);
    leafBytes.set(leafHashOfData(seedInput, hasher), i * 32);
  }
  const appendRange = (log: MerkleLog, from: number, to: number): void => {
    for (let i = from; i < to; i++) log.append(leafBytes.subarray(i * 32, i * 32 + 32));
  };

  // Warm up both paths so the JIT has compiled them before timing.
  hashRaw(hasher, 50_000);
  appendRange(new MerkleLog({ hasher }), 0, Math.min(leafCount, 50_000));

  // Appends and raw hashes alternate in slices of equal count, so whatever else runs on the
  // machine weighs on both figures alike.
  const store = new InMemoryNodeStore();
  const log = new MerkleLog({ hasher, store });
  const appendTime: Elapsed = { cpu: 0, wall: 0 };
  const rawTime: Elapsed = { cpu: 0, wall: 0 };
  const ROUNDS = 10;
  for (let round = 0; round < ROUNDS; round++) {
    const from = Math.floor((leafCount * round) / ROUNDS);
    const to = Math.floor((leafCount * (round + 1)) / ROUNDS);
    const appended = measure(() => appendRange(log, from, to));
    const hashed = measure(() => hashRaw(hasher, to - from));
    appendTime.cpu += appended.cpu;
    appendTime.wall += appended.wall;
    rawTime.cpu += hashed.cpu;
    rawTime.wall += hashed.wall;
    // Let a caller's pending I/O (a harness printing progress) through between slices.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  let nodeHashes = 0;
  for (let level = 1; store.count(level) > 0; level++) nodeHashes += store.count(level);
  const rootHex = bytesToHex(log.root());

  // Proofs for random past sizes: O(log n) stored-node reads and hashes each.
  const random = randomIntegers(leafCount);
  const PROOFS = 20_000;
  const inclusion = measure(() => {
    for (let i = 0; i < PROOFS; i++) {
      const size = 1 + random(leafCount);
      if (!log.inclusionProof(random(size), size).ok) throw new Error('inclusion proof failed');
    }
  });
  const consistency = measure(() => {
    for (let i = 0; i < PROOFS; i++) {
      const to = 1 + random(leafCount);
      if (!log.consistencyProof(1 + random(to), to).ok) throw new Error('consistency proof failed');
    }
  });

  const appendsPerSec = leafCount / appendTime.cpu;
  const rawHashesPerSec = leafCount / rawTime.cpu;
  return {
    hasher: hasher.name ?? 'custom',
    leaves: leafCount,
    appendsPerSec,
    rawHashesPerSec,
    ratio: appendsPerSec / rawHashesPerSec,
    wallAppendsPerSec: leafCount / appendTime.wall,
    wallRawHashesPerSec: leafCount / rawTime.wall,
    wallRatio: rawTime.wall / appendTime.wall,
    nodeHashesPerAppend: nodeHashes / leafCount,
    storeBytesPerLeaf: store.bytesAllocated() / leafCount,
    inclusionProofsPerSec: PROOFS / inclusion.cpu,
    consistencyProofsPerSec: PROOFS / consistency.cpu,
    rootHex,
  };
}

/** createHash per call, for comparison with node's one-shot crypto.hash (nodeHasher) and noble. */
export const createHashHasher: Hasher = {
  name: 'node-createHash',
  sha256: (data) => {
    const digest = createHash('sha256').update(data).digest();
    return new Uint8Array(digest.buffer, digest.byteOffset, digest.byteLength);
  },
};

function parseLeaves(argv: readonly string[]): number {
  const at = argv.indexOf('--leaves');
  if (at === -1) return 1_000_000;
  const value = Number(argv[at + 1]);
  if (!Number.isSafeInteger(value) || value < 1) throw new Error('--leaves takes a positive integer');
  return value;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const leaves = parseLeaves(process.argv.slice(2));
  const rows: MerkleBenchResult[] = [];
  for (const hasher of [nodeHasher, createHashHasher, nobleHasher]) rows.push(await benchMerkle({ leaves, hasher }));
  const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
  console.log(`Merkle log, ${fmt(leaves)} leaves (Node ${process.version}); rates per CPU-second, wall-clock ratio beside`);
  console.log('hasher            appends/s  raw 65-byte hashes/s  ratio  wall ratio  node hashes/append  store B/leaf  inclusion proofs/s  consistency proofs/s');
  for (const r of rows) {
    console.log(
      `${r.hasher.padEnd(16)} ${fmt(r.appendsPerSec).padStart(10)} ${fmt(r.rawHashesPerSec).padStart(21)}  ${r.ratio.toFixed(2).padStart(5)}  ${r.wallRatio.toFixed(2).padStart(10)}  ${r.nodeHashesPerAppend.toFixed(3).padStart(18)}  ${r.storeBytesPerLeaf.toFixed(1).padStart(12)}  ${fmt(r.inclusionProofsPerSec).padStart(18)}  ${fmt(r.consistencyProofsPerSec).padStart(20)}`,
    );
  }
  if (new Set(rows.map((r) => r.rootHex)).size !== 1) throw new Error('hashers disagree on the root');
  console.log(`root ${rows[0]?.rootHex ?? ''}`);
}

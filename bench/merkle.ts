// Merkle log benchmark: appends/s over N precomputed leaf hashes beside the raw SHA-256 rate for
// 65-byte inputs (one interior node: 0x01 ‖ left ‖ right), measured in the same run with the
// same hasher. An append costs one node hash on average (n - 1 nodes for n leaves), so the ratio
// says how much the log adds on top of hashing. Target (issue 2): ratio ≥ 0.5 with node:crypto.
// `npx tsx bench/merkle.ts [--leaves N]` runs it alone; bench/core.ts calls benchMerkle().
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
  readonly appendsPerSec: number;
  /** SHA-256 of 65-byte inputs per second, timed in slices alternating with the appends. */
  readonly rawHashesPerSec: number;
  /** appendsPerSec / rawHashesPerSec. */
  readonly ratio: number;
  /** Node hashes the appends computed per leaf (→ 1 as N grows). */
  readonly nodeHashesPerAppend: number;
  /** Bytes of hash storage per leaf in the in-memory store. */
  readonly storeBytesPerLeaf: number;
  /** Inclusion and consistency proofs per second for random past tree sizes of the full log. */
  readonly inclusionProofsPerSec: number;
  readonly consistencyProofsPerSec: number;
  /** Root of the benchmarked log, so runs can be compared for sameness. */
  readonly rootHex: string;
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

/** SHA-256 over one reused 65-byte node input, count times; returns hashes/s. */
function measureRawHashes(hasher: Hasher, count: number): number {
  const input = new Uint8Array(65);
  input[0] = 1;
  let sink = 0;
  const start = performance.now();
  for (let i = 0; i < count; i++) {
    input[1] = i & 0xff;
    sink ^= (hasher.sha256(input)[0] as number);
  }
  const seconds = (performance.now() - start) / 1000;
  if (sink === 256) console.log('unreachable'); // keeps the loop observable
  return count / seconds;
}

export async function benchMerkle(opts: MerkleBenchOptions = {}): Promise<MerkleBenchResult> {
  const leafCount = opts.leaves ?? 1_000_000;
  const hasher = opts.hasher ?? nodeHasher;

  // Precomputed leaf hashes (not timed): one contiguous buffer, as a store or a batch would hold them.
  const leafBytes = new Uint8Array(leafCount * 32);
  const seedInput = new Uint8Array(4);
  for (let i = 0; i < leafCount; i++) {
    new DataView(seedInput.buffer).setUint32(0, i);
    leafBytes.set(leafHashOfData(seedInput, hasher), i * 32);
  }

  // Warm up both paths so the JIT has compiled them before timing.
  measureRawHashes(hasher, 50_000);
  const warm = new MerkleLog({ hasher });
  for (let i = 0; i < Math.min(leafCount, 50_000); i++) warm.append(leafBytes.subarray(i * 32, i * 32 + 32));

  // Appends and raw hashes alternate in ROUNDS slices of equal count, so load from other
  // processes on the machine weighs on both figures alike.
  const store = new InMemoryNodeStore();
  const log = new MerkleLog({ hasher, store });
  let appendSeconds = 0;
  let rawSeconds = 0;
  const ROUNDS = 10;
  for (let round = 0; round < ROUNDS; round++) {
    const from = Math.floor((leafCount * round) / ROUNDS);
    const to = Math.floor((leafCount * (round + 1)) / ROUNDS);
    const start = performance.now();
    for (let i = from; i < to; i++) log.append(leafBytes.subarray(i * 32, i * 32 + 32));
    appendSeconds += (performance.now() - start) / 1000;
    rawSeconds += (to - from) / measureRawHashes(hasher, to - from);
    // Let pending I/O of a caller (e.g. a bench harness printing progress) through between slices.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  const rawHashesPerSec = leafCount / rawSeconds;
  let nodeHashes = 0;
  for (let level = 1; store.count(level) > 0; level++) nodeHashes += store.count(level);
  const rootHex = bytesToHex(log.root());

  // Proofs for random past sizes: O(log n) stored-node reads and hashes each.
  const random = randomIntegers(leafCount);
  const proofs = 20_000;
  let proofStart = performance.now();
  for (let i = 0; i < proofs; i++) {
    const size = 1 + random(leafCount);
    if (!log.inclusionProof(random(size), size).ok) throw new Error('inclusion proof failed');
  }
  const inclusionProofsPerSec = proofs / ((performance.now() - proofStart) / 1000);
  proofStart = performance.now();
  for (let i = 0; i < proofs; i++) {
    const to = 1 + random(leafCount);
    if (!log.consistencyProof(1 + random(to), to).ok) throw new Error('consistency proof failed');
  }
  const consistencyProofsPerSec = proofs / ((performance.now() - proofStart) / 1000);

  const appendsPerSec = leafCount / appendSeconds;
  return {
    hasher: hasher.name ?? 'custom',
    leaves: leafCount,
    appendsPerSec,
    rawHashesPerSec,
    ratio: appendsPerSec / rawHashesPerSec,
    nodeHashesPerAppend: nodeHashes / leafCount,
    storeBytesPerLeaf: store.bytesAllocated() / leafCount,
    inclusionProofsPerSec,
    consistencyProofsPerSec,
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
  console.log(`Merkle log, ${fmt(leaves)} leaves (Node ${process.version})`);
  console.log('hasher            appends/s    raw 65-byte hashes/s  ratio  node hashes/append  store B/leaf  inclusion proofs/s  consistency proofs/s');
  for (const r of rows) {
    console.log(
      `${r.hasher.padEnd(16)} ${fmt(r.appendsPerSec).padStart(11)} ${fmt(r.rawHashesPerSec).padStart(21)}  ${r.ratio.toFixed(2).padStart(5)}  ${r.nodeHashesPerAppend.toFixed(3).padStart(18)}  ${r.storeBytesPerLeaf.toFixed(1).padStart(12)}  ${fmt(r.inclusionProofsPerSec).padStart(18)}  ${fmt(r.consistencyProofsPerSec).padStart(20)}`,
    );
  }
  if (new Set(rows.map((r) => r.rootHex)).size !== 1) throw new Error('hashers disagree on the root');
  console.log(`root ${rows[0]?.rootHex ?? ''}`);
}

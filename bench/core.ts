// `npm run bench:core`: the proof core's throughput, each figure beside the raw primitive it
// stands on, measured in the same run (issue 2, "Benchmark"):
//   - proofs verified per second end to end (JSON text → JSON.parse → zod schema → RFC 8785 JCS →
//     SHA-256 → Ed25519) with each back-end, beside raw node:crypto Ed25519 verifies per second;
//     target: node back-end ≥ 70% of the raw rate;
//   - Merkle log appends per second over 1M leaves beside raw SHA-256 hashes per second
//     (bench/merkle.ts); target: ≥ 50% of the raw rate.
// Then where a proof's time goes, stage by stage, so a missed target points at its module.
// A script, not a test: figures depend on the machine. The measured paths are checked for
// correctness (every verification must succeed) so the bench cannot time a fast failure.
//
// The proofs are 4,096 distinct, realistic ones (64 issuers with 64 proofs each: identity,
// posts, replies, reactions, moderation; each its own body, id and signature), verified in turn
// from their JSON text, so every verification parses, validates, canonicalizes, hashes and
// checks a signature afresh: nothing on the path caches per proof. What does hit is per issuer:
// the did:key decoder's answer and the node back-end's KeyObject, as on a hub whose members post
// again and again (the raw verify gets the same per-issuer KeyObject, prebuilt). A proof comes
// round again only after the 4,095 others, so the CPU caches do not hold its data either.
//
// Options: --quick (short slices, 100k leaves: a smoke run), --leaves N, --check (exit 1 when a
// target is missed), --json (machine-readable figures on stdout after the table).
import { createPublicKey, verify as nodeCryptoVerify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { base64urlToBytes, hexToBytes, utf8Encode } from '@/lib/bytes';
import { canonicalizeJson, canonicalizePlainJson } from '@/lib/canonical-json';
import { didKeyToPublicKey, publicKeyToDidKey } from '@/lib/crypto/did-key';
import { nobleVerifier } from '@/lib/crypto/ed25519';
import { nobleHasher } from '@/lib/crypto/sha256';
import type { Hasher } from '@/lib/crypto/sha256';
import type { SignatureVerifier } from '@/lib/crypto/types';
import { buildUnsignedProof, signProof, signedProofSchema, unsignedBodyOf, verifyProof } from '@/lib/proof';
import { decodeSignature, jsonLengthAtLeast } from '@/lib/proof/proof';
import { PROOF_LIMITS } from '@/lib/proof/limits';
import type { ClaimOf, ProofType, SignedProof, UnsignedProof } from '@/lib/proof';
import type { Result } from '@/lib/errors';
import { createNodeSigner, nodeVerifier } from '@/server/crypto/ed25519-node';
import { nodeHasher } from '@/server/crypto/sha256-node';
import { benchMerkle } from './merkle';
import type { MerkleBenchResult } from './merkle';

const TARGET_VERIFY_RATIO = 0.7;
const TARGET_APPEND_RATIO = 0.5;

/** SPKI DER header of an Ed25519 public key (RFC 8410 §4). */
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

interface Options {
  readonly quick: boolean;
  readonly leaves: number;
  readonly check: boolean;
  readonly json: boolean;
}

function readOptions(): Options {
  const { values } = parseArgs({
    options: { quick: { type: 'boolean' }, leaves: { type: 'string' }, check: { type: 'boolean' }, json: { type: 'boolean' } },
    strict: true,
  });
  const quick = values.quick === true;
  const leaves = values.leaves === undefined ? (quick ? 100_000 : 1_000_000) : Number(values.leaves);
  if (!Number.isSafeInteger(leaves) || leaves < 1) throw new Error('--leaves takes a positive integer');
  return { quick, leaves, check: values.check === true, json: values.json === true };
}

// ---------------------------------------------------------------------------------------------
// Workload: a realistic mix of proofs from many issuers, as the hub admits them.

const ISSUERS = 64;
const PROOFS_PER_ISSUER = 64;

export interface Workload {
  /** The proofs as JSON text, as they arrive over the wire. */
  readonly texts: readonly string[];
  readonly proofs: readonly SignedProof[];
  /** Raw inputs of the signature check: 32 id bytes, 64 signature bytes, the issuer's key. */
  readonly raw: readonly { readonly message: Uint8Array; readonly signature: Uint8Array; readonly publicKey: Uint8Array; readonly keyObject: KeyObject }[];
}

function seedFor(issuer: number): Uint8Array {
  const seed = new Uint8Array(32);
  seed.fill(issuer + 1);
  seed[0] = 0xbe;
  return seed;
}

export async function buildWorkload(): Promise<Workload> {
  const proofs: SignedProof[] = [];
  const posts: string[] = [];
  const start = Date.parse('2026-11-23T18:00:00.000Z');
  for (let issuer = 0; issuer < ISSUERS; issuer++) {
    const signer = createNodeSigner(seedFor(issuer));
    const did = publicKeyToDidKey(signer.publicKey);
    let prev: string | null = null;
    for (let seq = 1; seq <= PROOFS_PER_ISSUER; seq++) {
      const [type, claim] = claimFor(seq, issuer, posts);
      const unsigned: Result<UnsignedProof, string> = buildUnsignedProof({
        type,
        hub: 'general',
        issuer: did,
        seq,
        prev,
        created_at: new Date(start + issuer * 1000 + seq * 60_000).toISOString(),
        claim: claim as ClaimOf<typeof type>,
        evidence: seq % 8 === 0 ? [{ url: `https://example.org/source/${issuer}/${seq}`, label: 'source' }] : [],
      });
      if (!unsigned.ok) throw new Error(`workload proof invalid: ${unsigned.error.code}: ${unsigned.error.message}`);
      const signed: SignedProof = await signProof(unsigned.value, signer);
      proofs.push(signed);
      if (type === 'post') posts.push(signed.id);
      prev = signed.id;
    }
  }
  const keyObjects = new Map<string, KeyObject>();
  const raw = proofs.map((proof) => {
    const publicKey = decodeDid(proof.issuer);
    let keyObject = keyObjects.get(proof.issuer);
    if (keyObject === undefined) {
      keyObject = createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, publicKey]), format: 'der', type: 'spki' });
      keyObjects.set(proof.issuer, keyObject);
    }
    return { message: hexToBytes(proof.id), signature: base64urlToBytes(proof.sig), publicKey, keyObject };
  });
  return { texts: proofs.map((proof) => JSON.stringify(proof)), proofs, raw };
}

/** seq 1 identity; then mostly posts, replies and reactions to earlier posts, with the odd moderation. */
function claimFor(seq: number, issuer: number, posts: readonly string[]): [ProofType, unknown] {
  const digest = (n: number) => (n.toString(16).padStart(8, '0') + 'c0ffee'.repeat(10)).slice(0, 64);
  if (seq === 1) return ['identity', { name: `Member ${issuer}` }];
  const target = posts[(seq * 7919 + issuer * 104_729) % Math.max(1, posts.length)];
  if (target === undefined || seq % 4 === 0) return ['post', { content_digest: digest(issuer * 1000 + seq), visibility: 'public' }];
  if (seq % 4 === 1) return ['reply', { parent: target, root: target, content_digest: digest(issuer * 1000 + seq) }];
  if (seq % 16 === 3) return ['moderation', { target, action: 'flag', reason: 'Off topic for this hub; please repost in the right place.' }];
  return ['reaction', { target, kind: seq % 3 === 0 ? 'verified' : 'like' }];
}

function decodeDid(did: string): Uint8Array {
  const decoded = didKeyToPublicKey(did);
  if (!decoded.ok) throw new Error(decoded.error.message);
  return decoded.value;
}

// ---------------------------------------------------------------------------------------------
// Timing. The machine is shared (other processes, two cores), so every figure is operations per
// CPU-second of this process (process.cpuUsage: user + system), which contention barely moves,
// and the measures run in interleaved slices so what contention remains weighs on all alike.

interface Measure {
  readonly name: string;
  /** Runs items [from, to) of the workload once (modulo its size); returns how many operations it did. */
  run(from: number, to: number): number;
  /** Operations per CPU-second in each round. */
  readonly rates: number[];
  /** Operations and CPU-seconds over all rounds, for the total rate beside the median. */
  readonly total: { ops: number; seconds: number };
}

function measure(name: string, body: (index: number) => void, count: number): Measure {
  return {
    name,
    rates: [],
    total: { ops: 0, seconds: 0 },
    run(from, to) {
      for (let i = from; i < to; i++) body(i % count);
      return to - from;
    },
  };
}

function cpuSecondsNow(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
}

/**
 * Runs the measures in many short rounds, one slice of each per round, the order reversed every
 * other round (so neither side always runs right after the other's garbage). A slice is short
 * (tens of ms) so the machine's load barely changes within a round: comparing figures round by
 * round (medianRatio) cancels most of what other processes do to this one.
 */
function timeInterleaved(measures: readonly Measure[], rounds: number, sliceSeconds: number): void {
  // Warm up first: until V8 has optimized the code, and its compiler threads (whose CPU time
  // process.cpuUsage counts too) are done, the first rounds would time the JIT, not the code.
  for (const m of measures) {
    const c0 = cpuSecondsNow();
    for (let i = 0; cpuSecondsNow() - c0 < sliceSeconds * 25; i += 16) m.run(i, i + 16);
  }
  // Calibrate a batch size per measure that takes about a slice.
  const batch = new Map<Measure, number>();
  for (const m of measures) {
    let n = 16;
    for (;;) {
      const c0 = cpuSecondsNow();
      m.run(0, n);
      const s = cpuSecondsNow() - c0;
      if (s > sliceSeconds / 2) {
        batch.set(m, Math.max(1, Math.round((n * sliceSeconds) / s)));
        break;
      }
      n *= 2;
    }
  }
  const reversed = [...measures].reverse();
  for (let round = 0; round < rounds; round++) {
    for (const m of round % 2 === 0 ? measures : reversed) {
      const n = batch.get(m) ?? 1;
      const c0 = cpuSecondsNow();
      const ops = m.run(round * n, (round + 1) * n);
      const seconds = Math.max(1e-6, cpuSecondsNow() - c0);
      m.rates.push(ops / seconds);
      m.total.ops += ops;
      m.total.seconds += seconds;
    }
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Median rate over the rounds. */
const rateOf = (m: Measure): number => median(m.rates);

/** All of m's operations over all of its CPU time (every round alike, slow ones included). */
const totalRateOf = (m: Measure): number => m.total.ops / Math.max(1e-9, m.total.seconds);

/** Median over the rounds of m's rate divided by the baseline's rate in the same round. */
function medianRatio(m: Measure, baseline: Measure): number {
  return median(m.rates.map((rate, i) => rate / (baseline.rates[i] ?? Number.NaN)));
}

// ---------------------------------------------------------------------------------------------

function verifyEndToEnd(workload: Workload, verifier: SignatureVerifier, hasher: Hasher): (i: number) => void {
  return (i) => {
    const result = verifyProof(JSON.parse(workload.texts[i] as string), verifier, { hasher });
    if (!result.ok) throw new Error(`proof ${i} failed: ${result.error.code}: ${result.error.message}`);
  };
}

interface ProofFigures {
  readonly rawNodeVerify: number;
  /** Median per-round ratios to the raw verify rate. */
  readonly ratios: Record<'node' | 'noble' | 'signatureNode' | 'signatureNoble', number>;
  /** The headline pair over all of its rounds: total operations / total CPU-seconds. */
  readonly totals: { readonly rounds: number; readonly rawNodeVerify: number; readonly node: number; readonly ratio: number };
  readonly endToEnd: Record<'node' | 'noble', number>;
  readonly signatureOnly: Record<'node' | 'noble', number>;
  readonly stagesMicros: Record<string, number>;
}

function benchProofs(workload: Workload, quick: boolean): ProofFigures {
  const count = workload.texts.length;
  let sink = 0;
  const rawNode = measure('raw node:crypto Ed25519 verify', (i) => {
    const r = workload.raw[i]!;
    if (!nodeCryptoVerify(null, r.message, r.keyObject, r.signature)) throw new Error('raw verify failed');
  }, count);
  const e2eNode = measure('proof verify, node back-end', verifyEndToEnd(workload, nodeVerifier, nodeHasher), count);
  const e2eNoble = measure('proof verify, noble back-end', verifyEndToEnd(workload, nobleVerifier, nobleHasher), count);
  const sigNode = measure('signature only, node back-end', (i) => {
    const r = workload.raw[i]!;
    if (!nodeVerifier.verify(r.signature, r.message, r.publicKey)) throw new Error('verify failed');
  }, count);
  const sigNoble = measure('signature only, noble back-end', (i) => {
    const r = workload.raw[i]!;
    if (!nobleVerifier.verify(r.signature, r.message, r.publicKey)) throw new Error('verify failed');
  }, count);

  // Stages of the node path, each alone, on the same proofs.
  const parsed = workload.texts.map((text) => JSON.parse(text) as unknown);
  const canonical = workload.proofs.map((proof) => utf8Encode(canonicalizeJson(unsignedBodyOf(proof))));
  const stages = [
    measure('JSON.parse', (i) => {
      sink ^= (JSON.parse(workload.texts[i] as string) as { seq: number }).seq;
    }, count),
    // verifyProof's guard before the schema: a lower bound of the JSON size that stops at the
    // limit. The exact size is measured on the JCS bytes the id hashes (the next stages).
    measure('size guard (bounded lower-bound walk)', (i) => {
      sink ^= jsonLengthAtLeast(parsed[i], PROOF_LIMITS.maxProofBytes);
    }, count),
    measure('zod schema, compiled (signedProofSchema.safeParse)', (i) => {
      if (!signedProofSchema.safeParse(parsed[i]).success) throw new Error('parse failed');
    }, count),
    // verifyProof's form: the schema's output straight to the package (canonicalizePlainJson).
    measure('JCS (canonicalize package) + UTF-8 encode', (i) => {
      sink ^= utf8Encode(canonicalizePlainJson(unsignedBodyOf(workload.proofs[i]!))).length;
    }, count),
    measure('SHA-256 of the canonical body (node)', (i) => {
      sink ^= nodeHasher.sha256(canonical[i]!)[0] ?? 0;
    }, count),
    // The schema's did:key check and verifyProof's key lookup: the decoder's cache per DID string.
    measure('did:key to key (cached decoder), done twice per proof', (i) => {
      sink ^= decodeDid(workload.proofs[i]!.issuer)[0] ?? 0;
    }, count),
    measure('sig base64url decode (86-character decoder)', (i) => {
      sink ^= decodeSignature(workload.proofs[i]!.sig)[0] ?? 0;
    }, count),
  ];

  // The headline pair alone, in short alternating rounds: the node path end to end against the
  // raw verify it stands on. The noble back-end (pure JavaScript, a few ms and much garbage per
  // verification) runs in its own rounds below, beside its own raw baseline, so its garbage is
  // not collected in the headline's slices.
  const headlineRounds = quick ? 40 : 240;
  timeInterleaved([rawNode, e2eNode], headlineRounds, quick ? 0.015 : 0.02);
  const rawOthers = measure(rawNode.name, (i) => rawNode.run(i, i + 1), count);
  timeInterleaved([rawOthers, sigNode, e2eNoble, sigNoble], quick ? 10 : 40, quick ? 0.02 : 0.04);
  const stageBaseline = measure(rawNode.name, (i) => rawNode.run(i, i + 1), count);
  timeInterleaved([stageBaseline, ...stages], quick ? 10 : 60, quick ? 0.01 : 0.02);
  if (sink === 0.5) console.log(sink); // keeps the stage results observable

  // Each stage's cost relative to a raw verify in the same round, expressed in µs at the raw rate
  // of the main measurement, so the stages and the end-to-end figure share one scale.
  const rawMicros = 1e6 / rateOf(rawNode);
  const stagesMicros: Record<string, number> = { 'node:crypto Ed25519 verify (raw)': rawMicros };
  for (const stage of stages) {
    const times = stage.name.includes('twice') ? 2 : 1;
    stagesMicros[stage.name] = times * rawMicros * medianRatio(stageBaseline, stage);
  }
  return {
    rawNodeVerify: rateOf(rawNode),
    ratios: {
      node: medianRatio(e2eNode, rawNode),
      noble: medianRatio(e2eNoble, rawOthers),
      signatureNode: medianRatio(sigNode, rawOthers),
      signatureNoble: medianRatio(sigNoble, rawOthers),
    },
    totals: { rounds: headlineRounds, rawNodeVerify: totalRateOf(rawNode), node: totalRateOf(e2eNode), ratio: totalRateOf(e2eNode) / totalRateOf(rawNode) },
    endToEnd: { node: rateOf(e2eNode), noble: rateOf(e2eNoble) },
    signatureOnly: { node: rateOf(sigNode), noble: rateOf(sigNoble) },
    stagesMicros,
  };
}

// ---------------------------------------------------------------------------------------------

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
const pct = (n: number): string => `${(n * 100).toFixed(0)}%`;
const loadText = (): string => loadavg().map((n) => n.toFixed(2)).join(', ');
const verdict = (ratio: number, target: number): string => (ratio >= target ? `meets ≥ ${pct(target)}` : `MISSES ≥ ${pct(target)}`);

async function main(): Promise<number> {
  const options = readOptions();
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  console.log(`proofhub bench:core — Node ${process.version}, ${cpu} (${cpus().length} cores)${options.quick ? ', --quick' : ''}`);

  const workload = await buildWorkload();
  const loadBefore = loadText();
  const proofs = benchProofs(workload, options.quick);
  const loadAfter = loadText();
  const nodeRatio = proofs.ratios.node;
  const nobleRatio = proofs.ratios.noble;
  console.log('');
  console.log(`Proof verification, end to end: JSON text → JSON.parse → zod → JCS → SHA-256 → Ed25519`);
  console.log(`(${fmt(workload.texts.length)} proofs of ${ISSUERS} issuers, ${fmt(workload.texts.reduce((n, t) => n + t.length, 0) / workload.texts.length)} bytes each on average)`);
  console.log(`(load average ${loadBefore} before the proof measures, ${loadAfter} after; rates are per CPU-second of this process)`);
  console.log('');
  console.log(`Headline: raw verify and the node path end to end in ${proofs.totals.rounds} alternating rounds`);
  console.log('                                      median of rounds   all rounds');
  console.log(`  raw node:crypto Ed25519 verify/s    ${fmt(proofs.rawNodeVerify).padStart(14)}   ${fmt(proofs.totals.rawNodeVerify).padStart(10)}`);
  console.log(`  proofs verified end to end/s        ${fmt(proofs.endToEnd.node).padStart(14)}   ${fmt(proofs.totals.node).padStart(10)}`);
  console.log(`  end to end vs raw verify            ${pct(nodeRatio).padStart(14)}   ${pct(proofs.totals.ratio).padStart(10)}   ${verdict(nodeRatio, TARGET_VERIFY_RATIO)} (median of the per-round ratios)`);
  console.log('');
  console.log('                                           proofs/s   vs raw verify');
  console.log(`  raw node:crypto Ed25519 verify      ${fmt(proofs.rawNodeVerify).padStart(14)}        100%`);
  console.log(`  signature only, node back-end       ${fmt(proofs.signatureOnly.node).padStart(14)}   ${pct(proofs.ratios.signatureNode).padStart(9)}`);
  console.log(`  proof end to end, node back-end     ${fmt(proofs.endToEnd.node).padStart(14)}   ${pct(nodeRatio).padStart(9)}   ${verdict(nodeRatio, TARGET_VERIFY_RATIO)}`);
  console.log(`  signature only, noble back-end      ${fmt(proofs.signatureOnly.noble).padStart(14)}   ${pct(proofs.ratios.signatureNoble).padStart(9)}`);
  console.log(`  proof end to end, noble back-end    ${fmt(proofs.endToEnd.noble).padStart(14)}   ${pct(nobleRatio).padStart(9)}   (browser path, no target)`);
  console.log('');
  console.log('Where a proof\'s time goes (node path; each stage timed alone on the same proofs, µs per proof):');
  const endToEndMicros = 1e6 / (proofs.rawNodeVerify * proofs.ratios.node);
  let sum = 0;
  for (const [stage, micros] of Object.entries(proofs.stagesMicros)) {
    sum += micros;
    console.log(`  ${stage.padEnd(62)} ${micros.toFixed(2).padStart(8)}  ${pct(micros / endToEndMicros).padStart(4)}`);
  }
  console.log(`  ${'sum of the stages alone'.padEnd(62)} ${sum.toFixed(2).padStart(8)}  ${pct(sum / endToEndMicros).padStart(4)}`);
  console.log(`  ${'end to end (measured)'.padEnd(62)} ${endToEndMicros.toFixed(2).padStart(8)}  100%`);
  console.log('  (the rest is zod/JCS glue, result freezing, allocation and GC, and the cache cost of');
  console.log('   alternating JavaScript work with native verification)');

  const merkle: MerkleBenchResult = await benchMerkle({ leaves: options.leaves, hasher: nodeHasher });
  console.log('');
  console.log(`Merkle log appends over ${fmt(merkle.leaves)} leaves (node:crypto SHA-256, ${merkle.nodeHashesPerAppend.toFixed(3)} node hashes per append)`);
  console.log('                                           per second  vs raw hash');
  console.log(`  raw SHA-256, 65-byte node input     ${fmt(merkle.rawHashesPerSec).padStart(14)}        100%`);
  console.log(`  MerkleLog.append                    ${fmt(merkle.appendsPerSec).padStart(14)}   ${pct(merkle.ratio).padStart(9)}   ${verdict(merkle.ratio, TARGET_APPEND_RATIO)}`);
  console.log(`  inclusion proofs (random past size) ${fmt(merkle.inclusionProofsPerSec).padStart(14)}`);
  console.log(`  consistency proofs                  ${fmt(merkle.consistencyProofsPerSec).padStart(14)}`);

  if (options.json) {
    console.log(JSON.stringify({
      node: process.version,
      cpu,
      loadAverage: { before: loadBefore, after: loadAfter },
      proofs,
      merkle,
    }));
  }
  const missed = nodeRatio < TARGET_VERIFY_RATIO || merkle.ratio < TARGET_APPEND_RATIO;
  return options.check && missed ? 1 : 0;
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = await main();

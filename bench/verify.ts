// The 1,000-item thread check (issue 5 target: < 2 s in the browser). Builds a real anchored
// thread (lib/verify/testing.ts: 1,000 items by 20 authors, two certified heads) and times
// verifyThread with each signature back-end available here: noble (sync, the browser's fallback)
// and WebCrypto (async, Node's OpenSSL here; Chromium's BoringSSL in the e2e figure). Wall time
// and CPU time of this process are both printed: the machine is shared, so say the load.
//   npx tsx bench/verify.ts [--items N] [--runs R]
import { loadavg } from 'node:os';
import { nobleVerifier } from '@/lib/crypto/ed25519';
import { createWebCryptoVerifier, verifyThread, type AsyncSignatureVerifier } from '@/lib/verify';
import { createThreadFixture } from '@/lib/verify/testing';
import { startChromiumVerifier } from './chromium-verify';

function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(name);
  const value = index >= 0 ? Number(process.argv[index + 1]) : fallback;
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

const target = option('--items', 1000);
const runs = option('--runs', 3);
// The fixture adds a reaction every third reply: solve replies + floor(replies/3) + 1 ≈ target.
const fixture = await createThreadFixture({ replies: Math.round(((target - 1) * 3) / 4), authors: 20 });
const input = { items: fixture.items, identities: fixture.identities, validators: fixture.chain.validatorSet, heads: fixture.heads, consistency: fixture.consistency };
console.log(`thread: ${fixture.items.length} items, ${fixture.identities.length} identity proofs, ${fixture.heads.length} certified heads; load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);

const backEnds: [string, AsyncSignatureVerifier | undefined][] = [
  ['noble', undefined],
  ['webcrypto', createWebCryptoVerifier(globalThis.crypto.subtle)],
];
for (const [name, asyncVerifier] of backEnds) {
  for (let run = 0; run < runs; run++) {
    nobleVerifier.clearKeyCache();
    const cpu = process.cpuUsage();
    const start = performance.now();
    const report = await verifyThread(input, { ...(asyncVerifier ? { asyncVerifier } : {}), yieldControl: () => new Promise((resolve) => setImmediate(resolve)) });
    const wall = performance.now() - start;
    const used = process.cpuUsage(cpu);
    if (!report.ok) throw new Error(`the bench thread must verify: ${JSON.stringify(report.failures.slice(0, 3))}`);
    console.log(`${name.padEnd(10)} run ${run + 1}: ${wall.toFixed(0)} ms wall, ${((used.user + used.system) / 1000).toFixed(0)} ms CPU (${report.verifier}, ${report.total} items ok)`);
  }
}

// The same thread in Chromium (bench/chromium-verify.ts): lib/verify bundled as the browser gets
// it, the thread passed in as JSON (as fetched), timed inside the page; WebCrypto and noble in
// alternating rounds, with the CPU time of the Chromium processes.
if (!process.argv.includes('--no-browser')) {
  const chromium = await startChromiumVerifier();
  try {
    const json = JSON.stringify(input);
    for (let run = 0; run < runs; run++) {
      for (const mode of ['webcrypto', 'noble'] as const) {
        const result = await chromium.verify(json, mode);
        if (!result.ok) throw new Error('the bench thread must verify in the browser');
        console.log(`chromium ${mode.padEnd(10)} run ${run + 1}: ${result.ms.toFixed(0)} ms wall, ${result.cpuMs.toFixed(0)} ms Chromium CPU (${result.verifier}, ${result.total} items ok, ${result.heads} heads); load ${loadavg()[0]?.toFixed(2)}`);
      }
    }
  } finally {
    await chromium.close();
  }
}

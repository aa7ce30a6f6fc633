// Verifying a thread in the real browser for the benchmarks (bench/verify.ts, bench/e2e.ts):
// lib/verify bundled as the page gets it (esbuild, browser platform), system Chromium through
// playwright-core, the thread handed over as JSON (as fetched), and verifyThread timed inside the
// page with performance.now(), the way "Verify thread" runs it (components/verify/verify-thread.tsx:
// WebCrypto Ed25519 when the browser has it, noble for the rest; default chunking and yields).
// Besides the wall time, the CPU time of every Chromium process over the run is read from
// /proc/PID/stat: on the shared machine that figure survives the load, the wall time does not.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type * as VerifyApi from '@/lib/verify';

export type BrowserMode = 'webcrypto' | 'noble';

export interface BrowserVerifyRun {
  mode: BrowserMode;
  /** Wall time of verifyThread inside the page. */
  ms: number;
  /** CPU time of all Chromium processes over the same call (user + system). */
  cpuMs: number;
  ok: boolean;
  total: number;
  verifier: string;
  heads: number;
  failures: number;
}

export interface ChromiumVerifier {
  verify(inputJson: string, mode: BrowserMode): Promise<BrowserVerifyRun>;
  close(): Promise<void>;
}

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** CPU milliseconds (utime + stime) of pid and all its descendants. */
export async function treeCpuMs(root: number): Promise<number> {
  const parents = new Map<number, number>();
  const cpu = new Map<number, number>();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = await readFile(join('/proc', entry, 'stat'), 'utf8');
      // Fields after the command (which may hold spaces) start after the last ')'.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parents.set(Number(entry), Number(fields[1]));
      cpu.set(Number(entry), Number(fields[11]) + Number(fields[12]));
    } catch {
      // The process ended while we read.
    }
  }
  let ticks = 0;
  for (const [pid, value] of cpu) {
    for (let p: number | undefined = pid; p !== undefined && p > 0; p = parents.get(p)) {
      if (p === root) {
        ticks += value;
        break;
      }
    }
  }
  return (ticks * 1000) / TICKS_PER_SECOND;
}

export async function startChromiumVerifier(): Promise<ChromiumVerifier> {
  const esbuild = await import('esbuild');
  const { chromium } = await import('playwright-core');
  const bundle = await esbuild.build({
    entryPoints: [join(import.meta.dirname, '../lib/verify/index.ts')],
    bundle: true,
    write: false,
    format: 'iife',
    globalName: 'proofhubVerify',
    platform: 'browser',
    target: 'es2022',
    alias: { '@': join(import.meta.dirname, '..') },
  });
  // launchServer, not launch: its process() gives the browser's pid, whose descendants are the
  // renderer, GPU and utility processes whose CPU time we read.
  const server = await chromium.launchServer({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
  const browserPid = server.process().pid ?? null;
  const browser = await chromium.connect(server.wsEndpoint());
  const close = async () => {
    await browser.close();
    await server.close();
  };
  try {
    const page = await browser.newPage();
    await page.route('http://localhost/', (route) => route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>bench</title>' }));
    await page.goto('http://localhost/');
    await page.addScriptTag({ content: bundle.outputFiles[0]?.text ?? '' });
    return {
      async verify(inputJson, mode) {
        // Parse outside the timed call: the page has the thread as objects before it verifies.
        await page.evaluate((json) => {
          (globalThis as unknown as { benchThread: unknown }).benchThread = JSON.parse(json);
        }, inputJson);
        const cpuBefore = browserPid === null ? 0 : await treeCpuMs(browserPid);
        const result = await page.evaluate(async (mode) => {
          const api = (globalThis as unknown as { proofhubVerify: typeof VerifyApi }).proofhubVerify;
          const thread = (globalThis as unknown as { benchThread: Parameters<typeof api.verifyThread>[0] }).benchThread;
          const useWebCrypto = mode === 'webcrypto' && (await api.webCryptoHasEd25519(crypto.subtle));
          const start = performance.now();
          const report = await api.verifyThread(thread, useWebCrypto ? { asyncVerifier: api.createWebCryptoVerifier(crypto.subtle) } : {});
          return { ms: performance.now() - start, ok: report.ok, total: report.total, verifier: report.verifier, heads: report.heads.length, failures: report.failures.length };
        }, mode);
        const cpuMs = browserPid === null ? Number.NaN : (await treeCpuMs(browserPid)) - cpuBefore;
        return { mode, cpuMs, ...result };
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

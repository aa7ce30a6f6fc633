#!/usr/bin/env node
// The npm registry reachable from these machines lacks some platform-specific optional packages
// (macOS/Windows/Android builds of @next/swc, @tailwindcss/oxide, @unrs/resolver-binding at the
// pinned versions). `npm install` then leaves them out of package-lock.json, and `npm ci` refuses
// the lock as "out of sync". This script adds a lock entry for each such package with the os/cpu
// its name declares, so `npm ci` skips it on Linux exactly as it would with a complete lock.
// Run it after any `npm install` that changes package-lock.json:  node scripts/fix-lockfile.mjs
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';

const LOCK = new URL('../package-lock.json', import.meta.url);

function missingFromLock() {
  try {
    execFileSync('npm', ['ci', '--dry-run', '--ignore-scripts', '--no-audit', '--no-fund'], { stdio: 'pipe' });
    return [];
  } catch (error) {
    const text = `${error.stdout ?? ''}${error.stderr ?? ''}`;
    return [...text.matchAll(/Missing: (@?[^@\s]+)@\S* from lock file/g)].map((m) => m[1]);
  }
}

function platformOf(name) {
  const os = ['android', 'darwin', 'freebsd', 'win32', 'linux', 'openharmony', 'wasm32'].find((o) => name.includes(`-${o}-`) || name.endsWith(`-${o}`));
  const cpu = ['arm64', 'x64', 'ia32', 'arm', 'loong64', 'ppc64', 'riscv64', 's390x', 'wasi'].find((c) => name.includes(`-${c}`));
  if (os === 'wasm32') return { cpu: ['wasm32'] };
  if (os === undefined || cpu === undefined) throw new Error(`cannot tell the platform of ${name}`);
  return { os: [os], cpu: [cpu] };
}

const missing = missingFromLock();
if (missing.length === 0) {
  console.log('package-lock.json is complete: npm ci accepts it');
  process.exit(0);
}
const lock = JSON.parse(readFileSync(LOCK, 'utf8'));
for (const name of missing) {
  let version;
  for (const entry of Object.values(lock.packages)) {
    version ??= entry.optionalDependencies?.[name];
  }
  if (version === undefined) throw new Error(`no package in the lock names ${name} as optional`);
  lock.packages[`node_modules/${name}`] = { version, license: 'MIT', optional: true, ...platformOf(name) };
  console.log(`added ${name}@${version}`);
}
lock.packages = Object.fromEntries(Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))));
writeFileSync(LOCK, `${JSON.stringify(lock, null, 2)}\n`);
const still = missingFromLock();
if (still.length > 0) throw new Error(`still missing: ${still.join(', ')}`);
console.log('package-lock.json fixed: npm ci accepts it');

// What `npm start` prepares before serving: Prisma Client generated from the current schema, and
// a Next.js production build no older than the sources it was built from.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Newest modification time under paths (files or folders), skipping generated folders. */
export function newestMtime(root: string, paths: readonly string[]): number {
  let newest = 0;
  const visit = (path: string) => {
    let stats;
    try {
      stats = statSync(path);
    } catch {
      return;
    }
    if (stats.isDirectory()) {
      for (const entry of readdirSync(path)) {
        if (entry === 'node_modules' || entry === 'generated' || entry.startsWith('.')) continue;
        visit(join(path, entry));
      }
    } else if (stats.mtimeMs > newest) newest = stats.mtimeMs;
  };
  for (const path of paths) visit(join(root, path));
  return newest;
}

function mtimeOf(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

/** Inputs of the Next build: routes, components, the pure code they import, styles and config. */
const NEXT_INPUTS = ['app', 'components', 'lib', 'public', 'server/auth', 'server/app-context.ts', 'next.config.ts', 'postcss.config.mjs', 'tsconfig.json', 'package.json', 'package-lock.json'];

export function nextBuildIsStale(root: string): boolean {
  const buildId = join(root, '.next', 'BUILD_ID');
  if (!existsSync(buildId)) return true;
  return newestMtime(root, NEXT_INPUTS) > mtimeOf(buildId);
}

export function prismaClientIsStale(root: string): boolean {
  const client = join(root, 'server', 'generated', 'prisma', 'client.ts');
  return !existsSync(client) || mtimeOf(join(root, 'prisma', 'schema.prisma')) > mtimeOf(client);
}

function run(root: string, args: string[], env: NodeJS.ProcessEnv): void {
  const result = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit', env });
  if (result.status !== 0) throw new Error(`${args.join(' ')} failed (exit ${String(result.status ?? result.signal)})`);
}

export function generatePrismaClient(root: string): void {
  run(root, [join(root, 'prisma', 'generate-client.mjs')], process.env);
}

export function buildNext(root: string): void {
  run(root, [join(root, 'node_modules', 'next', 'dist', 'bin', 'next'), 'build'], { ...process.env, NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1' });
}

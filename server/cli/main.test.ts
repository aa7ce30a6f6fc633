// The dispatcher's exit codes, in-process (commands' own behaviour is tested end to end in test/cli).
import { describe, expect, it } from 'vitest';
import { runMain } from '@/test/cli/run-cli';
import { UsageError } from './io';
import { registerCommand } from './main';

registerCommand('test-usage', { summary: 'test only', load: () => Promise.resolve({ run: () => Promise.reject(new UsageError('bad flag --x')) }) });
registerCommand('test-crash', { summary: 'test only', load: () => Promise.resolve({ run: () => Promise.reject(new TypeError('boom')) }) });

describe('proofhub dispatcher', () => {
  it('lists commands for --help (0) and without a command (2)', async () => {
    const help = await runMain(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: proofhub <command>/);
    for (const command of ['keygen', 'sign', 'verify', 'merkle']) expect(help.stdout).toContain(`  ${command} `);
    expect((await runMain([])).code).toBe(2);
  });

  it('refuses an unknown command with 2', async () => {
    const run = await runMain(['frobnicate']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('unknown command "frobnicate"');
  });

  it('turns a UsageError into 2 and a crash into 70, never 1', async () => {
    const usage = await runMain(['test-usage']);
    expect(usage).toMatchObject({ code: 2, stderr: 'proofhub: test-usage: bad flag --x\n' });
    const crash = await runMain(['test-crash']);
    expect(crash.code).toBe(70);
    expect(crash.stderr).toMatch(/^proofhub: test-crash: internal error: TypeError: boom/);
  });
});

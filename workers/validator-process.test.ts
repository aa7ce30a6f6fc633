// CLI argument handling of `proofhub validator` and the devnet's on-disk preparation.
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { bytesToHex } from '@/lib/bytes';
import { DevnetError, prepareDevnet, startDevnet } from './devnet';
import { readKeyFile } from './keys';
import { freeBasePort } from './ports';
import { parseValidatorArgs, ValidatorUsageError } from './validator-process';

const dirs: string[] = [];
afterEach(async () => {
  while (dirs.length > 0) await rm(dirs.pop() as string, { recursive: true, force: true });
});

describe('proofhub validator arguments', () => {
  it('parses the documented options', () => {
    expect(parseValidatorArgs(['--genesis', 'g.json', '--key', 'k.json', '--timeout-ms', '800', '--max-block-leaves', '256'])).toMatchObject({
      genesis: 'g.json',
      key: 'k.json',
      'timeout-ms': 800,
      'max-block-leaves': 256,
    });
    expect(parseValidatorArgs(['--help'])).toBe('help');
  });

  it.each([
    [['--key', 'k.json'], /--genesis is required/],
    [['--genesis', 'g.json'], /--key is required/],
    [['--genesis', 'g', '--key', 'k', '--timeout-ms', '1e3'], /timeout-ms/],
    [['--genesis', 'g', '--key', 'k', '--max-block-leaves', '99999'], /max-block-leaves/],
    [['--genesis', 'g', '--key', 'k', '--bogus'], /bogus/],
    [['--genesis', 'g', '--key', 'k', 'extra'], /extra|positional/i],
  ])('refuses %j', (argv, message) => {
    expect(() => parseValidatorArgs(argv)).toThrow(ValidatorUsageError);
    expect(() => parseValidatorArgs(argv)).toThrow(message);
  });
});

describe('prepareDevnet', () => {
  it('writes genesis and 0600 keys once, reuses them, and refuses another base port', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'proofhub-devnet-prep-'));
    dirs.push(dir);
    const first = await prepareDevnet({ dir, basePort: 45100 });
    expect(first.genesis.validators.map((validator) => validator.port)).toEqual([45100, 45101, 45102, 45103]);
    for (const validator of first.validators) {
      expect((await stat(validator.keyPath)).mode & 0o777).toBe(0o600);
      const key = await readKeyFile(validator.keyPath);
      expect(bytesToHex(key.publicKey)).toBe(bytesToHex(first.genesis.validators[validator.index]?.publicKey ?? new Uint8Array()));
    }
    const again = await prepareDevnet({ dir, basePort: 45100 });
    expect(again.genesis.hash).toBe(first.genesis.hash);
    await expect(prepareDevnet({ dir, basePort: 45200 })).rejects.toBeInstanceOf(DevnetError);
  });
});

describe('a devnet whose port is taken', () => {
  it('reports the validator that could not listen as exited, instead of waiting for it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'proofhub-devnet-taken-'));
    dirs.push(dir);
    const basePort = await freeBasePort(4);
    // Another program on validator 0's port: it accepts and drops every connection.
    const squatter = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => squatter.listen(basePort, '127.0.0.1', resolve));
    try {
      const started = Date.now();
      await expect(startDevnet({ dir, basePort, logLevel: 'warn', readyTimeoutMs: 60_000 })).rejects.toThrow(/validator 0 exited during start/);
      // Failing fast is the point: waiting out readyTimeoutMs is what hid the cause before.
      expect(Date.now() - started).toBeLessThan(60_000);
      expect(await readFile(join(dir, 'validator-0', 'validator.log'), 'utf8')).toMatch(/EADDRINUSE/);
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
  }, 90_000);
});

// CLI argument handling of `proofhub validator` and the devnet's on-disk preparation.
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { bytesToHex } from '@/lib/bytes';
import { DevnetError, prepareDevnet } from './devnet';
import { readKeyFile } from './keys';
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

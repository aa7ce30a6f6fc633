// Genesis and key files: what a validator refuses to start from.
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { bytesToHex } from '@/lib/bytes';
import { publicKeyToDidKey } from '@/lib/crypto/did-key';
import { GenesisError, parseGenesis, validatorIndexOf } from './genesis';
import { generateValidatorKey, KeyFileError, readKeyFile, writeKeyFile } from './keys';

const dirs: string[] = [];
afterEach(async () => {
  while (dirs.length > 0) await rm(dirs.pop() as string, { recursive: true, force: true });
});

function validGenesis(count = 4) {
  const keys = Array.from({ length: count }, () => generateValidatorKey());
  return {
    keys,
    file: {
      chain_id: 'test-chain',
      created_at: '2026-01-01T00:00:00.000Z',
      validators: keys.map((key, index) => ({ index, public_key: bytesToHex(key.publicKey), host: '127.0.0.1', port: 30000 + index })),
    },
  };
}

describe('genesis', () => {
  it('accepts hex and did:key public keys and finds a validator by key', () => {
    const { keys, file } = validGenesis();
    const first = file.validators[0];
    if (first) first.public_key = publicKeyToDidKey(keys[0]?.publicKey as Uint8Array);
    const genesis = parseGenesis(file);
    expect(genesis.f).toBe(1);
    expect(genesis.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(validatorIndexOf(genesis, keys[2]?.publicKey as Uint8Array)).toBe(2);
    expect(validatorIndexOf(genesis, generateValidatorKey().publicKey)).toBe(-1);
    // The hash pins the content: any change makes another chain.
    expect(parseGenesis({ ...file, chain_id: 'test-chain-2' }).hash).not.toBe(genesis.hash);
  });

  it.each([
    ['n not 3f+1', (file: ReturnType<typeof validGenesis>['file']) => ({ ...file, validators: file.validators.slice(0, 3) })],
    ['indexes out of order', (file: ReturnType<typeof validGenesis>['file']) => ({ ...file, validators: [...file.validators].reverse() })],
    ['duplicate key', (file: ReturnType<typeof validGenesis>['file']) => ({ ...file, validators: file.validators.map((v, i) => ({ ...v, public_key: file.validators[i === 3 ? 0 : i]?.public_key ?? '' })) })],
    ['duplicate address', (file: ReturnType<typeof validGenesis>['file']) => ({ ...file, validators: file.validators.map((v) => ({ ...v, port: 30000 })) })],
    ['small-order key', (file: ReturnType<typeof validGenesis>['file']) => ({ ...file, validators: file.validators.map((v, i) => (i === 1 ? { ...v, public_key: '01' + '00'.repeat(31) } : v)) })],
    // y = 2 is canonical and not small order, so it passes the byte checks, but no curve point has it.
    ['off-curve key', (file: ReturnType<typeof validGenesis>['file']) => ({ ...file, validators: file.validators.map((v, i) => (i === 2 ? { ...v, public_key: '02' + '00'.repeat(31) } : v)) })],
    ['unknown field', (file: ReturnType<typeof validGenesis>['file']) => ({ ...file, extra: true })],
    ['bad chain id', (file: ReturnType<typeof validGenesis>['file']) => ({ ...file, chain_id: 'Has Spaces' })],
    ['bad port', (file: ReturnType<typeof validGenesis>['file']) => ({ ...file, validators: file.validators.map((v) => ({ ...v, port: 70000 })) })],
  ])('refuses a genesis with %s', (_name, mutate) => {
    const { file } = validGenesis();
    expect(() => parseGenesis(mutate(file))).toThrow(GenesisError);
  });
});

describe('key files', () => {
  it('round-trips with mode 0600 and refuses group/world-readable or mismatched files', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'proofhub-keys-'));
    dirs.push(dir);
    const path = join(dir, 'key.json');
    const key = generateValidatorKey();
    await writeKeyFile(path, key);
    const read = await readKeyFile(path);
    expect(bytesToHex(read.publicKey)).toBe(bytesToHex(key.publicKey));
    const message = new Uint8Array([1, 2, 3]);
    expect(bytesToHex(read.sign(message))).toBe(bytesToHex(key.sign(message)));

    await chmod(path, 0o644);
    await expect(readKeyFile(path)).rejects.toMatchObject({ code: 'key_file_permissions' });

    const other = generateValidatorKey().toKeyFile();
    await writeFile(path, JSON.stringify({ ...key.toKeyFile(), public_key: other.public_key }), { mode: 0o600 });
    await chmod(path, 0o600);
    await expect(readKeyFile(path)).rejects.toMatchObject({ code: 'key_file_mismatch' });

    await writeFile(path, '{"type":"nope"}');
    await expect(readKeyFile(path)).rejects.toBeInstanceOf(KeyFileError);
  });
});

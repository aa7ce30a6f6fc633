// How the environment picks the validators (docs/chain-anchoring.md, "Configuration").
import { join, resolve } from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { EnvError, loadEnv } from '../env';
import { startChainSource } from './devnet-supervisor';

describe('chain configuration', () => {
  it('runs a devnet in the data dir by default, none with PROOFHUB_DEVNET=0, external validators with CHAIN_GENESIS + CHAIN_RPC', () => {
    expect(loadEnv({ PROOFHUB_DATA_DIR: '/tmp/x' }).chain).toEqual({ kind: 'devnet', dir: join('/tmp/x', 'devnet'), basePort: 26657 });
    expect(loadEnv({ PROOFHUB_DEVNET_BASE_PORT: '30000' }).chain).toMatchObject({ kind: 'devnet', basePort: 30000 });
    expect(loadEnv({ PROOFHUB_DEVNET: '0' }).chain).toEqual({ kind: 'off' });
    expect(loadEnv({ CHAIN_GENESIS: 'g.json', CHAIN_RPC: 'http://a:1,https://b:2' }).chain).toEqual({ kind: 'external', genesisPath: resolve('g.json'), rpcUrls: ['http://a:1', 'https://b:2'] });
  });

  it('refuses half an external configuration and malformed values', () => {
    expect(() => loadEnv({ CHAIN_GENESIS: 'g.json' })).toThrow(EnvError);
    expect(() => loadEnv({ CHAIN_RPC: 'http://a:1' })).toThrow(EnvError);
    expect(() => loadEnv({ CHAIN_GENESIS: 'g.json', CHAIN_RPC: 'ftp://a' })).toThrow(/CHAIN_RPC/);
    expect(() => loadEnv({ PROOFHUB_DEVNET: 'yes' })).toThrow(/PROOFHUB_DEVNET/);
  });

  it('starts nothing when off, and runs without the chain when the genesis file cannot be read', async () => {
    const logger = pino({ level: 'silent' });
    expect(startChainSource({ kind: 'off' }, logger)).toBeNull();
    const source = startChainSource({ kind: 'external', genesisPath: '/nonexistent/genesis.json', rpcUrls: ['http://127.0.0.1:1'] }, logger);
    expect(await source?.ready).toBeNull();
    await source?.stop();
  });
});

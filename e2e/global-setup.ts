// Starts one hub for the whole suite (fresh data dir, free port) and records it for the specs.
import { join } from 'node:path';
import { clearRecords } from './fixtures';
import { freePort, newDataDir, startHub, writeState } from './hub-server';

export default async function globalSetup(): Promise<void> {
  clearRecords();
  const dataDir = newDataDir();
  const port = await freePort();
  const started = Date.now();
  const state = await startHub({ port, dataDir, logFile: join(dataDir, 'hub.log') });
  writeState(state);
  console.log(`e2e: hub on ${state.url} (data ${dataDir}), ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

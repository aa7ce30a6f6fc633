// Stops whichever hub process is current (the restart spec replaces it) and removes its data dir.
import { rmSync } from 'node:fs';
import { readState, stopHubAndWait } from './hub-server';

export default async function globalTeardown(): Promise<void> {
  let state;
  try {
    state = readState();
  } catch {
    return; // setup never got as far as starting the hub
  }
  await stopHubAndWait(state.pid);
  if (process.env.PROOFHUB_E2E_KEEP_DATA === undefined) rmSync(state.dataDir, { recursive: true, force: true });
}

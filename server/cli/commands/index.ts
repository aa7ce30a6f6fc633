// Registers every CLI command. Add one line per command module.
import { registerCommand } from '../main';

registerCommand('version', {
  summary: 'print the proofhub version',
  load: () => import('./version'),
});
registerCommand('keygen', {
  summary: 'generate an Ed25519 key file and print its did:key',
  load: () => import('./keygen'),
});
registerCommand('merkle', {
  summary: 'Merkle tree root, inclusion and consistency proofs, and their checks',
  load: () => import('./merkle'),
});
registerCommand('sign', {
  summary: 'sign one proof with a key file and print it as JSON',
  load: () => import('./sign'),
});
registerCommand('verify', {
  summary: 'verify proofs, arrays, bundles: ids, signatures, chains, identity rules',
  load: () => import('./verify'),
});
registerCommand('validator', { summary: 'run one chain validator from a genesis file and a key file', load: () => import('./validator') });
registerCommand('devnet', { summary: 'run a 4-validator chain on this machine (keys kept across restarts)', load: () => import('./devnet') });
registerCommand('admin', { summary: 'operator commands: create-user, rebuild-views, purge-content (through the running hub)', load: () => import('./admin') });
registerCommand('export', { summary: 'write a thread or hub as a bundle anyone can verify offline', load: () => import('./export') });
registerCommand('import', { summary: 'load a bundle into a hub (admin): de-duplicated, resumable', load: () => import('./import') });

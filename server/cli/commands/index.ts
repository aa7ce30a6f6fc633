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

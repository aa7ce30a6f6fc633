// Registers every CLI command. Add one line per command module.
import { registerCommand } from '../main';

registerCommand('version', {
  summary: 'print the proofhub version',
  load: () => import('./version'),
});

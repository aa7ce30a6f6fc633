// `proofhub devnet [--dir DIR] [--base-port P]`: 4 validators on loopback (workers/devnet.ts).
import { runDevnetCommand } from '@/workers/devnet-command';

export function run(argv: string[]): Promise<number> {
  return runDevnetCommand(argv);
}

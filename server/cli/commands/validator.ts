// `proofhub validator --genesis FILE --key FILE [--data DIR]`: one validator process (workers/).
import { runValidatorProcess } from '@/workers/validator-process';

export function run(argv: string[]): Promise<number> {
  return runValidatorProcess(argv);
}

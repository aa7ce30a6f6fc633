// Test-only helpers: deterministic leaf hashes (leaf i = MTH({uint32be(i) ‖ seed})) and unwrap.
import { leafHashOfData } from '../hashing';

export function testLeaves(count: number, seed = 0): Uint8Array[] {
  const leaves: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const data = new Uint8Array(8);
    const view = new DataView(data.buffer);
    view.setUint32(0, i);
    view.setUint32(4, seed);
    leaves.push(leafHashOfData(data));
  }
  return leaves;
}

/** The value of a successful Result; throws (failing the test) with the code otherwise. */
export function unwrap<T>(result: { ok: true; value: T } | { ok: false; error: { code: string } }): T {
  if (!result.ok) throw new Error(`unexpected failure ${result.error.code}`);
  return result.value;
}

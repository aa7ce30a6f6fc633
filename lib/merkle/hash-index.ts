// Log index by a 32-byte value (a leaf hash, a proof id), with no string or object per entry: an
// open-addressing table of 32-bit slots holding index + 1, probed linearly from the value's first
// eight bytes and confirmed against the full value, which the caller already keeps (`valueAt`: the
// log's own leaf hashes, a HashList of ids). At most half full, so 8-16 bytes a leaf; a lookup is
// one or two slot reads and one 32-byte comparison.
//
// The validators used to write a LevelDB entry per leaf for each of these two lookups. Those keys
// are random, so every commit paid for inserts all over LevelDB's memtable and, later, for
// compactions that rewrote them level after level: ~10 µs of CPU per leaf for the two, more than
// everything else the store did per leaf (docs/performance.md, session 9).
//
// Values are SHA-256 outputs, so their leading bytes are uniform; `salt` (a random 32-bit number
// from the caller; this module draws none) keeps anyone from choosing values that share a probe
// start without also matching 64 bits. Values must be distinct (a log holds a proof id once).
import { bytesEqual } from '../bytes';

const HASH_SIZE = 32;
/** Largest index the table can hold (slots store index + 1 in 32 bits, 0 meaning empty). */
export const HASH_INDEX_MAX = 0xffff_fffe;

export class HashIndex {
  readonly #valueAt: (index: number) => Uint8Array | undefined;
  readonly #salt: number;
  #slots: Uint32Array;
  #mask: number;
  #count = 0;

  /**
   * `valueAt(i)` must return the value added with index i for as long as the index lives (both
   * lists grow in step with the index). `initialSlots` is rounded up to a power of two.
   */
  constructor(valueAt: (index: number) => Uint8Array | undefined, options: { readonly salt?: number; readonly initialSlots?: number } = {}) {
    this.#valueAt = valueAt;
    this.#salt = (options.salt ?? 0) >>> 0;
    let slots = 1024;
    while (slots < (options.initialSlots ?? 0)) slots *= 2;
    this.#slots = new Uint32Array(slots);
    this.#mask = slots - 1;
  }

  get size(): number {
    return this.#count;
  }

  /** Bytes held by the slot table (for memory reports). */
  get bytesAllocated(): number {
    return this.#slots.byteLength;
  }

  /** Records that `value` (32 bytes, not already present) is at `index`. */
  add(value: Uint8Array, index: number): void {
    if (value.length !== HASH_SIZE) throw new RangeError(`values are ${HASH_SIZE} bytes, got ${value.length}`);
    if (!Number.isInteger(index) || index < 0 || index > HASH_INDEX_MAX) throw new RangeError(`index ${index} is out of range`);
    if ((this.#count + 1) * 2 > this.#slots.length) this.#grow();
    this.#place(this.#start(value), index + 1);
    this.#count++;
  }

  /** The index added with `value`, or undefined. */
  get(value: Uint8Array): number | undefined {
    if (value.length !== HASH_SIZE) return undefined;
    const slots = this.#slots;
    const mask = this.#mask;
    for (let at = this.#start(value) & mask; ; at = (at + 1) & mask) {
      const entry = slots[at] as number;
      if (entry === 0) return undefined;
      const stored = this.#valueAt(entry - 1);
      if (stored !== undefined && bytesEqual(stored, value)) return entry - 1;
    }
  }

  has(value: Uint8Array): boolean {
    return this.get(value) !== undefined;
  }

  #start(value: Uint8Array): number {
    const b = value as unknown as number[];
    const low = ((b[0] as number) | ((b[1] as number) << 8) | ((b[2] as number) << 16) | ((b[3] as number) << 24)) ^ this.#salt;
    const high = (b[4] as number) | ((b[5] as number) << 8) | ((b[6] as number) << 16) | ((b[7] as number) << 24);
    return (Math.imul(low, 0x9e3779b1) ^ high) >>> 0;
  }

  #place(start: number, entry: number): void {
    const slots = this.#slots;
    const mask = this.#mask;
    let at = start & mask;
    while (slots[at] !== 0) at = (at + 1) & mask;
    slots[at] = entry;
  }

  #grow(): void {
    const old = this.#slots;
    this.#slots = new Uint32Array(old.length * 2);
    this.#mask = this.#slots.length - 1;
    for (const entry of old) {
      if (entry === 0) continue;
      const value = this.#valueAt(entry - 1);
      if (value === undefined) throw new Error(`hash index: no value for index ${entry - 1}`);
      this.#place(this.#start(value), entry);
    }
  }
}

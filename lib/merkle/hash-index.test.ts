// The index by 32-byte value: finds every value added at its index, nothing else, across growth,
// colliding probe starts and any salt.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HashIndex } from './hash-index';
import { HashList } from './store';

function indexOver(values: Uint8Array[], salt = 0): { index: HashIndex; list: HashList } {
  const list = new HashList();
  const index = new HashIndex((i) => (i < list.count ? list.get(i) : undefined), { salt });
  for (const value of values) {
    list.push(value);
    index.add(value, list.count - 1);
  }
  return { index, list };
}

const value32 = fc.uint8Array({ minLength: 32, maxLength: 32 });

describe('HashIndex', () => {
  it('finds each distinct value at its index and nothing that was not added', () => {
    fc.assert(fc.property(fc.uniqueArray(value32, { maxLength: 3000, selector: (v) => Buffer.from(v).toString('hex') }), value32, fc.nat(), (values, probe, salt) => {
      const { index } = indexOver(values, salt);
      values.forEach((value, i) => expect(index.get(Uint8Array.from(value))).toBe(i));
      const present = values.some((value) => Buffer.from(value).equals(Buffer.from(probe)));
      expect(index.has(probe)).toBe(present);
      expect(index.size).toBe(values.length);
    }), { numRuns: 40 });
  });

  it('keeps working when every value starts alike (one long probe run) and through growth', () => {
    const values = Array.from({ length: 5000 }, (_, i) => {
      const value = new Uint8Array(32);
      new DataView(value.buffer).setUint32(28, i);
      return value;
    });
    const { index } = indexOver(values);
    expect(index.bytesAllocated).toBeGreaterThanOrEqual(2 * 5000 * 4);
    expect(index.get(values[4999] as Uint8Array)).toBe(4999);
    expect(index.get(values[0] as Uint8Array)).toBe(0);
    const absent = new Uint8Array(32).fill(1);
    expect(index.get(absent)).toBeUndefined();
  });

  it('refuses values that are not 32 bytes and indexes it cannot hold', () => {
    const { index } = indexOver([]);
    expect(() => index.add(new Uint8Array(31), 0)).toThrow(RangeError);
    expect(() => index.add(new Uint8Array(32), -1)).toThrow(RangeError);
    expect(index.get(new Uint8Array(31))).toBeUndefined();
  });
});

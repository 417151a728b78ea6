import { DropOldestBuffer } from './drop-oldest.buffer';

describe('DropOldestBuffer', () => {
  it('keeps FIFO order below capacity', () => {
    const b = new DropOldestBuffer<number>(3);
    expect(b.push(1) + b.push(2)).toBe(0);
    expect(b.shift()).toBe(1);
    b.push(3);
    b.push(4);
    expect(b.drain()).toEqual([2, 3, 4]);
    expect(b.size).toBe(0);
    expect(b.shift()).toBeUndefined();
  });

  it('evicts the oldest items when full and counts them', () => {
    const b = new DropOldestBuffer<number>(3);
    const evicted = [1, 2, 3, 4, 5, 6, 7].map((n) => b.push(n)).reduce((a, c) => a + c, 0);
    expect(evicted).toBe(4);
    expect(b.dropped).toBe(4);
    expect(b.size).toBe(3);
    expect(b.drain()).toEqual([5, 6, 7]);
  });

  it('wraps around correctly after interleaved push/shift', () => {
    const b = new DropOldestBuffer<number>(2);
    const out: number[] = [];
    for (let i = 0; i < 10; i++) {
      b.push(i);
      if (i % 3 === 0) out.push(b.shift()!);
    }
    out.push(...b.drain());
    expect(out).toEqual([0, 2, 5, 8, 9]);
    expect(b.dropped).toBe(5);
  });

  it('rejects a non-positive capacity', () => {
    expect(() => new DropOldestBuffer(0)).toThrow(RangeError);
  });
});

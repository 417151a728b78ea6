import { AppendBatcher } from './redis.append-batcher';

describe('AppendBatcher', () => {
  const make = (calls: Array<{ keys: string[]; args: Array<string | number> }>, fail?: Error) =>
    new AppendBatcher<string>({
      send: async (keys, args) => {
        calls.push({ keys, args });
        if (fail) throw fail;
        // One result per append: its first key and first argument.
        const out: string[] = [];
        for (let i = 0; i < keys.length; i += 2) out.push(`${keys[i]}`);
        return out;
      },
      maxAppends: 3,
      maxArgs: 10,
    });

  it('sends the appends of one turn as one call, in order, and answers each with its own result', async () => {
    const calls: Array<{ keys: string[]; args: Array<string | number> }> = [];
    const b = make(calls);
    const results = await Promise.all([b.submit(['m1', 'a1'], ['s1', 1]), b.submit(['m2', 'a2'], ['s2', 2])]);
    expect(results).toEqual(['m1', 'm2']);
    expect(calls).toEqual([{ keys: ['m1', 'a1', 'm2', 'a2'], args: ['s1', 1, 's2', 2] }]);
  });

  it('closes a batch at maxAppends and before it would pass maxArgs; a lone oversized append goes alone', async () => {
    const calls: Array<{ keys: string[]; args: Array<string | number> }> = [];
    const b = make(calls);
    const results = await Promise.all([
      b.submit(['m1', 'a1'], [1]),
      b.submit(['m2', 'a2'], [2]),
      b.submit(['m3', 'a3'], [3]),
      b.submit(['m4', 'a4'], [1, 2, 3, 4, 5, 6, 7, 8]),
      b.submit(['m5', 'a5'], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]),
    ]);
    expect(results).toEqual(['m1', 'm2', 'm3', 'm4', 'm5']);
    expect(calls.map((c) => c.keys.filter((_, i) => i % 2 === 0))).toEqual([['m1', 'm2', 'm3'], ['m4'], ['m5']]);
  });

  it('fails every append of a failed call with its error, and later turns start a new batch', async () => {
    const calls: Array<{ keys: string[]; args: Array<string | number> }> = [];
    const down = new Error('redis unavailable');
    const b = make(calls, down);
    const settled = await Promise.allSettled([b.submit(['m1', 'a1'], [1]), b.submit(['m2', 'a2'], [2])]);
    expect(settled).toEqual([
      { status: 'rejected', reason: down },
      { status: 'rejected', reason: down },
    ]);
    await expect(b.submit(['m3', 'a3'], [3])).rejects.toBe(down);
    expect(calls).toHaveLength(2);
  });
});

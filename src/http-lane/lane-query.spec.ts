import { parse as parseQuery } from 'node:querystring';
import { parseSearch } from './lane-query';

/** Own keys and values, in order, as plain data (both results have no Object.prototype). */
const entries = (q: object) => Object.keys(q).map((k) => [k, (q as Record<string, unknown>)[k]]);

describe('parseSearch', () => {
  const searches = [
    'key=bench-hook-key',
    '',
    'a=1&b=2',
    'a=1&a=2&a=3',
    'a',
    'a=',
    '=x',
    '=',
    '&',
    '&&a=1&&',
    'a==b',
    'a=1&b',
    'key=a%20b',
    'key=a+b',
    'k%65y=v',
    'bad=%zz',
    '__proto__=x&constructor=y&toString=z&hasOwnProperty=w',
    'a=1&' + Array.from({ length: 1_200 }, (_, i) => `k${i}=${i}`).join('&'),
  ];

  it.each(searches.map((s) => [s.slice(0, 60), s]))('gives what querystring.parse gives for %j', (_label, search) => {
    const ours = parseSearch(search);
    expect(entries(ours)).toEqual(entries(parseQuery(search)));
    expect('valueOf' in ours).toBe(false);
  });

  it('agrees with querystring.parse on random strings of the characters that matter', () => {
    const alphabet = ['a', 'b', '=', '&', '_', '.', '-', '~', 'é', ';', '#', '?'];
    let seed = 42;
    const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    for (let i = 0; i < 2_000; i++) {
      const search = Array.from({ length: Math.floor(random() * 20) }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
      expect([search, entries(parseSearch(search))]).toEqual([search, entries(parseQuery(search))]);
    }
  });
});

import { normaliseUntrusted } from './text';

/** The rule without the ASCII shortcut: what normaliseUntrusted must equal on every input. */
// eslint-disable-next-line no-control-regex -- the same strip as the function under test
const reference = (t: string) => t.normalize('NFKC').replace(/[\p{Cf}\u0000-\u0008\u000B-\u001F\u007F-\u009F\u2028\u2029]/gu, '');

describe('normaliseUntrusted', () => {
  it('returns printable ASCII, tabs and newlines untouched, and still strips a carriage return or a NUL', () => {
    const plain = 'How do I export my invoices?\n\tStep 2: click "Export" (#42) ~ ok';
    expect(normaliseUntrusted(plain)).toBe(plain);
    expect(normaliseUntrusted('a\r\nb\u0000c\u007f')).toBe('a\nbc');
  });

  it('still folds look-alikes and drops format characters outside ASCII', () => {
    expect(normaliseUntrusted('＜＜＜SYSTEM')).toBe('<<<SYSTEM');
    expect(normaliseUntrusted('pay\u200Bment \u202Eevil')).toBe('payment evil');
    expect(normaliseUntrusted('tag\u{E0041}s')).toBe('tags');
  });

  it('equals the full NFKC + strip on random strings of ASCII, controls and look-alikes', () => {
    const alphabet = ['a', 'Z', ' ', '~', '\t', '\n', '\r', '\u0000', '\u001f', '\u007f', '\u0085', '\u00a0', 'é', 'ﬁ', '＜', '\u200b', '\u2028', '\u{1F600}', '\u{E0041}'];
    let seed = 7;
    const next = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31);
    for (let i = 0; i < 2_000; i++) {
      const len = next() % 24;
      let s = '';
      // Half the strings are plain ASCII, the shortcut's case; the rest mix in everything.
      const pool = i % 2 === 0 ? alphabet.slice(0, 6) : alphabet;
      for (let j = 0; j < len; j++) s += pool[next() % pool.length];
      expect(normaliseUntrusted(s)).toBe(reference(s));
    }
  });
});

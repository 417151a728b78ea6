import { bearerToken, hmacSha256Hex, matchesAnyKey, safeEqual, SecretMatcher, verifySha256Signature } from './secrets';

describe('secret comparison', () => {
  it('safeEqual compares exactly, whatever the lengths', () => {
    expect(safeEqual('abc', 'abc')).toBe(true);
    expect(safeEqual('abc', 'abd')).toBe(false);
    expect(safeEqual('abc', 'abcd')).toBe(false);
    expect(safeEqual('', '')).toBe(true);
    expect(safeEqual(undefined, 'x')).toBe(false);
    expect(safeEqual('x', null)).toBe(false);
  });

  it('SecretMatcher agrees with safeEqual against its one secret, and nothing matches no secret', () => {
    const key = new SecretMatcher('abc');
    for (const candidate of ['abc', 'abd', 'abcd', 'ab', '', undefined, null]) expect(key.matches(candidate)).toBe(safeEqual(candidate, 'abc'));
    expect(new SecretMatcher('').matches('')).toBe(true);
    const unicode = new SecretMatcher('clé-🔑');
    expect(unicode.matches('clé-🔑')).toBe(true);
    for (const near of ['cle-🔑', 'clé-', 'clé-🔑x', 'clé-🔒']) expect(unicode.matches(near)).toBe(false);
    expect(new SecretMatcher(undefined).matches('')).toBe(false);
    expect(new SecretMatcher(undefined).matches(undefined)).toBe(false);
  });

  it('verifySha256Signature needs the sha256= prefix and the HMAC of the exact bytes', () => {
    const body = Buffer.from('{"a":1}');
    const good = `sha256=${hmacSha256Hex('s', body)}`;
    expect(verifySha256Signature('s', body, good)).toBe(true);
    expect(verifySha256Signature('s', Buffer.from('{"a": 1}'), good)).toBe(false);
    expect(verifySha256Signature('s', body, good.slice(7))).toBe(false);
    expect(verifySha256Signature('s', body, undefined)).toBe(false);
    expect(verifySha256Signature('s', undefined, good)).toBe(false);
  });

  it('reads bearer tokens and matches any configured key', () => {
    expect(bearerToken('Bearer  tok ')).toBe('tok');
    expect(bearerToken('Basic abc')).toBeUndefined();
    expect(matchesAnyKey('k2', ['k1', 'k2'])).toBe(true);
    expect(matchesAnyKey(undefined, ['k1'])).toBe(false);
    expect(matchesAnyKey('k', [])).toBe(false);
  });
});

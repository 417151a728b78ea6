import { CONSOLE_USER_ENTRY } from '../config/env.rules';
import { hashPassword, parsePasswordHash, verifyPassword } from './password-hash';

describe('console password hashes (scrypt)', () => {
  const fast = { N: 1024, r: 8, p: 1 };

  it('verifies the right password and refuses a wrong one', async () => {
    const hash = await hashPassword('correct horse battery staple', fast);
    expect(await verifyPassword('correct horse battery staple', hash)).toBe(true);
    expect(await verifyPassword('correct horse battery stapl', hash)).toBe(false);
    expect(await verifyPassword('', hash)).toBe(false);
  });

  it('salts every hash, and writes the format CONSOLE_USERS accepts', async () => {
    const a = await hashPassword('pw', fast);
    const b = await hashPassword('pw', fast);
    expect(a).not.toBe(b);
    expect(a).toMatch(/^scrypt\$1024\$8\$1\$[A-Za-z0-9_-]+\$[A-Za-z0-9_-]+$/);
    expect(CONSOLE_USER_ENTRY.test(`alice:${a}`)).toBe(true);
    expect(a).not.toMatch(/[:,]/);
  });

  it('refuses malformed or abusive hashes without throwing', async () => {
    const good = await hashPassword('pw', fast);
    const parts = good.split('$');
    expect(await verifyPassword('pw', 'plain')).toBe(false);
    expect(await verifyPassword('pw', ['bcrypt', ...parts.slice(1)].join('$'))).toBe(false);
    // N not a power of two, and N so large it would take gigabytes.
    expect(parsePasswordHash(['scrypt', '1000', ...parts.slice(2)].join('$'))).toBeUndefined();
    expect(parsePasswordHash(['scrypt', String(1 << 24), ...parts.slice(2)].join('$'))).toBeUndefined();
    // The default parameters verify too (the ones the CLI writes).
    expect(await verifyPassword('pw', await hashPassword('pw'))).toBe(true);
  });
});

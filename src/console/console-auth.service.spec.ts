import { consoleConfig } from '../config/config.namespaces';
import { parseEnv } from '../config/env.schema';
import { MemoryKeyValueStore } from '../state/memory.key-value-store';
import { ConsoleAuth } from './console-auth.service';

describe('ConsoleAuth session cookies', () => {
  const make = (env: Record<string, string>) => new ConsoleAuth(consoleConfig.build(parseEnv({ NODE_ENV: 'test', ...env })), new MemoryKeyValueStore({ maxValueBytes: 1024, maxBytes: 1024 * 1024 }));
  const token = { token: 'console-token-0123456789' };
  const cookieValue = (setCookie: string) => setCookie.split(';')[0];

  it('accepts its own cookie until it expires, and not a millisecond after', async () => {
    const auth = make({ CONSOLE_TOKEN: token.token, CONSOLE_SESSION_TTL_SECONDS: '60' });
    const now = 1_800_000_000_000;
    const res = await auth.login(token, '127.0.0.1', now);
    if (!res.ok) throw new Error('login failed');
    const cookie = cookieValue(res.cookie);
    expect(auth.verify(cookie, now)).toBe('(token)');
    expect(auth.verify(`other=1; ${cookie}; more=2`, now + 59_999)).toBe('(token)');
    expect(auth.verify(cookie, now + 60_000)).toBeUndefined();
  });

  it('signs every session out when the credentials change', async () => {
    const before = make({ CONSOLE_TOKEN: token.token });
    const res = await before.login(token, '127.0.0.1');
    if (!res.ok) throw new Error('login failed');
    expect(make({ CONSOLE_TOKEN: 'a-new-console-token-xyz' }).verify(cookieValue(res.cookie))).toBeUndefined();
  });

  it('never accepts a cookie when nothing is configured', () => {
    expect(make({}).enabled).toBe(false);
    expect(make({}).verify('ac_console=e30.AAAA')).toBeUndefined();
  });
});

import request from 'supertest';
import { startupReport } from '../src/startup-report';
import { consoleCookie, consoleEnv, CONSOLE_PASSWORD, CONSOLE_TEST_TOKEN } from './support/console';
import { bootTestApp, type TestApp } from './support/test-app';

/**
 * The operator console is closed: off (404) unless CONSOLE_USERS or CONSOLE_TOKEN is set,
 * in production too; with them, nothing but the sign-in form and its assets answers
 * without a valid, untampered session cookie.
 */
const HTML = { accept: 'text/html,application/xhtml+xml' };
const json = (t: TestApp, path: string) => request(t.server).post(path).set('content-type', 'application/json');
const PROD = { NODE_ENV: 'production', API_KEYS: 'prod-key', SOURCES: 'push', CONNECTOR_WEBHOOK_SECRET: 'connector-secret' };

describe('console switched off', () => {
  it.each([
    ['development', {}],
    ['production', PROD],
  ])('answers 404 on every console route in %s without CONSOLE_USERS or CONSOLE_TOKEN', async (_name, env) => {
    const t = await bootTestApp({ env });
    try {
      for (const path of ['/console', '/console/login', '/console/system', '/console/users/u1', '/console/sessions/stream', '/console/assets/console.js']) {
        await request(t.server).get(path).set(HTML).expect(404);
      }
      await json(t, '/console/login').send({ token: 'anything-at-all-123' }).expect(404);
      await json(t, '/console/logout').send({}).expect(404);
      expect(startupReport(t.app, 'http://host').banner).not.toContain('console');
    } finally {
      await t.close();
    }
  });
});

describe('console sign-in', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await bootTestApp({ env: await consoleEnv({ CONSOLE_LOGIN_ATTEMPTS: '4' }) });
  });
  afterAll(() => t.close());

  it('sends a browser without a session to the login form, and refuses streams and non-page requests with 401', async () => {
    for (const path of ['/console', '/console/system', '/console/users/u1']) {
      const res = await request(t.server).get(path).set(HTML).expect(303);
      expect(res.headers.location).toBe('/console/login');
    }
    const stream = await request(t.server).get('/console/sessions/stream').set(HTML).expect(401);
    expect(stream.body).toMatchObject({ statusCode: 401 });
    await request(t.server).get('/console/users/u1/stream').expect(401);
    await request(t.server).get('/console').expect(401);
    // The form and its assets are public (nothing in them is data).
    const form = await request(t.server).get('/console/login').expect(200);
    expect(form.text).toContain('id="login-form"');
    expect(form.headers['content-security-policy']).toContain("script-src 'self'");
    await request(t.server).get('/console/assets/console.js').expect(200).expect('content-type', /javascript/);
    await request(t.server).get('/console/assets/console.css').expect(200).expect('content-type', /css/);
    await request(t.server).get('/console/assets/__proto__').expect(404);
    await request(t.server).get('/console/assets/..%2Fconsole.module.ts').expect(404);
  });

  it('signs in with a CONSOLE_USERS name and password: an HttpOnly, SameSite=Strict cookie scoped to /console', async () => {
    const res = await json(t, '/console/login').send({ username: 'alice', password: CONSOLE_PASSWORD }).expect(204);
    const cookie = String(res.headers['set-cookie']);
    expect(cookie).toMatch(/^ac_console=[^;]+; Path=\/console; Max-Age=28800; HttpOnly; SameSite=Strict$/);
    expect(cookie).not.toContain('Secure');
    const page = await request(t.server).get('/console').set(HTML).set('cookie', cookie.split(';')[0]).expect(200);
    expect(page.text).toContain('Live sessions');
    expect(page.text).toContain('signed in as <strong>alice</strong>');
  });

  it('refuses a wrong password, an unknown user and a wrong token with the same 401 and no cookie', async () => {
    const answers = await Promise.all([
      json(t, '/console/login').send({ username: 'alice', password: 'not the password' }),
      json(t, '/console/login').send({ username: 'mallory', password: CONSOLE_PASSWORD }),
      json(t, '/console/login').send({ token: 'console-token-0123456780' }),
    ]);
    for (const res of answers) {
      expect(res.status).toBe(401);
      expect(res.body.message).toBe('Wrong credentials');
      expect(res.headers['set-cookie']).toBeUndefined();
    }
  });

  it('signs in with CONSOLE_TOKEN', async () => {
    const cookie = await consoleCookie(t, { token: CONSOLE_TEST_TOKEN });
    const page = await request(t.server).get('/console/system').set(HTML).set('cookie', cookie).expect(200);
    expect(page.text).toContain('signed in as <strong>(token)</strong>');
    expect(page.text).toContain('Replies and nudges per minute');
  });

  it('refuses a tampered cookie: changed payload, changed signature, or a cookie from another deployment', async () => {
    const cookie = await consoleCookie(t);
    const [name, value] = cookie.split('=');
    const [payload, mac] = value.split('.');
    const forged = Buffer.from(JSON.stringify({ u: 'alice', exp: Date.now() + 10 ** 9 })).toString('base64url');
    const flipped = (mac[0] === 'A' ? 'B' : 'A') + mac.slice(1);
    for (const bad of [`${name}=${forged}.${mac}`, `${name}=${payload}.${flipped}`, `${name}=${payload}`, `${name}=${payload}.`, `${name}=garbage`]) {
      await request(t.server).get('/console').set(HTML).set('cookie', bad).expect(303);
      await request(t.server).get('/console/sessions/stream').set('cookie', bad).expect(401);
    }
    const other = await bootTestApp({ env: await consoleEnv({ CONSOLE_TOKEN: 'another-deployment-token' }) });
    try {
      await request(other.server).get('/console/system').set('cookie', cookie).expect(401);
    } finally {
      await other.close();
    }
  });

  it('refuses a sign-in from another origin (login CSRF) and bad bodies with clear 4xx', async () => {
    await json(t, '/console/login').set('origin', 'https://evil.example').send({ token: CONSOLE_TEST_TOKEN }).expect(403);
    await json(t, '/console/login').set('sec-fetch-site', 'cross-site').send({ token: CONSOLE_TEST_TOKEN }).expect(403);
    await json(t, '/console/logout').set('origin', 'null').send({}).expect(403);
    await json(t, '/console/login').send({}).expect(400);
    await json(t, '/console/login').send({ username: 'alice' }).expect(400);
    await json(t, '/console/login').send({ token: 42 }).expect(400);
    await json(t, '/console/login').send({ token: 'x'.repeat(2_000) }).expect(400);
    await json(t, '/console/login').send('not json').expect(400);
    await request(t.server).get(`/console/users/${'u'.repeat(300)}`).set('cookie', await consoleCookie(t)).expect(400);
  });

  it('names the console in the start-up banner when it is on', () => {
    expect(startupReport(t.app, 'http://host').banner).toContain('console http://host/console');
  });

  it('signs out by clearing the cookie', async () => {
    const res = await json(t, '/console/logout').send({}).expect(204);
    expect(String(res.headers['set-cookie'])).toMatch(/^ac_console=; Path=\/console; Max-Age=0; HttpOnly; SameSite=Strict/);
  });

  it('rate-limits failed sign-ins per client address (CONSOLE_LOGIN_ATTEMPTS), even with the right password afterwards', async () => {
    const limited = await bootTestApp({ env: await consoleEnv({ CONSOLE_LOGIN_ATTEMPTS: '3' }) });
    try {
      for (let i = 0; i < 3; i++) await json(limited, '/console/login').send({ token: `wrong-token-${i}-0123456789` }).expect(401);
      const res = await json(limited, '/console/login').send({ token: CONSOLE_TEST_TOKEN }).expect(429);
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    } finally {
      await limited.close();
    }
  });
});

describe('console in production', () => {
  it('is on with CONSOLE_TOKEN, with a Secure cookie; pages stay closed without it', async () => {
    const t = await bootTestApp({ env: { ...PROD, CONSOLE_TOKEN } });
    try {
      await request(t.server).get('/console').set(HTML).expect(303);
      await request(t.server).get('/console/sessions/stream').expect(401);
      const res = await json(t, '/console/login').send({ token: CONSOLE_TOKEN }).expect(204);
      expect(String(res.headers['set-cookie'])).toMatch(/; Secure$/);
    } finally {
      await t.close();
    }
  });

  it('refuses to boot with a short CONSOLE_TOKEN or a malformed CONSOLE_USERS entry, without echoing them', async () => {
    await expect(bootTestApp({ env: { CONSOLE_TOKEN: 'short' } })).rejects.toThrow(/CONSOLE_TOKEN must be at least 16 characters/);
    await expect(bootTestApp({ env: { CONSOLE_USERS: 'alice:plaintext-password' } })).rejects.toThrow(/CONSOLE_USERS: each entry must be name:scrypt/);
    await expect(bootTestApp({ env: { CONSOLE_USERS: 'alice:plaintext-password' } })).rejects.not.toThrow(/plaintext-password/);
  });
});

const CONSOLE_TOKEN = 'production-console-token-42';

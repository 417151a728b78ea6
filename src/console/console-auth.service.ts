import { Inject, Injectable, Logger } from '@nestjs/common';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { safeEqual } from '../common/secrets';
import { consoleConfig, type ConfigOf } from '../config/config.namespaces';
import type { KeyValueStore } from '../state/key-value-store.port';
import { KEY_VALUE_STORE } from '../state/state.constants';
import { CONSOLE_COOKIE, CONSOLE_PATH } from './console.constants';
import { hashPassword, verifyPassword } from './password-hash';

export type LoginAttempt = { username: string; password: string } | { token: string };

export type LoginResult = { ok: true; cookie: string; operator: string } | { ok: false; reason: 'invalid' | 'rate_limited'; retryAfterSeconds?: number };

/** Failed logins are counted per client IP over this window (KEY_VALUE_STORE, so replicas share it). */
const LOGIN_WINDOW_SECONDS = 900;
/** Who a token login signs in as (shown in the console header); CONSOLE_USERS names cannot hold parentheses. */
const TOKEN_OPERATOR = '(token)';

/**
 * Console sign-in: CONSOLE_USERS (scrypt hashes) or CONSOLE_TOKEN, compared in constant
 * time; a failed-login budget per client IP; and the session cookie, an HMAC-signed
 * `<payload>.<mac>` with its own expiry (the cookie's Max-Age is only a hint to the browser).
 */
@Injectable()
export class ConsoleAuth {
  private readonly logger = new Logger(ConsoleAuth.name);
  /** Checked when the user name is unknown, so a login takes as long whether or not the name exists. */
  private readonly decoy: Promise<string>;

  constructor(
    @Inject(consoleConfig.KEY) private readonly cfg: ConfigOf<typeof consoleConfig>,
    @Inject(KEY_VALUE_STORE) private readonly kv: KeyValueStore,
  ) {
    this.decoy = cfg.users.length > 0 ? hashPassword('decoy-password-never-matches') : Promise.resolve('');
    // An unhandled rejection would be worse than a slower decoy; hashPassword does not reject for these inputs.
    this.decoy.catch(() => undefined);
  }

  get enabled(): boolean {
    return this.cfg.enabled;
  }

  async login(attempt: LoginAttempt, clientIp: string, now = Date.now()): Promise<LoginResult> {
    const limitKey = `console-login-fail:${clientIp}`;
    const failures = (await this.kv.get<number>(limitKey)) ?? 0;
    if (failures >= this.cfg.loginAttempts) return { ok: false, reason: 'rate_limited', retryAfterSeconds: LOGIN_WINDOW_SECONDS };
    const operator = await this.check(attempt);
    if (!operator) {
      await this.kv.increment(limitKey, 1, LOGIN_WINDOW_SECONDS);
      // Who tried is worth knowing; what they typed never is.
      this.logger.warn({ clientIp, kind: 'token' in attempt ? 'token' : 'password', failures: failures + 1 }, 'console login refused');
      return { ok: false, reason: 'invalid' };
    }
    this.logger.log({ operator, clientIp }, 'console login');
    return { ok: true, operator, cookie: this.issue(operator, now) };
  }

  /** The operator a session cookie belongs to, or undefined when it is missing, tampered with or expired. */
  verify(cookieHeader: string | undefined, now = Date.now()): string | undefined {
    const value = readCookie(cookieHeader, CONSOLE_COOKIE);
    if (!value) return undefined;
    const dot = value.indexOf('.');
    if (dot <= 0) return undefined;
    const payload = value.slice(0, dot);
    const given = Buffer.from(value.slice(dot + 1), 'base64url');
    const expected = this.mac(payload);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    try {
      const data = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { u?: unknown; exp?: unknown };
      if (typeof data.u !== 'string' || typeof data.exp !== 'number' || data.exp <= now) return undefined;
      // A user removed from CONSOLE_USERS is signed out (the key changes with the list, too).
      if (data.u !== TOKEN_OPERATOR && !this.cfg.users.some((u) => u.name === data.u)) return undefined;
      if (data.u === TOKEN_OPERATOR && !this.cfg.token) return undefined;
      return data.u;
    } catch {
      return undefined;
    }
  }

  /** Set-Cookie for a fresh session. */
  private issue(operator: string, now: number): string {
    const payload = Buffer.from(JSON.stringify({ u: operator, exp: now + this.cfg.sessionTtlSeconds * 1000 })).toString('base64url');
    const value = `${payload}.${this.mac(payload).toString('base64url')}`;
    return this.cookie(value, this.cfg.sessionTtlSeconds);
  }

  /** Set-Cookie that removes the session. */
  clearCookie(): string {
    return this.cookie('', 0);
  }

  private cookie(value: string, maxAge: number): string {
    return `${CONSOLE_COOKIE}=${value}; Path=${CONSOLE_PATH}; Max-Age=${maxAge}; HttpOnly; SameSite=Strict${this.cfg.secureCookie ? '; Secure' : ''}`;
  }

  private mac(payload: string): Buffer {
    return createHmac('sha256', this.cfg.cookieKey).update(payload).digest();
  }

  private async check(attempt: LoginAttempt): Promise<string | undefined> {
    if ('token' in attempt) return this.cfg.token && safeEqual(attempt.token, this.cfg.token) ? TOKEN_OPERATOR : undefined;
    if (this.cfg.users.length === 0) return undefined;
    const user = this.cfg.users.find((u) => safeEqual(u.name, attempt.username));
    const ok = await verifyPassword(attempt.password, user?.hash ?? (await this.decoy));
    return user && ok ? user.name : undefined;
  }
}

/** One cookie's value from a Cookie header (no dependency for a single name). */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

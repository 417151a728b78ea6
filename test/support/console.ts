import request from 'supertest';
import type { ConsoleDecision, ConsoleDecisions } from '../../src/console/console-decisions.port';
import { hashPassword } from '../../src/console/password-hash';
import type { TestApp } from './test-app';

/** Console credentials for tests: a real scrypt hash (cheap parameters) and a token. */
export const CONSOLE_PASSWORD = 'a long console password';
export const CONSOLE_TEST_TOKEN = 'console-token-0123456789';

export async function consoleEnv(extra: Record<string, string> = {}): Promise<Record<string, string>> {
  const hash = await hashPassword(CONSOLE_PASSWORD, { N: 1024, r: 8, p: 1 });
  return { CONSOLE_USERS: `alice:${hash}`, CONSOLE_TOKEN: CONSOLE_TEST_TOKEN, ...extra };
}

/** Signs in through POST /console/login and returns the session cookie (name=value). */
export async function consoleCookie(t: TestApp, body: Record<string, string> = { token: CONSOLE_TEST_TOKEN }): Promise<string> {
  const res = await request(t.server).post('/console/login').set('content-type', 'application/json').send(body).expect(204);
  const set = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
  return set[0].split(';')[0];
}

/**
 * The console's decisions provider fed with test data: a real implementation of the
 * ConsoleDecisions interface (what the proactive engine will bind), holding what a test adds.
 */
export class InMemoryConsoleDecisions implements ConsoleDecisions {
  private readonly byUser = new Map<string, ConsoleDecision[]>();

  add(userId: string, decision: ConsoleDecision): void {
    this.byUser.set(userId, [decision, ...(this.byUser.get(userId) ?? [])]);
  }

  async listForUser(userId: string, limit: number): Promise<ConsoleDecision[]> {
    return (this.byUser.get(userId) ?? []).slice(0, limit);
  }

  async listRecent(limit: number): Promise<ConsoleDecision[]> {
    return [...this.byUser.values()].flat().sort((a, b) => b.at - a.at).slice(0, limit);
  }
}

import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { RedisConnection } from '../../src/redis/redis-connection';

/**
 * Shared by the Redis specs (in test/support, so the build leaves it out and src/ reads
 * no environment variable): where the test Redis is (TEST_REDIS_URL), a key prefix unique to this jest worker and run (so suites need no
 * FLUSHALL and parallel workers never collide), the rule every Redis implementation
 * here must keep — no key without an expiry — and a throwaway redis-server for
 * outage tests, which must not stop the shared one.
 */
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

const run = `${process.pid}:${randomBytes(4).toString('hex')}`;
let n = 0;

/** `test:<pid>:<random>:<label>:<n>:` — a fresh namespace for one store instance. */
export function testKeyPrefix(label: string): string {
  return `test:${run}:${label}:${++n}:`;
}

/** Matches every key written under testKeyPrefix(label) in this run. */
export function testKeyPattern(label: string): string {
  return `test:${run}:${label}:*`;
}

/**
 * Fails (never skips) when Redis is not reachable: a suite that silently passes without
 * its backend would hide exactly the regressions it exists to catch.
 */
export async function requireRedis(): Promise<void> {
  const conn = new RedisConnection({ url: TEST_REDIS_URL, connectTimeoutMs: 2_000 });
  try {
    await conn.waitUntilReady(3_000);
    await conn.ping();
  } catch (err) {
    throw new Error(
      `These specs need Redis at ${TEST_REDIS_URL} (set TEST_REDIS_URL to change it; start one with ` +
        `\`redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no\`): ${(err as Error).message}`,
      { cause: err },
    );
  } finally {
    await conn.close();
  }
}

/** Every key matching `pattern` with its remaining time to live in ms (-1: none). */
export async function keyTtls(pattern: string): Promise<Array<{ key: string; pttl: number }>> {
  const conn = new RedisConnection({ url: TEST_REDIS_URL });
  try {
    await conn.waitUntilReady(3_000);
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await conn.client.scan(cursor, 'MATCH', pattern, 'COUNT', 1_000);
      cursor = next;
      keys.push(...batch);
    } while (cursor !== '0');
    const ttls = await Promise.all(keys.map((k) => conn.client.pttl(k)));
    // -2: expired between SCAN and PTTL; nothing to check.
    return keys.map((key, i) => ({ key, pttl: ttls[i] })).filter((k) => k.pttl !== -2);
  } finally {
    await conn.close();
  }
}

/** Deletes every key written under testKeyPrefix(label) in this run (BullMQ's keys have no TTL to do it). */
export async function removeTestKeys(label: string): Promise<void> {
  const conn = new RedisConnection({ url: TEST_REDIS_URL });
  try {
    await conn.waitUntilReady(3_000);
    let cursor = '0';
    do {
      const [next, batch] = await conn.client.scan(cursor, 'MATCH', testKeyPattern(label), 'COUNT', 1_000);
      cursor = next;
      if (batch.length > 0) await conn.client.unlink(...batch);
    } while (cursor !== '0');
  } finally {
    await conn.close();
  }
}

/** The jest test that runs after a contract: keys were written, and each of them expires. */
export function itLeavesNoKeyWithoutExpiry(label: string): void {
  it(`leaves no key without an expiry under its prefix (${label})`, async () => {
    const keys = await keyTtls(testKeyPattern(label));
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.filter((k) => k.pttl <= 0)).toEqual([]);
  });
}

/** The environment for a child process a spec starts (this one's, with `extra` on top). */
export function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  return { ...process.env, ...extra };
}

/** A free loopback TCP port (bound, then released). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * A redis-server of our own on a loopback port, for tests that take Redis down and
 * bring it back (same port, empty data: the suites use no persistence).
 */
export class DisposableRedis {
  private proc?: ChildProcess;

  private constructor(readonly port: number) {}

  static async start(): Promise<DisposableRedis> {
    const r = new DisposableRedis(await freePort());
    await r.up();
    return r;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async up(): Promise<void> {
    const proc = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    this.proc = proc;
    const deadline = Date.now() + 5_000;
    for (;;) {
      const conn = new RedisConnection({ url: this.url, connectTimeoutMs: 500 });
      try {
        await conn.waitUntilReady(500);
        return;
      } catch (err) {
        if (proc.exitCode !== null || Date.now() > deadline) {
          throw new Error(`redis-server on port ${this.port} did not start: ${(err as Error).message}`, { cause: err });
        }
      } finally {
        await conn.close(100);
      }
    }
  }

  /** Kills the server outright (no shutdown handshake), as a crash or partition would look to clients. */
  async down(): Promise<void> {
    const proc = this.proc;
    if (!proc || proc.exitCode !== null) return;
    const exited = new Promise((resolve) => proc.once('exit', resolve));
    proc.kill('SIGKILL');
    await exited;
    this.proc = undefined;
  }
}

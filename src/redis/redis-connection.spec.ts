import { RedisConnection, bullmqWorkerConnection, redisOptionsFromUrl } from './redis-connection';
import { RedisUnavailableError, toRedisError } from './redis-errors';
import { DisposableRedis, TEST_REDIS_URL, freePort, requireRedis } from '../../test/support/redis';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(probe: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(20);
  }
}

describe('redisOptionsFromUrl', () => {
  it('reads host, port, credentials, database and TLS from the URL', () => {
    expect(redisOptionsFromUrl('redis://127.0.0.1:6380/2')).toMatchObject({ host: '127.0.0.1', port: 6380, db: 2, tls: undefined });
    expect(redisOptionsFromUrl('rediss://user:p%40ss@cache.internal')).toMatchObject({
      host: 'cache.internal', port: 6379, db: 0, username: 'user', password: 'p@ss', tls: {},
    });
    expect(redisOptionsFromUrl('redis://[::1]:6379')).toMatchObject({ host: '::1' });
  });

  it('refuses what is not a redis URL', () => {
    expect(() => redisOptionsFromUrl('http://localhost:6379')).toThrow(/redis:\/\//);
    expect(() => redisOptionsFromUrl('not a url')).toThrow(/not a valid URL/);
    expect(() => redisOptionsFromUrl('redis://localhost/x')).toThrow(/database/);
  });

  it('gives BullMQ workers blocking-safe settings', () => {
    expect(bullmqWorkerConnection({ url: 'redis://127.0.0.1:6379/1' })).toMatchObject({ db: 1, maxRetriesPerRequest: null, enableOfflineQueue: true });
  });
});

describe('toRedisError', () => {
  it('treats transport failures as unavailability and keeps genuine error replies', () => {
    expect(toRedisError(new Error('Connection is closed.'))).toBeInstanceOf(RedisUnavailableError);
    const reply = Object.assign(new Error('WRONGTYPE Operation against a key holding the wrong kind of value'), { name: 'ReplyError' });
    expect(toRedisError(reply)).toBe(reply);
    const oom = Object.assign(new Error('OOM command not allowed when used memory > maxmemory'), { name: 'ReplyError' });
    expect(toRedisError(oom)).toBeInstanceOf(RedisUnavailableError);
  });
});

describe('RedisConnection', () => {
  const conns: RedisConnection[] = [];
  const open = (url: string, over: Partial<ConstructorParameters<typeof RedisConnection>[0]> = {}) => {
    const c = new RedisConnection({ url, keyPrefix: 'test:conn:', connectTimeoutMs: 500, reconnectMaxMs: 200, ...over });
    conns.push(c);
    return c;
  };
  beforeAll(requireRedis);
  afterEach(async () => {
    while (conns.length) await conns.pop()!.close(500);
  });

  it('answers ping, reports up and prefixes keys', async () => {
    const c = open(TEST_REDIS_URL);
    await c.waitUntilReady();
    await expect(c.ping()).resolves.toBeUndefined();
    expect(c.status().state).toBe('up');
    expect(c.key('ss', 'meta', 'x')).toBe('test:conn:ss:meta:x');
  });

  it('rejects with RedisUnavailableError when nothing listens, and reports down with the error', async () => {
    const c = open(`redis://127.0.0.1:${await freePort()}`);
    await expect(c.ping()).rejects.toBeInstanceOf(RedisUnavailableError);
    await expect(c.waitUntilReady(200)).rejects.toBeInstanceOf(RedisUnavailableError);
    expect(c.status()).toMatchObject({ state: 'down', lastError: expect.stringMatching(/ECONNREFUSED/) });
  });

  it('after an outage: commands fail at once instead of queueing, and the client reconnects by itself', async () => {
    const server = await DisposableRedis.start();
    try {
      const c = open(server.url);
      await c.waitUntilReady();
      await c.client.set('test:conn:k', 'v', 'EX', 60);
      await server.down();
      await until(() => c.status().state === 'down');
      // With the offline queue on, this would hang until Redis came back.
      const results = await Promise.allSettled([c.ping(), c.run((r) => r.get('test:conn:k'))]);
      expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
      for (const r of results) expect((r as PromiseRejectedResult).reason).toBeInstanceOf(RedisUnavailableError);
      await server.up();
      await until(() => c.status().state === 'up');
      await expect(c.ping()).resolves.toBeUndefined();
    } finally {
      await server.down();
    }
  });

  it('close ends the client; later calls reject with RedisUnavailableError', async () => {
    const c = open(TEST_REDIS_URL);
    await c.waitUntilReady();
    await c.close();
    expect(c.client.status).toBe('end');
    await expect(c.ping()).rejects.toBeInstanceOf(RedisUnavailableError);
  });
});

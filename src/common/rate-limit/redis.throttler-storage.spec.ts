import { Controller, Get, Module, type INestApplication } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { ThrottlerGuard, ThrottlerModule } from '@nestjs/throttler';
import request from 'supertest';
import { RedisConnection } from '../../redis/redis-connection';
import { RedisUnavailableError } from '../../redis/redis-errors';
import { TEST_REDIS_URL, freePort, itLeavesNoKeyWithoutExpiry, requireRedis, testKeyPrefix } from '../../../test/support/redis';
import { RedisThrottlerStorage } from './redis.throttler-storage';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(requireRedis);

describe('RedisThrottlerStorage', () => {
  const conns: RedisConnection[] = [];
  /** Two storages (replicas) sharing one prefix, each on its own connection. */
  const replicas = () => {
    const prefix = testKeyPrefix('rl');
    return [0, 1].map(() => {
      const conn = new RedisConnection({ url: TEST_REDIS_URL, keyPrefix: prefix });
      conns.push(conn);
      return new RedisThrottlerStorage({ connection: conn });
    });
  };
  afterEach(async () => {
    while (conns.length) await conns.pop()!.close();
  });

  it('one budget across replicas: the hit past the limit is blocked for blockDuration, then a new window starts', async () => {
    const [a, b] = replicas();
    const hit = (s: RedisThrottlerStorage) => s.increment('user-1', 60_000, 3, 1_000, 'default');
    expect(await hit(a)).toEqual({ totalHits: 1, timeToExpire: 60, isBlocked: false, timeToBlockExpire: 0 });
    expect((await hit(b)).totalHits).toBe(2);
    expect((await hit(a)).totalHits).toBe(3);
    expect(await hit(b)).toEqual({ totalHits: 4, timeToExpire: 1, isBlocked: true, timeToBlockExpire: 1 });
    expect((await hit(a)).isBlocked).toBe(true);
    await sleep(1_100);
    expect(await hit(b)).toMatchObject({ totalHits: 1, isBlocked: false });
  });

  it('concurrent hits from two replicas admit exactly `limit`', async () => {
    const [a, b] = replicas();
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).increment('burst', 60_000, 10, 60_000, 'default')));
    expect(results.filter((r) => !r.isBlocked)).toHaveLength(10);
  });

  it('keeps trackers and named throttlers apart', async () => {
    const [a] = replicas();
    await a.increment('u1', 60_000, 1, 60_000, 'default');
    expect((await a.increment('u1', 60_000, 1, 60_000, 'default')).isBlocked).toBe(true);
    expect((await a.increment('u2', 60_000, 1, 60_000, 'default')).isBlocked).toBe(false);
    expect((await a.increment('u1', 60_000, 1, 60_000, 'burst')).isBlocked).toBe(false);
  });

  it('without a block duration refuses hits past the limit until the window resets, without counting them', async () => {
    const [a, b] = replicas();
    const hit = (s: RedisThrottlerStorage) => s.increment('nb', 1_000, 2, 0, 'default');
    await hit(a);
    await hit(b);
    const refused = await hit(a);
    expect(refused).toMatchObject({ totalHits: 3, isBlocked: true, timeToBlockExpire: 1 });
    expect((await hit(b)).totalHits).toBe(3);
    await sleep(1_100);
    expect(await hit(a)).toMatchObject({ totalHits: 1, isBlocked: false });
  });

  it('rejects with RedisUnavailableError when Redis cannot be reached', async () => {
    const s = new RedisThrottlerStorage({ connection: { url: `redis://127.0.0.1:${await freePort()}` } });
    try {
      await expect(s.increment('k', 1_000, 1, 0, 'default')).rejects.toBeInstanceOf(RedisUnavailableError);
    } finally {
      await s.close();
    }
  });
});

describe('RedisThrottlerStorage behind ThrottlerGuard in two apps', () => {
  @Controller()
  class PingController {
    @Get('ping')
    ping() {
      return { ok: true };
    }
  }

  const apps: INestApplication[] = [];
  const storages: RedisThrottlerStorage[] = [];
  afterAll(async () => {
    for (const app of apps) await app.close();
    for (const s of storages) await s.close();
  });

  it('the limit holds across replicas: the third request, on either app, gets 429 with Retry-After', async () => {
    const prefix = testKeyPrefix('rl');
    for (let i = 0; i < 2; i++) {
      const storage = new RedisThrottlerStorage({ connection: { url: TEST_REDIS_URL, keyPrefix: prefix } });
      storages.push(storage);
      @Module({
        imports: [ThrottlerModule.forRoot({ throttlers: [{ ttl: 60_000, limit: 2 }], storage })],
        controllers: [PingController],
        providers: [{ provide: APP_GUARD, useClass: ThrottlerGuard }],
      })
      class AppModule {}
      const ref = await Test.createTestingModule({ imports: [AppModule] }).compile();
      const app = ref.createNestApplication({ logger: false });
      await app.init();
      apps.push(app);
    }
    const [a, b] = apps.map((app) => request(app.getHttpServer()));
    expect((await a.get('/ping')).status).toBe(200);
    expect((await b.get('/ping')).status).toBe(200);
    const third = await a.get('/ping');
    expect(third.status).toBe(429);
    expect(Number(third.headers['retry-after'])).toBeGreaterThan(0);
    expect((await b.get('/ping')).status).toBe(429);
  });
});

// Last, so it sees every key the suites above wrote.
describe('RedisThrottlerStorage key expiry', () => {
  itLeavesNoKeyWithoutExpiry('rl');
});

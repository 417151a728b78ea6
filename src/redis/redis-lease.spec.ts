import { RedisConnection } from './redis-connection';
import { LeaseKeeper } from './redis-lease-keeper';
import { RedisLease } from './redis-lease';
import { TEST_REDIS_URL, itLeavesNoKeyWithoutExpiry, requireRedis, testKeyPrefix } from '../../test/support/redis';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(probe: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(10);
  }
}

beforeAll(requireRedis);

describe('RedisLease', () => {
  const conns: RedisConnection[] = [];
  const pair = (leaseMs = 10_000) => {
    const conn = new RedisConnection({ url: TEST_REDIS_URL, keyPrefix: testKeyPrefix('lease') });
    conns.push(conn);
    const mk = (holderId: string) => new RedisLease({ connection: conn, name: 'stream', holderId, leaseMs });
    return { conn, a: mk('replica-a'), b: mk('replica-b') };
  };
  afterEach(async () => {
    while (conns.length) await conns.pop()!.close();
  });

  it('has one holder; only the holder renews or releases it', async () => {
    const { a, b } = pair();
    expect(await a.tryAcquire()).toBe(true);
    expect(await a.tryAcquire()).toBe(true); // already ours: re-armed, not refused
    expect(await b.tryAcquire()).toBe(false);
    expect(await b.renew()).toBe(false);
    expect(await b.release()).toBe(false);
    expect(await a.holder()).toEqual({ holderId: 'replica-a', ttlMs: expect.any(Number) });
    expect(await a.renew()).toBe(true);
    expect(await a.release()).toBe(true);
    expect(await a.holder()).toBeNull();
    expect(await b.tryAcquire()).toBe(true);
    expect((await a.holder())!.holderId).toBe('replica-b');
  });

  it('lapses when not renewed, and a lapsed holder cannot renew or release its successor\'s lease', async () => {
    const { a, b } = pair(200);
    expect(await a.tryAcquire()).toBe(true);
    await sleep(300);
    expect(await a.holder()).toBeNull();
    expect(await b.tryAcquire()).toBe(true);
    expect(await a.renew()).toBe(false);
    expect(await a.release()).toBe(false);
    expect((await b.holder())!.holderId).toBe('replica-b');
  });
});

describe('LeaseKeeper', () => {
  const leaseMs = 600;
  const renewMs = 150;
  const cleanup: Array<() => Promise<void>> = [];
  afterEach(async () => {
    while (cleanup.length) await cleanup.pop()!();
  });

  /** Two replicas competing for one lease; `holding` counts replicas inside onAcquired…onLost. */
  const replicas = () => {
    const prefix = testKeyPrefix('lease');
    let holding = 0;
    let peak = 0;
    const events: Array<{ who: string; what: 'acquired' | 'lost'; at: number }> = [];
    const make = (who: string) => {
      const conn = new RedisConnection({ url: TEST_REDIS_URL, keyPrefix: prefix, commandTimeoutMs: 200 });
      const lease = new RedisLease({ connection: conn, name: 'stream', holderId: who, leaseMs });
      const keeper = new LeaseKeeper(lease, {
        renewMs,
        onAcquired: () => {
          holding++;
          peak = Math.max(peak, holding);
          events.push({ who, what: 'acquired', at: Date.now() });
        },
        onLost: () => {
          holding--;
          events.push({ who, what: 'lost', at: Date.now() });
        },
      });
      cleanup.push(async () => {
        await keeper.stop();
        await conn.close(200);
      });
      return { conn, lease, keeper };
    };
    return { a: make('a'), b: make('b'), events, peak: () => peak };
  };

  it('one keeper holds; after it stops the other takes over within the lease time, never both', async () => {
    const { a, b, events, peak } = replicas();
    a.keeper.start();
    await until(() => a.keeper.isHeld(), 2_000);
    b.keeper.start();
    await sleep(3 * renewMs);
    expect(b.keeper.isHeld()).toBe(false);
    expect((await b.lease.holder())!.holderId).toBe('a');

    const stoppedAt = Date.now();
    await a.keeper.stop();
    await until(() => b.keeper.isHeld(), leaseMs);
    expect(Date.now() - stoppedAt).toBeLessThanOrEqual(leaseMs);
    expect(events.map((e) => `${e.who} ${e.what}`)).toEqual(['a acquired', 'a lost', 'b acquired']);
    expect(peak()).toBe(1);
  });

  it('a holder that can no longer reach Redis gives up before the other can take over', async () => {
    const { a, b, events, peak } = replicas();
    a.keeper.start();
    await until(() => a.keeper.isHeld(), 2_000);
    b.keeper.start();
    await sleep(2 * renewMs);
    // a's connection dies for good: its renewals fail, the key lapses in Redis.
    a.conn.client.disconnect();
    await until(() => b.keeper.isHeld(), leaseMs + 4 * renewMs);
    const lost = events.find((e) => e.who === 'a' && e.what === 'lost')!;
    const acquired = events.find((e) => e.who === 'b' && e.what === 'acquired')!;
    expect(lost).toBeDefined();
    expect(lost.at).toBeLessThanOrEqual(acquired.at);
    expect(a.keeper.isHeld()).toBe(false);
    expect(peak()).toBe(1);
  });

  it('refuses a renew interval that leaves no time to renew', () => {
    const conn = new RedisConnection({ url: TEST_REDIS_URL, keyPrefix: testKeyPrefix('lease') });
    cleanup.push(() => conn.close());
    expect(() => new LeaseKeeper(new RedisLease({ connection: conn, name: 'x', leaseMs: 1_000 }), { renewMs: 900 })).toThrow(/renewMs/);
  });
});

// Last, so it sees every key the suites above wrote.
describe('RedisLease key expiry', () => {
  it('writes its key with an expiry', async () => {
    const conn = new RedisConnection({ url: TEST_REDIS_URL, keyPrefix: testKeyPrefix('lease') });
    const lease = new RedisLease({ connection: conn, name: 'held', leaseMs: 60_000 });
    await lease.tryAcquire();
    await conn.close();
  });
  itLeavesNoKeyWithoutExpiry('lease');
});

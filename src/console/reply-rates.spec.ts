import { TEST_REDIS_URL, freePort, requireRedis, testKeyPrefix } from '../../test/support/redis';
import { MetricsService } from '../observability/metrics.service';
import type { KeyValueStore } from '../state/key-value-store.port';
import { MemoryKeyValueStore } from '../state/memory.key-value-store';
import { RedisKeyValueStore } from '../state/redis.key-value-store';
import { ReplyRates } from './reply-rates';

const replies = (metrics: MetricsService) =>
  metrics.counter({ name: 'copilot_replies_total', help: 'replies', labelNames: ['channel', 'outcome'] });
const nudges = (metrics: MetricsService) =>
  metrics.counter({ name: 'proactive_decisions_total', help: 'decisions', labelNames: ['rule', 'outcome'] });

const T0 = Date.UTC(2026, 11, 1, 12, 0, 10);
const countsOf = (series: Array<{ count: number }>) => series.map((m) => m.count);

describe('ReplyRates', () => {
  beforeAll(requireRedis);

  it('adds up what every replica counted, per minute (web replicas see the replies their workers sent)', async () => {
    const prefix = testKeyPrefix('rates');
    const kvs = [0, 1].map(() => new RedisKeyValueStore({ connection: { url: TEST_REDIS_URL, keyPrefix: prefix }, maxValueBytes: 1_024 }));
    const metrics = [new MetricsService(), new MetricsService()];
    const [web, worker] = kvs.map((kv, i) => new ReplyRates(metrics[i], kv));
    try {
      const workerReplies = replies(metrics[1]);
      const workerNudges = nudges(metrics[1]);
      replies(metrics[0]);
      await Promise.all([web.sample(T0), worker.sample(T0)]); // baselines
      workerReplies.inc({ channel: 'crisp', outcome: 'sent' }, 3);
      workerNudges.inc({ rule: 'r', outcome: 'sent' }, 2);
      workerNudges.inc({ rule: 'r', outcome: 'suppressed' }, 5);
      await worker.sample(T0 + 5_000);
      workerReplies.inc({ channel: 'rest', outcome: 'sent' });
      await worker.sample(T0 + 60_000); // the next minute
      await web.sample(T0 + 60_000);

      const shown = await web.series('replies', T0 + 60_000);
      expect(shown).toHaveLength(30);
      expect(shown.at(-1)!.at).toBe(Date.UTC(2026, 11, 1, 12, 1));
      expect(countsOf(shown).slice(-2)).toEqual([3, 1]);
      expect(countsOf(shown).slice(0, -2).every((n) => n === 0)).toBe(true);
      expect(countsOf(await web.series('nudges', T0 + 60_000)).slice(-2)).toEqual([2, 0]);
    } finally {
      await Promise.all(kvs.map((kv) => kv.close()));
    }
  });

  it('keeps an increase the store refused and adds it with the next sample; an unreachable store charts zeros, never throws', async () => {
    const memory = new MemoryKeyValueStore({ maxValueBytes: 1_024, maxBytes: 1_000_000, now: () => T0 });
    let down = false;
    // The port, failing while `down` (as a store that lost its connection does).
    const flaky: KeyValueStore = {
      get: (k) => (down ? Promise.reject(new Error('down')) : memory.get(k)),
      set: (k, v, ttl) => memory.set(k, v, ttl),
      setIfAbsent: (k, v, ttl) => memory.setIfAbsent(k, v, ttl),
      delete: (k) => memory.delete(k),
      increment: (k, by, ttl) => (down ? Promise.reject(new Error('down')) : memory.increment(k, by, ttl)),
      ping: () => memory.ping(),
      close: () => memory.close(),
    };
    const metrics = new MetricsService();
    const counter = replies(metrics);
    const rates = new ReplyRates(metrics, flaky);
    await rates.sample(T0);
    counter.inc({ channel: 'crisp', outcome: 'sent' }, 4);
    down = true;
    await expect(rates.sample(T0 + 1_000)).resolves.toBeUndefined();
    expect(countsOf(await rates.series('replies', T0 + 1_000)).every((n) => n === 0)).toBe(true);
    down = false;
    counter.inc({ channel: 'crisp', outcome: 'sent' });
    await rates.sample(T0 + 2_000);
    expect(countsOf(await rates.series('replies', T0 + 2_000)).at(-1)).toBe(5);

    const unreachable = new RedisKeyValueStore({ connection: { url: `redis://127.0.0.1:${await freePort()}`, connectTimeoutMs: 200 }, maxValueBytes: 1_024 });
    try {
      const offline = new ReplyRates(metrics, unreachable);
      await offline.sample(T0);
      counter.inc({ channel: 'crisp', outcome: 'sent' });
      await expect(offline.sample(T0 + 1_000)).resolves.toBeUndefined();
      expect(countsOf(await offline.series('replies', T0 + 1_000))).toEqual(Array(30).fill(0));
    } finally {
      await unreachable.close();
    }
  });
});

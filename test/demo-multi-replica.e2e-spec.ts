import { IngestStats } from '../src/activity/ingest-stats.service';
import { DemoSimulation } from '../src/demo/demo-simulation';
import { TEST_REDIS_URL, removeTestKeys, requireRedis, testKeyPrefix } from './support/redis';
import { bootTestApp, type TestApp } from './support/test-app';
import { sleep, until } from './support/wait';


/**
 * DEMO=true on several replicas of one deployment: the simulated users are walked by one
 * replica at a time (the `demo-simulation` lease), like the connector stream, so each step
 * reaches the store once and the stories (three edits → one offer) stay whole.
 */
describe('demo users on several replicas (STORE=redis)', () => {
  const env = (extra: Record<string, string> = {}) => ({
    DEMO: 'true', DEMO_STEP_MS: '40', STORE: 'redis', QUEUE: 'bullmq', REDIS_URL: TEST_REDIS_URL, REDIS_KEY_PREFIX: testKeyPrefix('demo'),
    STREAM_LEASE_MS: '9000', SUMMARIZER: 'none', USER_TOKEN_SECRET: 'demo-replicas-secret', ...extra,
  });
  const walked = (t: TestApp) => t.app.get(IngestStats).bySource().demo?.ingested ?? 0;
  const walking = (t: TestApp) => t.app.get(DemoSimulation).isWalking();
  const apps: TestApp[] = [];

  beforeAll(requireRedis);
  afterAll(async () => {
    await Promise.all(apps.map((t) => t.close().catch(() => undefined)));
    await removeTestKeys('demo');
  });

  it('one replica walks them, the lease holder; when it stops it gives the lease back, and another takes over', async () => {
    const shared = env();
    const [a, b] = await Promise.all([bootTestApp({ env: shared }), bootTestApp({ env: shared })]);
    apps.push(a, b);
    await until(() => walking(a) || walking(b), 3_000, 'a replica walking the demo users');
    for (let i = 0; i < 10; i++) {
      expect([a, b].filter(walking)).toHaveLength(1);
      await sleep(60);
    }
    const [holder, other] = walking(a) ? [a, b] : [b, a];
    expect(walked(holder)).toBeGreaterThan(0);
    expect(walked(other)).toBe(0);

    await holder.close();
    const stoppedAt = Date.now();
    // The lease (9 s) is renewed every 3 s: a successor within ~3 s means it was released at shutdown, not left to lapse.
    await until(() => walking(other), 6_000, 'the other replica taking over');
    expect(Date.now() - stoppedAt).toBeLessThan(6_000);
    const before = walked(other);
    await until(() => walked(other) > before, 2_000, 'steps from the new holder');
  });

  it('a ROLE=web replica never walks them (worker replicas do)', async () => {
    const web = await bootTestApp({ env: env({ ROLE: 'web' }) });
    apps.push(web);
    await sleep(400);
    expect(walking(web)).toBe(false);
    expect(walked(web)).toBe(0);
  });
});

import request from 'supertest';
import { FakeCrispServer } from './support/fake-crisp.server';
import { HOOK_KEY, WEBSITE, bootProactiveApp, click, crispEnv, decisionsOf, page, pushActions, sleep, waitFor } from './support/proactive-app';
import { TEST_REDIS_URL, requireRedis, testKeyPrefix } from './support/redis';
import type { TestApp } from './support/test-app';

/**
 * Two replicas on one Redis (STORE=redis, QUEUE=bullmq, one key prefix), both ingesting
 * the same user's activity and both pulsing: the user gets one nudge, not two.
 */
describe('Proactive with two replicas on one Redis', () => {
  const crisp = new FakeCrispServer();
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    await requireRedis();
    await crisp.start();
    const env = {
      STORE: 'redis',
      QUEUE: 'bullmq',
      REDIS_URL: TEST_REDIS_URL,
      REDIS_KEY_PREFIX: testKeyPrefix('pro-replicas'),
      CHANNELS: 'rest,crisp',
      SUMMARIZER: 'none',
      PROACTIVE_PULSE_SECONDS: '0.2',
      ...crispEnv(crisp.url),
    };
    a = await bootProactiveApp(env);
    b = await bootProactiveApp(env);
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await crisp.stop();
  });

  it('the same activity stored through both replicas, evaluated on both and on both pulses, sends one offer', async () => {
    await request(a.server).post('/crisp/hooks').query({ key: HOOK_KEY }).set('content-type', 'application/json')
      .send(JSON.stringify({ website_id: WEBSITE, event: 'session:set_data', data: { website_id: WEBSITE, session_id: 'session_twin', data: { user_id: 'u_twin' } } })).expect(200);
    const scope = { session: 'app_twin', user: 'u_twin' };
    await pushActions(a, scope, [page('Projects', '/projects', 40), click('Edit', '/projects/:id', 35)]);
    await pushActions(b, scope, [click('Edit', '/projects/:id', 25)]);
    // The third edit reaches both replicas at once (a retried push), so both evaluate a session that qualifies.
    await Promise.all([pushActions(a, scope, [click('Edit', '/projects/:id', 15)]), pushActions(b, scope, [click('Edit', '/projects/:id', 15)])]);

    await waitFor(() => crisp.messagesSent('session_twin').length > 0, 5_000, 'the offer');
    // Several pulses on both replicas later, still one.
    await sleep(1_000);
    expect(crisp.messagesSent('session_twin')).toHaveLength(1);
    for (const t of [a, b]) {
      const sent = (await decisionsOf(t, 'u_twin')).filter((d) => d.outcome === 'sent');
      expect(sent).toHaveLength(1);
      expect(sent[0]).toMatchObject({ ruleId: 'bulk-edit-offer', channel: 'crisp' });
    }
  });

  it('the pulse runs once per interval for the deployment, not once per replica', async () => {
    const pulses = async (t: TestApp) => Number(/^proactive_pulses_total (\d+)/m.exec((await request(t.server).get('/metrics').expect(200)).text)?.[1] ?? 0);
    const before = (await pulses(a)) + (await pulses(b));
    const started = Date.now();
    await sleep(2_000);
    const ran = (await pulses(a)) + (await pulses(b)) - before;
    const intervals = Math.ceil((Date.now() - started) / 200) + 1;
    // Both replicas tick every 0.2 s; claiming the interval means their pulses add up to the intervals, not twice as many.
    expect(ran).toBeGreaterThan(0);
    expect(ran).toBeLessThanOrEqual(intervals);
    expect(await pulses(a)).toBeGreaterThan(0);
  });
});

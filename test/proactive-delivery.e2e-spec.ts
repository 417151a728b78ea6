import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import request from 'supertest';
import { FakeCrispServer } from './support/fake-crisp.server';
import { FakeRasaServer } from './support/fake-rasa.server';
import { closeLoopback, listenOnLoopback } from './support/loopback-http';
import { SseReader, type SseFrame } from './support/sse-reader';
import { FAST_NUDGE_POLICY, HOOK_KEY, WEBSITE, bootProactiveApp, crispEnv, decisionsOf, pushActions, threeEdits, waitFor } from './support/proactive-app';
import type { TestApp } from './support/test-app';

/**
 * Delivery on each channel, through the real protocols: Rasa's trigger_intent (and the
 * bot's rule calling back action_proactive_nudge), the REST event stream with
 * resumption, the signed webhook, and the per-channel breaker.
 */
describe('Proactive delivery on Rasa (trigger_intent)', () => {
  const ACTION_TOKEN = 'rasa-action-token';
  let rasa: FakeRasaServer;
  let t: TestApp;

  beforeAll(async () => {
    // Rasa needs our URL for the action call, and we need Rasa's: start Rasa on a placeholder, then point it at us.
    rasa = await new FakeRasaServer({ token: 'rasa-api-token', intents: { EXTERNAL_proactive_nudge: 'action_proactive_nudge' }, actionToken: ACTION_TOKEN }).start();
    t = await bootProactiveApp({ CHANNELS: 'rasa,rest', SUMMARIZER: 'none', RASA_URL: rasa.url, RASA_TOKEN: 'rasa-api-token', RASA_ACTION_TOKEN: ACTION_TOKEN }, undefined, true);
    (rasa as unknown as { opts: { actionServerUrl?: string } }).opts.actionServerUrl = t.url;
  });
  afterAll(async () => {
    await t.close();
    await rasa.stop();
  });

  it('learns the sender id from an action call, then triggers the intent with the nudge; the bot utters it through action_proactive_nudge', async () => {
    // The widget's user talks to the bot once: Rasa's action call names them in customData.
    await request(t.server)
      .post('/rasa/webhook')
      .set('authorization', `Bearer ${ACTION_TOKEN}`)
      .send({
        next_action: 'action_ask_llm',
        sender_id: 'rasa-sender-7',
        tracker: { sender_id: 'rasa-sender-7', latest_message: { text: 'hi', entities: [], metadata: { customData: { userId: 'u_rasa' } } } },
      })
      .expect(200);
    await pushActions(t, { session: 'app_rasa', user: 'u_rasa' }, threeEdits());

    const call = await waitFor(() => rasa.triggers[0], 5_000, 'trigger_intent');
    expect(call.conversationId).toBe('rasa-sender-7');
    expect(call.query).toEqual({ output_channel: 'latest', token: 'rasa-api-token' });
    const sent = await waitFor(async () => (await decisionsOf(t, 'u_rasa')).find((d) => d.outcome === 'sent'), 3_000, 'the sent decision');
    expect(call.body).toEqual({ name: 'EXTERNAL_proactive_nudge', entities: { trigger_id: sent.id, message: sent.message } });
    expect(sent).toMatchObject({ ruleId: 'bulk-edit-offer', channel: 'rasa' });
    expect(call.uttered).toEqual([sent.message]);
    expect(rasa.triggers).toHaveLength(1);
  });
});

describe('Proactive delivery on REST: the event stream and the signed webhook', () => {
  const SECRET = 'webhook-signing-secret';
  const hooks: Array<{ headers: IncomingMessage['headers']; raw: string }> = [];
  let receiver: Awaited<ReturnType<typeof listenOnLoopback>>;
  let t: TestApp;

  beforeAll(async () => {
    receiver = await listenOnLoopback((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        hooks.push({ headers: req.headers, raw: Buffer.concat(chunks).toString('utf8') });
        res.writeHead(hooks.length === 1 ? 503 : 204).end();
      });
    });
    t = await bootProactiveApp(
      { CHANNELS: 'rest', SUMMARIZER: 'none', USER_EVENTS_HEARTBEAT_SECONDS: '0.2', PROACTIVE_WEBHOOK_URL: `${receiver.url}/nudges`, PROACTIVE_WEBHOOK_SECRET: SECRET },
      undefined,
      true,
    );
  });
  afterAll(async () => {
    await t.close();
    await closeLoopback(receiver.server);
  });

  const openStream = (userId: string, lastEventId?: string) => openStreamAt(`${t.url}/v1/users/${userId}/events`, lastEventId);

  it('streams the nudge as an SSE event with heartbeats, and a reconnect with Last-Event-ID gets what it missed', async () => {
    const first = await openStream('u_sse');
    await pushActions(t, { session: 'app_sse_1', user: 'u_sse' }, threeEdits());
    await first.until(() => first.events('nudge').length > 0, 5_000);
    const [e1] = first.events('nudge');
    expect(e1.event).toBe('nudge');
    expect(dataOf(e1)).toEqual({
      nudgeId: expect.any(String),
      ruleId: 'bulk-edit-offer',
      message: expect.stringContaining('Bulk edit'),
      quickReplies: ['Show me', 'No thanks'],
      channel: 'rest',
      at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    await first.until((f) => f.some((x) => x.comment === 'heartbeat'), 2_000);
    first.close();

    // Missed while disconnected: a second session of the same user earns its own offer.
    await pushActions(t, { session: 'app_sse_2', user: 'u_sse' }, threeEdits());
    await waitFor(async () => (await decisionsOf(t, 'u_sse')).filter((d) => d.outcome === 'sent').length === 2, 5_000, 'the second nudge');
    const again = await openStream('u_sse', e1.id);
    await again.until(() => again.events('nudge').length > 0, 3_000);
    const [e2] = again.events('nudge');
    expect(dataOf(e2).nudgeId).not.toBe(dataOf(e1).nudgeId);
    expect(again.events('nudge').map((e) => e.id)).not.toContain(e1.id);
    again.close();

    // Another user's stream never sees these.
    const other = await openStream('u_other', '0-0');
    await new Promise((r) => setTimeout(r, 200));
    expect(other.frames.filter((f) => f.data !== undefined)).toEqual([]);
    other.close();
  });

  it('POSTs each nudge to PROACTIVE_WEBHOOK_URL signed so a client can verify it, retrying a failed call', async () => {
    await waitFor(() => hooks.length >= 3, 8_000, 'the webhook calls (one refused and retried)');
    for (const h of hooks) {
      const ts = String(h.headers['x-timestamp']);
      const expected = `sha256=${createHmac('sha256', SECRET).update(`${ts}.${h.raw}`).digest('hex')}`;
      const got = String(h.headers['x-signature']);
      expect(got.length).toBe(expected.length);
      expect(timingSafeEqual(Buffer.from(got), Buffer.from(expected))).toBe(true);
      expect(Math.abs(Date.now() / 1000 - Number(ts))).toBeLessThan(120);
    }
    const bodies = hooks.map((h) => JSON.parse(h.raw));
    expect(bodies[0]).toMatchObject({ type: 'nudge', userId: 'u_sse', productId: 'acme', data: { ruleId: 'bulk-edit-offer', channel: 'rest' } });
    // The refused first call was retried: two distinct nudges, each delivered (2xx) once.
    expect(new Set(bodies.map((b) => b.data.nudgeId)).size).toBe(2);
  });

  it('the stream needs the API key and a sane user id', async () => {
    await request(t.server).get('/v1/users/u_sse/events').expect(401);
    await request(t.server).get(`/v1/users/${'x'.repeat(300)}/events`).set('authorization', 'Bearer test-key').expect(400);
    await request(t.server).get('/v1/users/u_sse/proactive').expect(401);
    await request(t.server).get('/v1/users/u_sse/proactive?limit=0').set('authorization', 'Bearer test-key').expect(400);
  });
});

describe('Proactive delivery: failing channels', () => {
  const crisp = new FakeCrispServer();
  let t: TestApp;
  const hook = (body: unknown) => request(t.server).post('/crisp/hooks').query({ key: HOOK_KEY }).set('content-type', 'application/json').send(JSON.stringify(body)).expect(200);
  const reachable = (session: string, userId: string) => hook({ website_id: WEBSITE, event: 'session:set_data', data: { website_id: WEBSITE, session_id: session, data: { user_id: userId } } });

  afterEach(async () => {
    await t.close();
    await crisp.stop();
    crisp.reset();
  });

  it('a nudge whose channel keeps failing is retried with backoff, then logged failed/delivery_error with its cap slots given back', async () => {
    await crisp.start();
    t = await bootProactiveApp({ CHANNELS: 'rest,crisp', SUMMARIZER: 'none', ...crispEnv(crisp.url) }, { ...FAST_NUDGE_POLICY, attempts: 3, breakerThreshold: 10 });
    crisp.script('message', 500, 500, 500);
    await reachable('session_flaky', 'u_flaky');
    await pushActions(t, { session: 'app_flaky', user: 'u_flaky' }, threeEdits());
    const failed = await waitFor(async () => (await decisionsOf(t, 'u_flaky')).find((d) => d.outcome === 'failed'), 5_000, 'the failed decision');
    expect(failed).toMatchObject({ ruleId: 'bulk-edit-offer', reason: 'delivery_error', channel: 'crisp' });
    expect(crisp.byRoute('message')).toHaveLength(3);
    // Crisp is back: the session's slot was given back, so the offer can still go out (no cap_session for 300 s).
    await pushActions(t, { session: 'app_flaky', user: 'u_flaky' }, threeEdits(20));
    const sent = await waitFor(async () => (await decisionsOf(t, 'u_flaky')).find((d) => d.outcome === 'sent'), 5_000, 'the offer once Crisp is back');
    expect(sent.channel).toBe('crisp');
    expect(crisp.messagesSent('session_flaky')).toHaveLength(1);
  });

  it('a user no channel can reach gets one failed/no_channel decision, not one per pulse', async () => {
    await crisp.start();
    t = await bootProactiveApp({ CHANNELS: 'crisp', SUMMARIZER: 'none', PROACTIVE_PULSE_SECONDS: '0.2', API_KEYS: 'test-key', ...crispEnv(crisp.url) });
    // Never seen on Crisp: no session to post into, and no REST channel to fall back to.
    await pushActions(t, { session: 'app_nochan', user: 'u_nochan' }, threeEdits());
    const failed = await waitFor(async () => (await decisionsOf(t, 'u_nochan')).find((d) => d.reason === 'no_channel'), 5_000, 'no_channel');
    expect(failed).toMatchObject({ outcome: 'failed', ruleId: 'bulk-edit-offer' });
    await new Promise((r) => setTimeout(r, 1_000));
    expect((await decisionsOf(t, 'u_nochan')).filter((d) => d.reason === 'no_channel')).toHaveLength(1);
    expect(crisp.byRoute('message')).toHaveLength(0);
  });

  it('repeated failures open the channel\'s breaker (healthz, metrics); nudges then go to the next channel in PROACTIVE_CHANNELS', async () => {
    await crisp.start();
    t = await bootProactiveApp({ CHANNELS: 'rest,crisp', SUMMARIZER: 'none', ...crispEnv(crisp.url) }, { ...FAST_NUDGE_POLICY, attempts: 5, breakerThreshold: 2 });
    crisp.script('message', 500, 500, 500, 500, 500, 500);
    await reachable('session_down', 'u_down');
    await pushActions(t, { session: 'app_down_1', user: 'u_down' }, threeEdits());
    const first = await waitFor(async () => (await decisionsOf(t, 'u_down')).find((d) => d.outcome === 'sent'), 5_000, 'the first nudge');
    // Two failures opened the breaker; the retry found it open and used REST.
    expect(first.channel).toBe('rest');
    expect(crisp.byRoute('message')).toHaveLength(2);

    const health = await request(t.server).get('/healthz').expect(200);
    expect(JSON.stringify(health.body)).toMatch(/"proactive":\{"status":"degraded"[^}]*"breakers":\{"crisp":"open","rest":"closed"\}/);
    const metrics = await request(t.server).get('/metrics').expect(200);
    expect(metrics.text).toContain('proactive_channel_circuit_state{channel="crisp"} 2');

    await pushActions(t, { session: 'app_down_2', user: 'u_down' }, threeEdits());
    await waitFor(async () => (await decisionsOf(t, 'u_down')).filter((d) => d.outcome === 'sent').length === 2, 5_000, 'the second nudge');
    expect(crisp.byRoute('message')).toHaveLength(2);
  });
});

/** The user's nudge stream (Bearer key, optional Last-Event-ID), checked to be an event stream. */
async function openStreamAt(url: string, lastEventId?: string): Promise<SseReader> {
  const reader = await new SseReader().open(url, { authorization: 'Bearer test-key', ...(lastEventId ? { 'last-event-id': lastEventId } : {}) });
  if (reader.status !== 200) throw new Error(`stream answered ${reader.status}`);
  expect(reader.headers?.get('content-type')).toMatch(/^text\/event-stream/);
  return reader;
}

const dataOf = (frame: SseFrame) => JSON.parse(frame.data ?? 'null');

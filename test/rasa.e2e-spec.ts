import { fixturePath } from './support/fixtures';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHmac } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import request from 'supertest';
import { RASA_ACTIONS } from '../src/channels/rasa/rasa-actions.definitions';
import { CONVERSATION_STORE } from '../src/copilot/copilot.constants';
import type { ConversationTurn } from '../src/copilot/conversation-store.port';
import { MemoryConversationStore } from '../src/copilot/memory.conversation-store';
import { FakeOpenAiServer } from './support/fake-openai.server';
import { userMessageOf } from './support/prompt';
import { bootTestApp, type TestApp } from './support/test-app';

const FIXTURES = fixturePath();
const text = (name: string) => RASA_ACTIONS.find((a) => a.name === name)!;

/** The REST channel fixture's body, as Rasa would pass it on: sender + metadata.customData.userId. */
const restFixture = JSON.parse(readFileSync(join(FIXTURES, 'rasa/rasa-rest-webhook-request.json'), 'utf8')) as {
  sender: string;
  message: string;
  metadata: Record<string, unknown>;
};

/** A tracker state the way Rasa serialises it (trimmed to what matters plus a few fields we must ignore). */
function actionCall(next_action: string, opts: { sender?: string; text?: string | null; metadata?: Record<string, unknown> } = {}) {
  const sender = opts.sender ?? 'conv-1';
  return {
    next_action,
    sender_id: sender,
    tracker: {
      sender_id: sender,
      slots: { session_started_metadata: null },
      latest_message: {
        text: opts.text === undefined ? 'what did I just do' : opts.text,
        intent: { name: 'ask_what_just_happened', confidence: 0.98 },
        intent_ranking: [],
        entities: [],
        message_id: 'm1',
        metadata: opts.metadata ?? {},
      },
      latest_event_time: 1700000000.1,
      followup_action: null,
      paused: false,
      events: [{ event: 'action', timestamp: 1700000000, name: 'action_session_start' }],
      latest_input_channel: 'socketio',
      active_loop: {},
      latest_action: { action_name: 'action_listen' },
      latest_action_name: 'action_listen',
    },
    domain: { version: '3.1', intents: ['greet'], actions: RASA_ACTIONS.map((a) => a.name) },
    version: '3.6.20',
  };
}

const push = (t: TestApp, userId: string, sessionId: string, titles: string[]) =>
  request(t.server)
    .post('/v1/activity')
    .set('content-type', 'application/json')
    .send(
      JSON.stringify({
        type: 'actions',
        product_id: 'acme',
        session_id: sessionId,
        user_id: userId,
        actions: titles.map((title, i) => ({ type: 'click', title, canonical_url: `/page-${i}` })),
      }),
    )
    .expect(202);

const lastUserPrompt = (fake: FakeOpenAiServer): string => {
  const body = fake.chatRequests().at(-1)!.body as { messages: { role: string; content: string }[] };
  return body.messages.filter((m) => m.role === 'user').at(-1)!.content;
};

describe('Rasa action server (CHANNELS=rasa)', () => {
  const fake = new FakeOpenAiServer();
  let t: TestApp;

  beforeAll(async () => {
    await fake.start();
    t = await bootTestApp({
      env: { CHANNELS: 'rasa', LLM_PROVIDER: 'openai', OPENAI_BASE_URL: fake.url, OPENAI_API_KEY: 'test', LLM_MAX_RETRIES: '0', LLM_TIMEOUT_MS: '5000' },
      listen: true,
    });
    await push(t, 'u_alice', 's_alice', ["Clicked 'Open billing'", "Clicked 'Upgrade plan'"]);
    await push(t, 'u_bob', 's_bob', ["Clicked 'Bob private report'"]);
    await push(t, 'conv-sender-only', 's_sender', ["Clicked 'Sender session button'"]);
    await push(t, restFixture.sender, 's_fixture', ["Clicked 'Fixture user button'"]);
  });
  afterAll(async () => {
    await t.close();
    await fake.stop();
  });
  beforeEach(() => {
    fake.requests.length = 0;
    fake.respondWith((_r, i) => ({ text: `fake reply #${i + 1}` }));
  });

  it('GET /rasa/health answers like rasa-sdk and GET /rasa/actions lists every action', async () => {
    const health = await request(t.server).get('/rasa/health').expect(200);
    expect(health.body).toEqual(JSON.parse(readFileSync(join(FIXTURES, 'rasa/action_server_health_response.json'), 'utf8')));
    const actions = await request(t.server).get('/rasa/actions').expect(200);
    expect(actions.body).toEqual([{ name: 'action_ask_llm' }, { name: 'action_recent_activity' }, { name: 'action_help_current_page' }, { name: 'action_proactive_nudge' }]);
  });

  it.each([
    ['action_recent_activity', 'recap of what they have been doing'],
    ['action_help_current_page', 'help with the page they are on'],
    ['action_ask_llm', undefined],
  ])('%s answers {events: [], responses: [{text}]} grounded in that user\'s activity only', async (action, task) => {
    const res = await request(t.server)
      .post('/rasa/webhook')
      .send(actionCall(action, { metadata: { customData: { userId: 'u_alice' } } }))
      .expect(200);
    expect(res.body).toEqual({ events: [], responses: [{ text: 'fake reply #1' }] });
    const prompt = lastUserPrompt(fake);
    expect(prompt).toContain("Clicked 'Upgrade plan'");
    expect(prompt).not.toContain('Bob private report');
    expect(userMessageOf(prompt)).toBe('what did I just do');
    if (task) expect(prompt).toContain(task);
    else expect(prompt).not.toContain('Task:');
  });

  it('resolves the user from metadata.customData.userId, then metadata.userId; a bare sender_id names nobody', async () => {
    await request(t.server)
      .post('/rasa/webhook')
      .send(actionCall('action_recent_activity', { sender: 'conv-sender-only', metadata: { customData: { userId: 'u_alice' }, userId: 'u_bob' } }))
      .expect(200);
    expect(lastUserPrompt(fake)).toContain('Upgrade plan');

    // socket.io with `metadata_key: customData` delivers the widget's customData as the metadata itself.
    await request(t.server)
      .post('/rasa/webhook')
      .send(actionCall('action_recent_activity', { sender: 'conv-sender-only', metadata: { userId: 'u_bob' } }))
      .expect(200);
    expect(lastUserPrompt(fake)).toContain('Bob private report');
    expect(lastUserPrompt(fake)).not.toContain('Upgrade plan');

    // Anyone can choose a sender_id: without RASA_SENDER_IS_USER_ID it is not a user id, so nobody's activity is used.
    const bare = await request(t.server)
      .post('/rasa/webhook')
      .send(actionCall('action_recent_activity', { sender: 'conv-sender-only', metadata: { customData: { userId: '  ' }, userId: null } }))
      .expect(200);
    expect(bare.body.responses).toEqual([{ text: text('action_recent_activity').nothingToGoOnText }]);
    expect(fake.chatRequests()).toHaveLength(2);
  });

  it('accepts the metadata a Rasa REST channel call carries (shared fixture)', async () => {
    const res = await request(t.server)
      .post('/rasa/webhook')
      .send(actionCall('action_ask_llm', { sender: 'rest-conv', text: restFixture.message, metadata: restFixture.metadata }))
      .expect(200);
    expect(res.body.responses).toEqual([{ text: 'fake reply #1' }]);
    expect(lastUserPrompt(fake)).toContain('Fixture user button');
    expect(userMessageOf(lastUserPrompt(fake))).toBe('what did i just do');
  });

  // Raw bytes over fetch: supertest would re-serialise a Buffer sent as JSON.
  const postDeflated = (body: unknown) =>
    fetch(`${t.url}/rasa/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'deflate' },
      body: deflateSync(Buffer.from(JSON.stringify(body))),
    });

  it('accepts a zlib-deflated body (Content-Encoding: deflate), as Rasa sends with COMPRESS_ACTION_SERVER_REQUEST', async () => {
    const res = await postDeflated(actionCall('action_recent_activity', { metadata: { customData: { userId: 'u_alice' } } }));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ events: [], responses: [{ text: 'fake reply #1' }] });
    expect(lastUserPrompt(fake)).toContain('Upgrade plan');

    // The rasa-sdk test body (fixture action_server_request.deflate_sdk_test.py): a minimal tracker, an action we do not serve.
    const unknown = await postDeflated({ next_action: 'custom_action', tracker: { sender_id: '1', conversation_id: 'default' }, domain: { intents: ['greet', 'goodbye'] } });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ error: expect.stringContaining('custom_action'), action_name: 'custom_action' });
  });

  it('runs a minimal action call with only tracker.sender_id (rasa-sdk minimal fixture shape)', async () => {
    const res = await request(t.server).post('/rasa/webhook').send({ next_action: 'action_ask_llm', tracker: { sender_id: 'conv-sender-only', latest_message: { text: 'hello' } } }).expect(200);
    expect(res.body).toEqual({ events: [], responses: [{ text: 'fake reply #1' }] });
    expect(lastUserPrompt(fake)).not.toContain('Sender session button');
  });

  it('a Rasa sender id can never address a bridge conversation (bridge history has its own channel)', async () => {
    await request(t.server).get('/reply/u_bob').query({ query: 'bob bridge secret question' }).expect(200);
    await request(t.server)
      .post('/rasa/webhook')
      .send(actionCall('action_ask_llm', { sender: 'bridge:u_bob', text: 'what did I ask before?', metadata: { customData: { userId: 'u_bob' } } }))
      .expect(200);
    const body = fake.chatRequests().at(-1)!.body as { messages: { role: string; content: string }[] };
    expect(JSON.stringify(body.messages)).not.toContain('bob bridge secret question');
  });

  it('answers an unknown action with 404 {error, action_name}', async () => {
    const res = await request(t.server).post('/rasa/webhook').send(actionCall('action_does_not_exist')).expect(404);
    expect(res.body).toEqual({ error: expect.any(String), action_name: 'action_does_not_exist' });
    expect(fake.chatRequests()).toHaveLength(0);
  });

  it.each([
    ['no next_action', { tracker: { sender_id: 'x' } }, /next_action is required/, undefined],
    ['next_action not a string', { next_action: 7, tracker: { sender_id: 'x' } }, /next_action must be a string/, undefined],
    ['no tracker', { next_action: 'action_ask_llm', sender_id: 'x' }, /tracker is required/, 'action_ask_llm'],
    ['tracker not an object', { next_action: 'action_ask_llm', sender_id: 'x', tracker: 'nope' }, /tracker must be an object/, 'action_ask_llm'],
    ['no sender id anywhere', { next_action: 'action_ask_llm', tracker: {} }, /sender_id is required/, 'action_ask_llm'],
    ['text not a string', { next_action: 'action_ask_llm', sender_id: 'x', tracker: { latest_message: { text: 5 } } }, /tracker\.latest_message\.text must be a string/, 'action_ask_llm'],
    ['a JSON array', [1, 2], /expected a JSON object/, undefined],
  ])('answers a body that is not an action call (%s) with 400 {error} (and action_name when the call named one, as Rasa reads it)', async (_name, body, message, actionName) => {
    const res = await request(t.server).post('/rasa/webhook').send(body as object).expect(400);
    expect(Object.keys(res.body)).toEqual(actionName ? ['error', 'action_name'] : ['error']);
    expect(res.body.error).toMatch(message);
    if (actionName) expect(res.body.action_name).toBe(actionName);
    expect(fake.chatRequests()).toHaveLength(0);
  });

  it('answers a body that is not JSON at all with 400 carrying an error', async () => {
    const res = await request(t.server).post('/rasa/webhook').set('content-type', 'application/json').send('{"next_action": ').expect(400);
    expect(res.body.error).toEqual(expect.any(String));
    const garbage = await fetch(`${t.url}/rasa/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'deflate' },
      body: Buffer.from('{"not": "deflated"}'),
    });
    expect(garbage.status).toBe(400);
    expect(((await garbage.json()) as { error: unknown }).error).toEqual(expect.any(String));
  });

  it('answers recap and page help without calling the model when no activity is known', async () => {
    for (const action of ['action_recent_activity', 'action_help_current_page']) {
      const res = await request(t.server)
        .post('/rasa/webhook')
        .send(actionCall(action, { sender: 'stranger', metadata: { customData: { userId: 'u_nobody' } } }))
        .expect(200);
      expect(res.body).toEqual({ events: [], responses: [{ text: text(action).nothingToGoOnText }] });
    }
    expect(fake.chatRequests()).toHaveLength(0);
  });

  it('still answers a free-form question for a user with no activity, and asks for words when there are none', async () => {
    const res = await request(t.server)
      .post('/rasa/webhook')
      .send(actionCall('action_ask_llm', { sender: 'stranger', text: 'How do I export a report?', metadata: { customData: { userId: 'u_nobody' } } }))
      .expect(200);
    expect(res.body.responses).toEqual([{ text: 'fake reply #1' }]);

    const empty = await request(t.server).post('/rasa/webhook').send(actionCall('action_ask_llm', { text: null })).expect(200);
    expect(empty.body.responses).toEqual([{ text: text('action_ask_llm').nothingToGoOnText }]);
    expect(fake.chatRequests()).toHaveLength(1);
  });

  it('answers 200 with the action\'s fallback text when the LLM fails', async () => {
    fake.respondWith(() => ({ status: 500, body: { error: { message: 'boom', type: 'server_error' } } }));
    for (const action of ['action_ask_llm', 'action_recent_activity', 'action_help_current_page']) {
      const res = await request(t.server)
        .post('/rasa/webhook')
        .send(actionCall(action, { metadata: { customData: { userId: 'u_alice' } } }))
        .expect(200);
      expect(res.body).toEqual({ events: [], responses: [{ text: text(action).failureText }] });
      expect(res.body.responses[0].text).not.toMatch(/boom|500|error/i);
    }
  });

  it('keeps the recipe\'s bridge GET /reply/:userId working with only the rasa channel enabled', async () => {
    const res = await request(t.server).get('/reply/u_alice').query({ query: 'what did i just do' }).expect(200);
    expect(res.body).toEqual({ reply: 'fake reply #1', name: null, has_activity: true, sources: [] });
    expect(lastUserPrompt(fake)).toContain('Upgrade plan');
  });

  it('has no /v1/chat when only rasa is enabled', async () => {
    await request(t.server).post('/v1/chat').send({ userId: 'u_alice', message: 'hi' }).expect(404);
  });
});

describe('Rasa action server under a slow LLM', () => {
  const fake = new FakeOpenAiServer();
  let t: TestApp;
  beforeAll(async () => {
    await fake.start();
    t = await bootTestApp({
      env: { CHANNELS: 'rasa', LLM_PROVIDER: 'openai', OPENAI_BASE_URL: fake.url, OPENAI_API_KEY: 'test', LLM_MAX_RETRIES: '0', LLM_TIMEOUT_MS: '300' },
    });
    await push(t, 'u_slow', 's_slow', ["Clicked 'Save changes'"]);
  });
  afterAll(async () => {
    await t.close();
    await fake.stop();
  });

  it('answers 200 with the fallback text when the model never answers', async () => {
    fake.respondWith(() => ({ hang: true }));
    const res = await request(t.server)
      .post('/rasa/webhook')
      .send(actionCall('action_recent_activity', { metadata: { customData: { userId: 'u_slow' } } }))
      .expect(200);
    expect(res.body).toEqual({ events: [], responses: [{ text: text('action_recent_activity').failureText }] });
    expect(fake.chatRequests()).toHaveLength(1);
  });
});

/** A conversation store whose reads never come back, like a Redis that stopped answering. */
class StalledConversationStore extends MemoryConversationStore {
  override getTurns(): Promise<ConversationTurn[]> {
    return new Promise(() => undefined);
  }
}

describe('Rasa action server when the copilot stalls outside the LLM call', () => {
  const fake = new FakeOpenAiServer();
  let t: TestApp;
  beforeAll(async () => {
    await fake.start();
    t = await bootTestApp({
      env: { CHANNELS: 'rasa', LLM_PROVIDER: 'openai', OPENAI_BASE_URL: fake.url, OPENAI_API_KEY: 'test', LLM_MAX_RETRIES: '0', LLM_TIMEOUT_MS: '200' },
      override: (b) => b.overrideProvider(CONVERSATION_STORE).useValue(new StalledConversationStore({ maxConversations: 10 })),
    });
    await push(t, 'u_stall', 's_stall', ["Clicked 'Save changes'"]);
  });
  afterAll(async () => {
    await t.close();
    await fake.stop();
  });

  it('still answers 200 with the fallback text once LLM_TIMEOUT_MS (plus a margin) has passed', async () => {
    const res = await request(t.server)
      .post('/rasa/webhook')
      .send(actionCall('action_help_current_page', { metadata: { customData: { userId: 'u_stall' } } }))
      .expect(200);
    expect(res.body).toEqual({ events: [], responses: [{ text: text('action_help_current_page').failureText }] });
    expect(fake.chatRequests()).toHaveLength(0);
    const metrics = await request(t.server).get('/metrics').expect(200);
    expect(metrics.text).toMatch(/rasa_actions_total\{action="action_help_current_page",outcome="timeout"\} 1/);
  });
});

describe('Rasa action token (RASA_ACTION_TOKEN)', () => {
  const TOKEN = 'rasa-secret-1';
  let t: TestApp;
  beforeAll(async () => {
    t = await bootTestApp({ env: { CHANNELS: 'rasa', RASA_ACTION_TOKEN: TOKEN } });
  });
  afterAll(() => t.close());

  const call = () => actionCall('action_ask_llm', { text: null });

  it('refuses action calls without the token or with a wrong one, saying nothing about why', async () => {
    const none = await request(t.server).post('/rasa/webhook').send(call()).expect(401);
    expect(none.body).toEqual({ statusCode: 401, error: 'Unauthorized', message: 'Missing or invalid Rasa action token' });
    await request(t.server).post('/rasa/webhook').set('authorization', 'Bearer wrong').send(call()).expect(401);
    await request(t.server).post('/rasa/webhook').query({ token: 'wrong' }).send(call()).expect(401);
    await request(t.server).post('/rasa/webhook').query({ token: `${TOKEN}x` }).send(call()).expect(401);
    await request(t.server).get('/rasa/actions').expect(401);
  });

  it('accepts the token as a Bearer header or as ?token=', async () => {
    const viaHeader = await request(t.server).post('/rasa/webhook').set('authorization', `Bearer ${TOKEN}`).send(call()).expect(200);
    expect(viaHeader.body.responses).toHaveLength(1);
    await request(t.server).post('/rasa/webhook').query({ token: TOKEN }).send(call()).expect(200);
    await request(t.server).get('/rasa/actions').set('authorization', `Bearer ${TOKEN}`).expect(200);
  });

  it('leaves /rasa/health open for probes', async () => {
    await request(t.server).get('/rasa/health').expect(200, { status: 'ok' });
  });
});

describe('Rasa channel disabled', () => {
  it('has no /rasa routes when CHANNELS does not contain rasa', async () => {
    const t = await bootTestApp({ env: { CHANNELS: 'rest' } });
    try {
      await request(t.server).post('/rasa/webhook').send(actionCall('action_ask_llm')).expect(404);
      await request(t.server).get('/rasa/health').expect(404);
    } finally {
      await t.close();
    }
  });
});

describe('Rasa: identity', () => {
  const fake = new FakeOpenAiServer();
  const SECRET = 'user-token-secret';
  const token = (userId: string) => createHmac('sha256', SECRET).update(userId).digest('hex');
  let t: TestApp;
  beforeAll(async () => {
    await fake.start();
    t = await bootTestApp({
      env: { CHANNELS: 'rasa', LLM_PROVIDER: 'openai', OPENAI_BASE_URL: fake.url, OPENAI_API_KEY: 'test', LLM_MAX_RETRIES: '0', USER_TOKEN_SECRET: SECRET, IDENTITY_VERIFICATION: 'required' },
    });
    await push(t, 'u_alice', 's_alice', ["Clicked 'Alice secret'"]);
    await push(t, 'u_mallory', 's_mallory', ["Clicked 'Mallory own'"]);
  });
  afterAll(async () => {
    await t.close();
    await fake.stop();
  });
  beforeEach(() => {
    fake.requests.length = 0;
    fake.respondWith((_r, i) => ({ text: `fake reply #${i + 1}` }));
  });
  const ask = (metadata: Record<string, unknown>) => request(t.server).post('/rasa/webhook').send(actionCall('action_ask_llm', { sender: 'widget-1', metadata })).expect(200);

  it('grounds the reply in the claimed user only with a valid user token (customData.userToken)', async () => {
    await ask({ customData: { userId: 'u_alice', userToken: token('u_alice') } });
    expect(lastUserPrompt(fake)).toContain('Alice secret');
  });

  it.each([
    ['no token', { customData: { userId: 'u_alice' } }],
    ['a wrong token', { customData: { userId: 'u_alice', userToken: 'ab'.repeat(32) } }],
    ["another user's valid token", { customData: { userId: 'u_alice', userToken: token('u_mallory') } }],
    ['a token in the wrong place', { userId: 'u_alice', customData: { userToken: token('u_alice') } }],
  ])('a claim with %s gets an answer without anyone\'s activity', async (_name, metadata) => {
    const res = await ask(metadata);
    expect(res.body.responses).toEqual([{ text: 'fake reply #1' }]);
    expect(lastUserPrompt(fake)).not.toContain('Alice secret');
    expect(lastUserPrompt(fake)).not.toContain('Mallory own');
  });

  it('counts the claims it refused', async () => {
    const m = await request(t.server).get('/metrics').expect(200);
    expect(m.text).toMatch(/identity_claims_total\{channel="rasa",outcome="rejected"\} [4-9]/);
    expect(m.text).toMatch(/identity_claims_total\{channel="rasa",outcome="verified"\} [1-9]/);
  });
});

describe('Rasa: RASA_SENDER_IS_USER_ID=true', () => {
  const fake = new FakeOpenAiServer();
  let t: TestApp;
  beforeAll(async () => {
    await fake.start();
    t = await bootTestApp({ env: { CHANNELS: 'rasa', LLM_PROVIDER: 'openai', OPENAI_BASE_URL: fake.url, OPENAI_API_KEY: 'test', LLM_MAX_RETRIES: '0', RASA_SENDER_IS_USER_ID: 'true' } });
    await push(t, 'conv-sender-only', 's_sender', ["Clicked 'Sender session button'"]);
  });
  afterAll(async () => {
    await t.close();
    await fake.stop();
  });

  it('takes sender_id for the user id when no metadata names one', async () => {
    const res = await request(t.server).post('/rasa/webhook').send({ next_action: 'action_help_current_page', tracker: { sender_id: 'conv-sender-only' } }).expect(200);
    // No text: the action asks its default question about the sender's activity.
    expect(res.body.responses).toEqual([{ text: 'fake reply #1' }]);
    expect(lastUserPrompt(fake)).toContain('Sender session button');
  });
});

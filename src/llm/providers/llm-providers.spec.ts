import { FakeAnthropicServer } from '../../../test/support/fake-anthropic.server';
import { FakeOpenAiServer } from '../../../test/support/fake-openai.server';
import { LlmProviderError } from '../llm-errors';
import { AnthropicProvider } from './anthropic.provider';
import { OpenAiProvider } from './openai.provider';

const request = {
  system: 'You are a test assistant.',
  messages: [
    { role: 'user' as const, content: 'first question' },
    { role: 'assistant' as const, content: 'first answer' },
    { role: 'user' as const, content: 'second question' },
  ],
};

describe('OpenAiProvider (real openai client against a local OpenAI-compatible server)', () => {
  const fake = new FakeOpenAiServer();
  let provider: OpenAiProvider;
  beforeAll(async () => {
    await fake.start();
    provider = new OpenAiProvider({ apiKey: 'sk-test', baseUrl: fake.url, model: 'gpt-test', temperature: 0.3, maxTokens: 512 });
  });
  afterAll(() => fake.stop());
  beforeEach(() => {
    fake.requests.length = 0;
    fake.respondWith((_r, i) => ({ text: `  fake reply #${i + 1}\n` }));
  });

  it('sends model, temperature, max tokens, the system message first and the turns in order', async () => {
    const res = await provider.complete(request);
    expect(res).toEqual({ text: 'fake reply #1', model: 'gpt-test', usage: { inputTokens: 11, outputTokens: 7 } });
    const [req] = fake.chatRequests();
    expect(req.headers.authorization).toBe('Bearer sk-test');
    expect(req.body).toMatchObject({ model: 'gpt-test', temperature: 0.3, max_tokens: 512 });
    expect(req.body.messages).toEqual([
      { role: 'system', content: 'You are a test assistant.' },
      { role: 'user', content: 'first question' },
      { role: 'assistant', content: 'first answer' },
      { role: 'user', content: 'second question' },
    ]);
  });

  it('lets a request override temperature and max tokens', async () => {
    await provider.complete({ ...request, temperature: 0, maxTokens: 64 });
    expect(fake.chatRequests()[0].body).toMatchObject({ temperature: 0, max_tokens: 64 });
  });

  it('maps a 429 to rate_limited with the Retry-After hint, makes no retry of its own', async () => {
    fake.respondInOrder({ status: 429, headers: { 'retry-after': '2' } }, { text: 'late' });
    const err = await provider.complete(request).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LlmProviderError);
    expect(err).toMatchObject({ reason: 'rate_limited', retryAfterMs: 2_000, status: 429 });
    expect(fake.chatRequests()).toHaveLength(1);
  });

  it('maps 5xx to server_error, 400 to bad_request and 401 to auth', async () => {
    for (const [status, reason] of [[503, 'server_error'], [400, 'bad_request'], [401, 'auth']] as const) {
      fake.respondInOrder({ status });
      await expect(provider.complete(request)).rejects.toMatchObject({ reason, status });
    }
  });

  it('maps a refused connection to network', async () => {
    const dead = new OpenAiProvider({ apiKey: 'k', baseUrl: 'http://127.0.0.1:1/v1', model: 'm', temperature: 0, maxTokens: 8 });
    await expect(dead.complete(request)).rejects.toMatchObject({ reason: 'network' });
  });

  it('reports a hung server cut off by a timeout signal as a timeout (the deadline itself is ResilientLlm\'s)', async () => {
    fake.respondInOrder({ hang: true });
    await expect(provider.complete({ ...request, signal: AbortSignal.timeout(150) })).rejects.toMatchObject({ reason: 'timeout' });
  });

  it('reports a caller abort as such, not as a timeout', async () => {
    fake.respondInOrder({ hang: true });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    await expect(provider.complete({ ...request, signal: controller.signal })).rejects.toMatchObject({ reason: 'unknown' });
  });
});

describe('AnthropicProvider (real @anthropic-ai/sdk client against a local Messages server)', () => {
  const fake = new FakeAnthropicServer();
  let provider: AnthropicProvider;
  beforeAll(async () => {
    await fake.start();
    provider = new AnthropicProvider({ apiKey: 'sk-ant-test', baseUrl: fake.url, model: 'claude-test', maxTokens: 256 });
  });
  afterAll(() => fake.stop());
  beforeEach(() => {
    fake.requests.length = 0;
    fake.respondWith((_r, i) => ({ text: `fake anthropic reply #${i + 1}` }));
  });

  it('passes the system prompt as `system`, not as a message, with model and max tokens', async () => {
    const res = await provider.complete(request);
    expect(res).toEqual({ text: 'fake anthropic reply #1', model: 'claude-test', usage: { inputTokens: 13, outputTokens: 5 } });
    const [req] = fake.messageRequests();
    expect(req.path).toBe('/v1/messages');
    // This SDK major sends the key as a bearer token; older ones used x-api-key.
    expect([req.headers['x-api-key'], req.headers.authorization]).toContainEqual(expect.stringContaining('sk-ant-test'));
    expect(req.headers['anthropic-version']).toBeDefined();
    expect(req.body).toMatchObject({ model: 'claude-test', max_tokens: 256, system: 'You are a test assistant.' });
    expect(req.body.messages).toEqual(request.messages);
    expect(req.body.messages.some((m: { role: string }) => m.role === 'system')).toBe(false);
  });

  it('maps a 529 overload with retry-after-ms to server_error with the hint', async () => {
    fake.respondInOrder({ status: 529, headers: { 'retry-after-ms': '250' } });
    await expect(provider.complete(request)).rejects.toMatchObject({ reason: 'server_error', retryAfterMs: 250 });
    expect(fake.messageRequests()).toHaveLength(1);
  });

  it('reports a hung server cut off by a timeout signal as a timeout', async () => {
    fake.respondInOrder({ hang: true });
    await expect(provider.complete({ ...request, signal: AbortSignal.timeout(150) })).rejects.toMatchObject({ reason: 'timeout' });
  });
});

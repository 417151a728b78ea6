import { FakeOpenAiServer } from '../../test/support/fake-openai.server';
import { MetricsService } from '../observability/metrics.service';
import { LlmUnavailableError } from './llm.port';
import { OpenAiProvider } from './providers/openai.provider';
import { ResilientLlm, type ResilienceOptions } from './resilient-llm';

const request = { system: 'sys', messages: [{ role: 'user' as const, content: 'hello' }], purpose: 'test' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('ResilientLlm over the real openai client and a local server', () => {
  const fake = new FakeOpenAiServer();
  let metrics: MetricsService;
  beforeAll(() => fake.start());
  afterAll(() => fake.stop());
  beforeEach(() => {
    fake.requests.length = 0;
    fake.respondWith((_r, i) => ({ text: `ok #${i + 1}` }));
    metrics = new MetricsService();
  });

  function build(opts: Partial<ResilienceOptions> = {}): ResilientLlm {
    const provider = new OpenAiProvider({ apiKey: 'k', baseUrl: fake.url, model: 'm', temperature: 0.3, maxTokens: 64 });
    // Long default backoff: a retry that succeeds quickly can only have used the server's hint.
    return new ResilientLlm(provider, { timeoutMs: 3_000, maxRetries: 2, breakerThreshold: 5, breakerHalfOpenMs: 30_000, retryBaseMs: 10_000, ...opts }, metrics);
  }

  async function failure(p: Promise<unknown>): Promise<LlmUnavailableError> {
    const err = await p.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(LlmUnavailableError);
    return err as LlmUnavailableError;
  }

  it('retries a 429 after the retry-after-ms the server asked for, then succeeds', async () => {
    fake.respondInOrder({ status: 429, headers: { 'retry-after-ms': '30' } }, { text: 'second time lucky' });
    const res = await build().complete(request);
    expect(res.text).toBe('second time lucky');
    expect(fake.chatRequests()).toHaveLength(2);
    const text = await metrics.render();
    expect(text).toMatch(/llm_retries_total\{provider="openai",reason="rate_limited"\} 1/);
    expect(text).toMatch(/llm_request_duration_seconds_count\{provider="openai",purpose="test",outcome="success"\} 1/);
    expect(text).toMatch(/llm_tokens_total\{provider="openai",kind="input"\} 11/);
    expect(text).toMatch(/llm_tokens_total\{provider="openai",kind="output"\} 7/);
  });

  it('honours Retry-After in seconds', async () => {
    fake.respondInOrder({ status: 503, headers: { 'retry-after': '0' } }, { text: 'back' });
    await expect(build().complete(request)).resolves.toMatchObject({ text: 'back' });
    expect(fake.chatRequests()).toHaveLength(2);
  });

  it('gives up after maxRetries on 5xx with a typed error', async () => {
    fake.respondInOrder({ status: 500, headers: { 'retry-after-ms': '1' } });
    const err = await failure(build({ maxRetries: 2 }).complete(request));
    expect(err.reason).toBe('server_error');
    expect(fake.chatRequests()).toHaveLength(3);
    expect(await metrics.render()).toMatch(/llm_failures_total\{provider="openai",reason="server_error"\} 1/);
  });

  it('does not retry a bad request', async () => {
    fake.respondInOrder({ status: 400 });
    expect((await failure(build().complete(request))).reason).toBe('bad_request');
    expect(fake.chatRequests()).toHaveLength(1);
  });

  it('does not start a retry whose Retry-After would overrun the call budget', async () => {
    fake.respondInOrder({ status: 429, headers: { 'retry-after': '30' } }, { text: 'too late' });
    expect((await failure(build({ timeoutMs: 1_000 }).complete(request))).reason).toBe('rate_limited');
    expect(fake.chatRequests()).toHaveLength(1);
  });

  it('times out a hung server within the per-call budget (request timeoutMs wins over the default)', async () => {
    fake.respondInOrder({ hang: true });
    const err = await failure(build({ maxRetries: 0, timeoutMs: 10_000 }).complete({ ...request, timeoutMs: 100 }));
    expect(err.reason).toBe('timeout');
  });

  it('opens the breaker after N consecutive failures, fails fast while open, half-opens and closes on success', async () => {
    const llm = build({ maxRetries: 0, breakerThreshold: 3, breakerHalfOpenMs: 150 });
    fake.respondInOrder({ status: 503 });
    for (let i = 0; i < 3; i++) expect((await failure(llm.complete(request))).reason).toBe('server_error');
    expect(llm.state()).toBe('open');
    expect(await metrics.render()).toMatch(/llm_circuit_state\{provider="openai",breaker="chat"\} 2/);

    expect((await failure(llm.complete(request))).reason).toBe('circuit_open');
    expect(fake.chatRequests()).toHaveLength(3); // the open breaker did not call the server

    await sleep(200);
    fake.respondInOrder({ text: 'recovered' });
    await expect(llm.complete(request)).resolves.toMatchObject({ text: 'recovered' });
    expect(llm.state()).toBe('closed');
    expect(await metrics.render()).toMatch(/llm_circuit_state\{provider="openai",breaker="chat"\} 0/);
  });

  it('re-opens when the half-open trial call fails', async () => {
    const llm = build({ maxRetries: 0, breakerThreshold: 2, breakerHalfOpenMs: 100 });
    fake.respondInOrder({ status: 502 });
    await failure(llm.complete(request));
    await failure(llm.complete(request));
    await sleep(150);
    expect((await failure(llm.complete(request))).reason).toBe('server_error');
    expect(llm.state()).toBe('open');
    expect((await failure(llm.complete(request))).reason).toBe('circuit_open');
    expect(fake.chatRequests()).toHaveLength(3);
  });

  it('a bad request does not count towards opening the breaker', async () => {
    const llm = build({ maxRetries: 0, breakerThreshold: 2 });
    fake.respondInOrder({ status: 400 });
    for (let i = 0; i < 4; i++) await failure(llm.complete(request));
    expect(llm.state()).toBe('closed');
  });

  it('stops when the caller aborts', async () => {
    fake.respondInOrder({ hang: true });
    const controller = new AbortController();
    const pending = build({ maxRetries: 0 }).complete({ ...request, signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    const err = await failure(pending);
    expect(err.reason).toBe('unknown');
  });
});

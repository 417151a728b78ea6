import type { EventSourceMessage } from 'eventsource-parser';
import { FakeSseServer } from '../../../../test/support/fake-sse.server';
import { ConnectorSseClient, backoffDelayMs, DEFAULT_SSE_TIMINGS, type DisconnectInfo, type SseClientTimings, type StreamState } from './connector-sse.client';

const until = async (cond: () => boolean, timeoutMs = 5_000, what = 'condition') => {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const FAST: Partial<SseClientTimings> = {
  initialBackoffMs: 20,
  maxBackoffMs: 160,
  idleTimeoutMs: 2_000,
  connectTimeoutMs: 2_000,
  permanentFailureRetryMs: 60_000,
};

describe('ConnectorSseClient (against a local SSE server)', () => {
  let server: FakeSseServer;
  let client: ConnectorSseClient | undefined;
  let frames: EventSourceMessage[];
  let disconnects: DisconnectInfo[];
  let states: StreamState[];

  const startClient = (timings: Partial<SseClientTimings> = {}, random = () => 0) => {
    client = new ConnectorSseClient(
      { url: server.url, token: 'uk_test_123', timings: { ...FAST, ...timings }, random },
      {
        onFrame: (m) => frames.push(m),
        onDisconnected: (d) => disconnects.push(d),
        onStateChange: (s) => states.push(s),
      },
    );
    client.start();
    return client;
  };

  beforeEach(async () => {
    server = await new FakeSseServer().start();
    frames = [];
    disconnects = [];
    states = [];
  });
  afterEach(async () => {
    await client?.stop();
    client = undefined;
    await server.stop();
  });

  it('connects with the bearer token and SSE accept header, and delivers frames split across writes', async () => {
    startClient();
    const conn = await server.connection(1);
    expect(server.attempts[0].headers.authorization).toBe('Bearer uk_test_123');
    expect(server.attempts[0].headers.accept).toBe('text/event-stream');
    await until(() => client!.state === 'connected', 5_000, 'connected');
    conn.send({ type: 'actions', n: 1 });
    conn.raw('data: {"type":"sum');
    conn.raw('mary","n":2}\n');
    conn.raw('\n');
    conn.heartbeat();
    conn.raw(': a comment line\n\n');
    await until(() => frames.length >= 3, 5_000, 'frames');
    expect(frames.map((f) => [f.event, f.data])).toEqual([
      [undefined, '{"type":"actions","n":1}'],
      [undefined, '{"type":"summary","n":2}'],
      ['heartbeat', ''],
    ]);
  });

  it('heartbeats keep the connection open past the idle timeout; silence makes it reconnect', async () => {
    startClient({ idleTimeoutMs: 150 });
    const conn = await server.connection(1);
    conn.startHeartbeats(40);
    await sleep(500);
    expect(server.attempts).toHaveLength(1);
    expect(disconnects).toHaveLength(0);
    conn.stopHeartbeats();
    await server.waitForAttempts(2);
    expect(disconnects[0]).toMatchObject({ reason: 'idle_timeout', permanent: false });
    await conn.closed; // the silent connection was actually closed by the client
  });

  it('backs off 1x, 2x, 4x … up to the cap while failing, and resets after a successful connect', async () => {
    server.respondInOrder({ status: 503 }, { status: 503 }, { status: 502 }, { status: 500 }, { status: 503 }, { stream: true });
    startClient();
    const conn = await server.connection(1, 10_000);
    expect(server.attempts).toHaveLength(6);
    expect(disconnects.map((d) => d.retryInMs)).toEqual([20, 40, 80, 160, 160]);
    expect(disconnects.map((d) => d.status)).toEqual([503, 503, 502, 500, 503]);
    // Each retry waited at least its backoff.
    for (let i = 1; i < 6; i++) {
      expect(server.attempts[i].at - server.attempts[i - 1].at).toBeGreaterThanOrEqual(disconnects[i - 1].retryInMs - 2);
    }
    await until(() => client!.state === 'connected', 5_000, 'connected');
    // Data proves the connection; only then does the backoff start over.
    conn.heartbeat();
    await until(() => frames.length > 0, 5_000, 'heartbeat read');
    conn.destroy();
    await server.connection(2);
    expect(disconnects[5]).toMatchObject({ retryInMs: 20, attempt: 0 });
    expect(client!.reconnects).toBe(6);
  });

  it('a connector that answers 200 and hangs up at once is not redialled at the first delay forever: the backoff keeps growing and it reports flapping', async () => {
    server.respondInOrder({ stream: true, endAfterMs: 0 }, { stream: true, endAfterMs: 0 }, { stream: true, endAfterMs: 0 }, { stream: true, endAfterMs: 0 }, { status: 503 });
    startClient();
    await server.waitForAttempts(5, 10_000);
    await until(() => disconnects.length >= 4, 5_000, 'four disconnects');
    expect(disconnects.slice(0, 4).map((d) => d.retryInMs)).toEqual([20, 40, 80, 160]);
    expect(client!.flaps).toBeGreaterThanOrEqual(4);
  });

  it('adds 0–10 % jitter on top of the backoff', async () => {
    server.respondInOrder({ status: 503 }, { stream: true });
    startClient({}, () => 1);
    await server.connection(1);
    expect(disconnects[0].retryInMs).toBe(22);
  });

  it('a dropped connection reconnects and keeps delivering', async () => {
    startClient();
    const first = await server.connection(1);
    first.send({ n: 'before' });
    await until(() => frames.length === 1);
    first.destroy();
    const second = await server.connection(2);
    second.send({ n: 'after' });
    await until(() => frames.length === 2);
    expect(frames.map((f) => JSON.parse(f.data).n)).toEqual(['before', 'after']);
    expect(['ended', 'network_error']).toContain(disconnects[0].reason);
  });

  it.each([401, 403, 404, 400])('HTTP %i before the stream is not retried in a loop, and recovers once fixed', async (status) => {
    server.respondInOrder({ status }, { status }, { stream: true });
    startClient({ permanentFailureRetryMs: 400 });
    await server.waitForAttempts(1);
    await sleep(250); // more than ten backoff periods
    expect(server.attempts).toHaveLength(1);
    expect(client!.state).toBe('failed');
    expect(disconnects).toEqual([expect.objectContaining({ reason: 'http_status', status, permanent: true, retryInMs: 400 })]);
    await server.waitForAttempts(2);
    expect(client!.state).toBe('failed');
    await server.connection(1, 5_000);
    await until(() => client!.state === 'connected', 5_000, 'connected');
    expect(server.attempts[1].at - server.attempts[0].at).toBeGreaterThanOrEqual(398);
    expect(server.attempts[2].at - server.attempts[1].at).toBeGreaterThanOrEqual(398);
  });

  it('a 200 that is not an event stream is retried with backoff', async () => {
    server.respondInOrder({ status: 200, body: '<html></html>', contentType: 'text/html' }, { stream: true });
    startClient();
    await server.connection(1);
    expect(disconnects[0]).toMatchObject({ reason: 'not_event_stream', permanent: false, retryInMs: 20 });
  });

  it('a connection refused is retried with backoff', async () => {
    const url = server.url;
    await server.stop();
    client = new ConnectorSseClient({ url, timings: FAST, random: () => 0 }, { onFrame: () => undefined, onDisconnected: (d) => disconnects.push(d) });
    client.start();
    await until(() => disconnects.length >= 2, 5_000, 'two failures');
    expect(disconnects[0]).toMatchObject({ reason: 'network_error', detail: 'ECONNREFUSED', retryInMs: 20 });
    expect(disconnects[1].retryInMs).toBe(40);
  });

  it('a frame that never ends is dropped at the size cap instead of growing memory', async () => {
    startClient({ maxFrameChars: 1_000 });
    const conn = await server.connection(1);
    conn.raw(`data: ${'x'.repeat(2_000)}`);
    await server.waitForAttempts(2);
    expect(disconnects[0].reason).toBe('frame_too_large');
  });

  it('stop() closes the stream, cancels retries and reports stopped', async () => {
    startClient();
    const conn = await server.connection(1);
    await until(() => client!.state === 'connected');
    await client!.stop();
    await conn.closed;
    expect(client!.state).toBe('stopped');
    await sleep(100);
    expect(server.attempts).toHaveLength(1);
    expect(states).toEqual(['connecting', 'connected', 'stopped']);
  });

  it('stop() during a backoff wait returns promptly without another attempt', async () => {
    server.respondInOrder({ status: 401 });
    startClient({ permanentFailureRetryMs: 60_000 });
    await server.waitForAttempts(1);
    await until(() => client!.state === 'failed');
    await client!.stop();
    expect(server.attempts).toHaveLength(1);
  });
});

describe('backoffDelayMs', () => {
  it('follows 1, 2, 4, 8, 16, 30, 30 s with the default timings and no jitter', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 50].map((n) => backoffDelayMs(n, DEFAULT_SSE_TIMINGS, () => 0))).toEqual([
      1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000,
    ]);
  });

  it('adds at most 10 % jitter', () => {
    expect(backoffDelayMs(1, DEFAULT_SSE_TIMINGS, () => 0.5)).toBe(1_050);
    expect(backoffDelayMs(6, DEFAULT_SSE_TIMINGS, () => 0.999999)).toBe(33_000);
  });

  it('defaults match the issue: 90 s idle timeout, 5 min retry after a 4xx', () => {
    expect(DEFAULT_SSE_TIMINGS).toMatchObject({ idleTimeoutMs: 90_000, permanentFailureRetryMs: 300_000, jitterRatio: 0.1 });
  });
});

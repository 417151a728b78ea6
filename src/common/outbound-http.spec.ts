import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { appConfig, ConfigOf } from '../config/config.namespaces';
import { MAX_RESPONSE_BYTES, OutboundHttp, OutboundNetworkError } from './outbound-http';

describe('OutboundHttp (undici keep-alive pool)', () => {
  let server: Server;
  let url: string;
  let sockets = 0;
  let open = 0;
  let peakOpen = 0;
  let delayMs = 0;
  const received: string[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      received.push(req.url ?? '');
      if (req.url === '/huge') {
        res.setHeader('content-type', 'application/json');
        const chunk = Buffer.alloc(256 * 1024, 'a');
        for (let i = 0; i <= MAX_RESPONSE_BYTES / chunk.length; i++) res.write(chunk);
        res.end();
        return;
      }
      if (req.url === '/stall-body') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"partial":');
        setTimeout(() => res.end('1}'), delayMs);
        return;
      }
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () =>
        setTimeout(() => {
          res.setHeader('content-type', 'application/json');
          res.setHeader('retry-after', '7');
          res.end(JSON.stringify({ method: req.method, body }));
        }, delayMs),
      );
    });
    server.on('connection', (s) => {
      sockets++;
      open++;
      peakOpen = Math.max(peakOpen, open);
      s.on('close', () => open--);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));
  beforeEach(() => {
    sockets = 0;
    peakOpen = open;
    delayMs = 0;
  });

  const make = (connections: number) => new OutboundHttp({ outboundConnectionsPerHost: connections } as ConfigOf<typeof appConfig>);

  it('reuses its sockets for sequential calls and returns status, headers and text', async () => {
    const http = make(4);
    for (let i = 0; i < 20; i++) {
      const res = await http.request(`${url}/x`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: `{"i":${i}}`, timeoutMs: 2_000 });
      expect(res.status).toBe(200);
      expect(JSON.parse(res.text)).toEqual({ method: 'POST', body: `{"i":${i}}` });
      expect(res.headers['retry-after']).toBe('7');
    }
    // undici may dial a second client while the first is being released; never one per call.
    expect(sockets).toBeLessThanOrEqual(2);
    await http.onApplicationShutdown();
  });

  it('never opens more than OUTBOUND_CONNECTIONS_PER_HOST sockets to one host', async () => {
    const http = make(2);
    delayMs = 30;
    const results = await Promise.all(Array.from({ length: 12 }, () => http.request(`${url}/slow`, { method: 'GET', headers: {}, timeoutMs: 5_000 })));
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(sockets).toBe(2);
    await http.onApplicationShutdown();
  });

  it('the fetch it hands to SDKs goes through the same pool', async () => {
    const http = make(4);
    for (let i = 0; i < 10; i++) {
      const res = await http.fetch(`${url}/f`, { method: 'GET' });
      expect(res.status).toBe(200);
      await res.text();
    }
    expect(sockets).toBeLessThanOrEqual(2);
    await http.onApplicationShutdown();
  });

  it('reports a deadline as a timeout and a refused connection by its code', async () => {
    const http = make(4);
    delayMs = 500;
    await expect(http.request(`${url}/hang`, { method: 'GET', headers: {}, timeoutMs: 50 })).rejects.toMatchObject({ name: 'OutboundNetworkError', code: 'timeout' });
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const err = await http.request(`http://127.0.0.1:${port}/`, { method: 'GET', headers: {}, timeoutMs: 2_000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OutboundNetworkError);
    expect((err as OutboundNetworkError).code).toBe('ECONNREFUSED');
    await http.onApplicationShutdown();
  });

  it('refuses a response body over MAX_RESPONSE_BYTES instead of buffering it, and the pool goes on', async () => {
    const http = make(2);
    await expect(http.request(`${url}/huge`, { method: 'GET', headers: {}, timeoutMs: 5_000 })).rejects.toMatchObject({ name: 'OutboundNetworkError', code: 'response_too_large' });
    const res = await http.request(`${url}/after`, { method: 'GET', headers: {}, timeoutMs: 2_000 });
    expect(res.status).toBe(200);
    await http.onApplicationShutdown();
  });

  it('the deadline covers a body that stops half way, and a call still waiting for a socket is never sent', async () => {
    const http = make(1);
    delayMs = 400;
    const started = Date.now();
    const [stalled, queued] = await Promise.all([
      http.request(`${url}/stall-body`, { method: 'GET', headers: {}, timeoutMs: 100 }).catch((e: unknown) => e),
      // Only one socket: this one waits behind the stalled call and its own deadline passes first.
      http.request(`${url}/queued`, { method: 'POST', headers: {}, body: 'q', timeoutMs: 50 }).catch((e: unknown) => e),
    ]);
    expect(stalled).toMatchObject({ name: 'OutboundNetworkError', code: 'timeout' });
    expect(queued).toMatchObject({ name: 'OutboundNetworkError', code: 'timeout' });
    expect(Date.now() - started).toBeLessThan(350);
    await new Promise((r) => setTimeout(r, 100));
    expect(received).toContain('/stall-body');
    expect(received).not.toContain('/queued');
    // The aborted socket is replaced: the next call is answered in full.
    delayMs = 0;
    const res = await http.request(`${url}/next`, { method: 'POST', headers: {}, body: 'n', timeoutMs: 2_000 });
    expect(JSON.parse(res.text)).toEqual({ method: 'POST', body: 'n' });
    await http.onApplicationShutdown();
  });

  it('a malformed URL is a network error of its own, not a throw', async () => {
    const http = make(1);
    await expect(http.request('not a url', { method: 'GET', headers: {}, timeoutMs: 1_000 })).rejects.toMatchObject({ name: 'OutboundNetworkError', code: 'invalid_url' });
    await http.onApplicationShutdown();
  });
});

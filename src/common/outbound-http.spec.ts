import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { appConfig, ConfigOf } from '../config/config.namespaces';
import { OutboundHttp, OutboundNetworkError } from './outbound-http';

describe('OutboundHttp (undici keep-alive pool)', () => {
  let server: Server;
  let url: string;
  let sockets = 0;
  let open = 0;
  let peakOpen = 0;
  let delayMs = 0;

  beforeAll(async () => {
    server = createServer((req, res) => {
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
});

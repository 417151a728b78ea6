import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { listenOnLoopback, closeLoopback } from './loopback-http';

/** One request the server received, and how it was answered. */
export interface SseAttempt {
  at: number;
  path: string;
  headers: IncomingMessage['headers'];
  status: number;
}

/** How to answer the next connection: open a stream (default) or a plain HTTP error. */
/** `endAfterMs`: answer 200 with an event stream, then hang up that long after without sending anything (a flapping connector). */
export type SsePlan = { stream: true; endAfterMs?: number } | { status: number; body?: string; contentType?: string };

/** An open event stream the test writes frames to. */
export class SseConnection {
  readonly closed: Promise<void>;
  private isClosed = false;
  private heartbeatTimer?: NodeJS.Timeout;

  constructor(private readonly res: ServerResponse) {
    this.closed = new Promise((resolve) =>
      res.on('close', () => {
        this.isClosed = true;
        this.stopHeartbeats();
        resolve();
      }),
    );
  }

  get isOpen(): boolean {
    return !this.isClosed;
  }

  /** Writes exact bytes (for malformed or split frames). */
  raw(text: string): void {
    if (!this.isClosed) this.res.write(text);
  }

  /** A `data:` frame with a JSON (or string) payload and an optional event name. */
  send(data: unknown, event?: string): void {
    const payload = typeof data === 'string' ? data : JSON.stringify(data);
    this.raw(`${event ? `event: ${event}\n` : ''}data: ${payload}\n\n`);
  }

  heartbeat(): void {
    this.raw('event: heartbeat\ndata:\n\n');
  }

  startHeartbeats(everyMs: number): void {
    this.stopHeartbeats();
    this.heartbeatTimer = setInterval(() => this.heartbeat(), everyMs);
  }

  stopHeartbeats(): void {
    clearInterval(this.heartbeatTimer);
  }

  /** Ends the response cleanly (the client sees end of stream). */
  end(): void {
    this.stopHeartbeats();
    if (!this.isClosed) this.res.end();
  }

  /** Drops the TCP connection mid-stream. */
  destroy(): void {
    this.stopHeartbeats();
    this.res.destroy();
  }
}

/**
 * A local connector stream for tests: `GET <url>` answers with an SSE stream the
 * test drives, or with a planned HTTP error. Records every attempt with its time
 * and headers so tests can check auth and the reconnect schedule.
 */
export class FakeSseServer {
  readonly attempts: SseAttempt[] = [];
  readonly connections: SseConnection[] = [];
  url = '';
  private server?: Server;
  private plan: (n: number) => SsePlan = () => ({ stream: true });
  private waiters: { n: number; resolve: () => void }[] = [];

  /** Plans used in order for successive attempts; the last one repeats. */
  respondInOrder(...plans: SsePlan[]): void {
    const offset = this.attempts.length;
    this.plan = (n) => plans[Math.min(n - offset, plans.length - 1)];
  }

  async start(path = '/stream/prod_test'): Promise<this> {
    const { server, url } = await listenOnLoopback((req, res) => this.handle(req, res));
    this.server = server;
    this.url = `${url}${path}`;
    return this;
  }

  async stop(): Promise<void> {
    for (const c of this.connections) c.destroy();
    await closeLoopback(this.server);
  }

  get latest(): SseConnection | undefined {
    return this.connections[this.connections.length - 1];
  }

  /** Resolves once `n` attempts (successful or not) have been received in total. */
  waitForAttempts(n: number, timeoutMs = 5_000): Promise<void> {
    if (this.attempts.length >= n) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${n} attempts (got ${this.attempts.length})`)), timeoutMs);
      this.waiters.push({ n, resolve: () => (clearTimeout(timer), resolve()) });
    });
  }

  /** Resolves with the `n`-th (1-based) stream connection once it is open. */
  async connection(n: number, timeoutMs = 5_000): Promise<SseConnection> {
    const deadline = Date.now() + timeoutMs;
    while (this.connections.length < n) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for stream connection #${n}`);
      await new Promise((r) => setTimeout(r, 5));
    }
    return this.connections[n - 1];
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const plan = this.plan(this.attempts.length);
    const status = 'stream' in plan ? 200 : plan.status;
    this.attempts.push({ at: Date.now(), path: req.url ?? '', headers: req.headers, status });
    if ('stream' in plan) {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
      res.flushHeaders();
      const conn = new SseConnection(res);
      this.connections.push(conn);
      if (plan.endAfterMs !== undefined) setTimeout(() => conn.end(), plan.endAfterMs);
    } else {
      res.writeHead(plan.status, { 'content-type': plan.contentType ?? 'application/json' });
      res.end(plan.body ?? JSON.stringify({ detail: `status ${plan.status}` }));
    }
    const ready = this.waiters.filter((w) => this.attempts.length >= w.n);
    this.waiters = this.waiters.filter((w) => this.attempts.length < w.n);
    ready.forEach((w) => w.resolve());
  }
}

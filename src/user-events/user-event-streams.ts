import { Logger } from '@nestjs/common';
import type { Response } from 'express';
import type { UserEvent, UserEventBus } from './user-event-bus.port';

export interface UserEventStreamOptions {
  /** A comment line this often, so proxies keep the connection. */
  heartbeatMs: number;
  /** The heartbeat comment's text (`: <text>`). */
  heartbeatComment: string;
  /** Live streams one user may hold at once; the oldest is ended when a new one opens past it. Unbounded when absent. */
  maxStreamsPerUser?: number;
}

/** How long a client should wait before reconnecting (the SSE `retry:` field). */
const RECONNECT_MS = 3_000;

interface OpenStream {
  userId: string;
  end(): void;
}

/**
 * Serves one user's USER_EVENT_BUS feed as server-sent events: what was missed since
 * `Last-Event-ID` first, then live events (`id:`, `event:`, `data:`), and a heartbeat
 * comment. Used by every route that streams a feed (the REST channel's, the browser's),
 * so they open, resume and end streams alike; endAll() at shutdown, since an open
 * stream would otherwise hold the HTTP server open.
 */
export class UserEventStreams {
  private readonly logger = new Logger(UserEventStreams.name);
  private readonly open = new Set<OpenStream>();

  constructor(
    private readonly bus: UserEventBus,
    private readonly opts: UserEventStreamOptions,
  ) {}

  async serve(userId: string, lastEventId: string | undefined, res: Response): Promise<void> {
    res.status(200);
    res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    res.setHeader('Cache-Control', 'no-cache, no-transform');
    // nginx (deploy/nginx.conf) and other proxies must not buffer an event stream.
    res.setHeader('X-Accel-Buffering', 'no');
    let closed = false;
    const write = (e: UserEvent) => {
      if (!closed && !res.writableEnded) res.write(`id: ${e.id}\nevent: ${e.type}\ndata: ${JSON.stringify(e.data)}\n\n`);
    };
    const sub = await this.bus.subscribe(userId, lastEventId, write);
    // Headers go out only once the subscription is live (on Redis it is not at once), so a
    // client that saw the response open cannot miss an event published right after.
    res.flushHeaders();
    res.write(`retry: ${RECONNECT_MS}\n: connected\n\n`);
    for (const e of sub.missed) write(e);
    const heartbeat = setInterval(() => {
      if (!res.writableEnded) res.write(`: ${this.opts.heartbeatComment}\n\n`);
    }, this.opts.heartbeatMs);
    heartbeat.unref();
    const stream: OpenStream = {
      userId,
      end: () => {
        if (closed) return;
        closed = true;
        clearInterval(heartbeat);
        this.open.delete(stream);
        sub.close().catch((err: unknown) => this.logger.warn({ err }, 'closing a user event subscription failed'));
        res.end();
        // An event stream's connection is never reused: drop it, so a closing server does not wait on it.
        res.socket?.destroy();
      },
    };
    this.open.add(stream);
    this.capPerUser(userId);
    res.on('close', stream.end);
    // The client may have gone while the subscription was being set up: its 'close' has already fired.
    if (res.destroyed) stream.end();
  }

  endAll(): void {
    for (const s of [...this.open]) s.end();
  }

  private capPerUser(userId: string): void {
    const max = this.opts.maxStreamsPerUser;
    if (max === undefined) return;
    const mine = [...this.open].filter((s) => s.userId === userId);
    // Set order is insertion order: the first ones are the oldest.
    for (const s of mine.slice(0, Math.max(0, mine.length - max))) s.end();
  }
}

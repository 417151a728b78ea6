import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import type { Response } from 'express';
import { browserConfig, type ConfigOf } from '../config/config.namespaces';
import type { UserEvent, UserEventBus } from '../user-events/user-event-bus.port';
import { USER_EVENT_BUS } from '../user-events/user-events.constants';

/** Live streams one user may hold at once (tabs); the oldest is closed when a new one opens past it. */
export const MAX_STREAMS_PER_USER = 5;

interface OpenStream {
  userId: string;
  end(): void;
}

/**
 * Server-sent events of one user's USER_EVENT_BUS feed: what was missed since
 * `Last-Event-ID` first, then live events, and a comment line every
 * BROWSER_STREAM_HEARTBEAT_MS so proxies keep the connection. Streams are ended on
 * shutdown (an open stream would otherwise hold the HTTP server open).
 */
@Injectable()
export class BrowserStreams implements OnModuleDestroy {
  private readonly logger = new Logger(BrowserStreams.name);
  private readonly open = new Set<OpenStream>();

  constructor(
    @Inject(USER_EVENT_BUS) private readonly bus: UserEventBus,
    @Inject(browserConfig.KEY) private readonly cfg: ConfigOf<typeof browserConfig>,
  ) {}

  async serve(userId: string, lastEventId: string | undefined, res: Response): Promise<void> {
    res.status(200);
    res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    res.setHeader('Cache-Control', 'no-cache, no-transform');
    // nginx (deploy/nginx.conf) and other proxies must not buffer an event stream.
    res.setHeader('X-Accel-Buffering', 'no');
    let closed = false;
    const write = (e: UserEvent) => {
      if (!closed) res.write(`id: ${e.id}\nevent: ${e.type}\ndata: ${JSON.stringify(e.data)}\n\n`);
    };
    const sub = await this.bus.subscribe(userId, lastEventId, write);
    // Headers go out only once the subscription is live (on Redis it is not at once), so a
    // client that saw the response open cannot miss an event published right after.
    res.flushHeaders();
    res.write(`retry: 3000\n: connected\n\n`);
    for (const e of sub.missed) write(e);
    const heartbeat = setInterval(() => res.write(`: ping\n\n`), this.cfg.streamHeartbeatMs);
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

  onModuleDestroy(): void {
    for (const s of [...this.open]) s.end();
  }

  private capPerUser(userId: string): void {
    const mine = [...this.open].filter((s) => s.userId === userId);
    // Set order is insertion order: the first ones are the oldest.
    for (const s of mine.slice(0, Math.max(0, mine.length - MAX_STREAMS_PER_USER))) s.end();
  }
}

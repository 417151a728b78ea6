import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { Response } from 'express';
import { browserConfig, type ConfigOf } from '../config/config.namespaces';
import type { UserEventBus } from '../user-events/user-event-bus.port';
import { UserEventStreams } from '../user-events/user-event-streams';
import { USER_EVENT_BUS } from '../user-events/user-events.constants';

/** Live streams one user may hold at once (tabs); the oldest is closed when a new one opens past it. */
export const MAX_STREAMS_PER_USER = 5;

/**
 * The browser's event streams: the user's USER_EVENT_BUS feed (UserEventStreams), a
 * `: ping` comment every BROWSER_STREAM_HEARTBEAT_MS, at most MAX_STREAMS_PER_USER per
 * user, all ended on shutdown.
 */
@Injectable()
export class BrowserStreams implements OnModuleDestroy {
  private readonly streams: UserEventStreams;

  constructor(@Inject(USER_EVENT_BUS) bus: UserEventBus, @Inject(browserConfig.KEY) cfg: ConfigOf<typeof browserConfig>) {
    this.streams = new UserEventStreams(bus, { heartbeatMs: cfg.streamHeartbeatMs, heartbeatComment: 'ping', maxStreamsPerUser: MAX_STREAMS_PER_USER });
  }

  serve(userId: string, lastEventId: string | undefined, res: Response): Promise<void> {
    return this.streams.serve(userId, lastEventId, res);
  }

  onModuleDestroy(): void {
    this.streams.endAll();
  }
}

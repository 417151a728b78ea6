import { BadRequestException, type BeforeApplicationShutdown, Controller, Get, Headers, Inject, Param, Query, Req, Res, UseGuards } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiProduces, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { ApiKeyGuard } from '../../common/api-key.guard';
import { ApiErrors, ApiKeyAuth } from '../../common/openapi.decorators';
import { userEventsConfig, type ConfigOf } from '../../config/config.namespaces';
import { MAX_ID_CHARS } from '../../copilot/chat-limits';
import type { UserEvent, UserEventBus } from '../../user-events/user-event-bus.port';
import { USER_EVENT_BUS } from '../../user-events/user-events.constants';

/** How long a client should wait before reconnecting (the SSE `retry:` field). */
const RECONNECT_MS = 3_000;

/**
 * A user's event feed as server-sent events: proactive nudges (`event: nudge`) for a
 * widget or the company's backend. Each event carries its `id:`; a client that reconnects
 * with `Last-Event-ID` first gets what it missed within the feed's retention window.
 * Heartbeat comments every USER_EVENTS_HEARTBEAT_SECONDS keep proxies from closing it.
 */
@ApiTags('proactive')
@ApiKeyAuth()
@UseGuards(ApiKeyGuard)
@Controller('v1/users')
export class UserEventsController implements BeforeApplicationShutdown {
  /** Open streams, ended at shutdown so the HTTP server can close (clients reconnect elsewhere with Last-Event-ID). */
  private readonly open = new Set<Response>();

  constructor(
    @Inject(USER_EVENT_BUS) private readonly bus: UserEventBus,
    @Inject(userEventsConfig.KEY) private readonly cfg: ConfigOf<typeof userEventsConfig>,
  ) {}

  @Get(':userId/events')
  @ApiOperation({ summary: "The user's event stream (text/event-stream): proactive nudges, resumable with Last-Event-ID" })
  @ApiProduces('text/event-stream')
  @ApiHeader({ name: 'Last-Event-ID', required: false, description: 'id of the last event received; missed events are sent first' })
  @ApiQuery({ name: 'lastEventId', required: false, description: 'same as the Last-Event-ID header, for clients that cannot set headers' })
  @ApiResponse({ status: 200, description: 'An SSE stream of `nudge` events (data: {nudgeId, ruleId, message, quickReplies, channel, at})' })
  @ApiErrors(400)
  async events(
    @Param('userId') userId: string,
    @Headers('last-event-id') lastEventHeader: string | undefined,
    @Query('lastEventId') lastEventQuery: string | undefined,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    if (!userId.trim() || userId.length > MAX_ID_CHARS) throw new BadRequestException(`userId must be 1 to ${MAX_ID_CHARS} characters`);
    const lastEventId = (lastEventHeader ?? lastEventQuery)?.slice(0, 64) || undefined;
    res.status(200);
    res.setHeader('content-type', 'text/event-stream; charset=utf-8');
    res.setHeader('cache-control', 'no-cache, no-transform');
    res.setHeader('connection', 'keep-alive');
    // Proxies such as nginx would otherwise buffer the stream.
    res.setHeader('x-accel-buffering', 'no');
    res.flushHeaders();
    res.write(`retry: ${RECONNECT_MS}\n\n`);
    const write = (e: UserEvent) => {
      if (!res.writableEnded) res.write(`id: ${e.id}\nevent: ${e.type}\ndata: ${JSON.stringify(e.data)}\n\n`);
    };
    const sub = await this.bus.subscribe(userId, lastEventId, write);
    for (const e of sub.missed) write(e);
    const heartbeat = setInterval(() => {
      if (!res.writableEnded) res.write(': heartbeat\n\n');
    }, this.cfg.heartbeatMs);
    heartbeat.unref();
    this.open.add(res);
    const stop = () => {
      this.open.delete(res);
      clearInterval(heartbeat);
      void sub.close();
    };
    req.on('close', stop);
    res.on('close', stop);
  }

  beforeApplicationShutdown(): void {
    for (const res of this.open) res.end();
    this.open.clear();
  }
}

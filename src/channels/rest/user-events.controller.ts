import { BadRequestException, type BeforeApplicationShutdown, Controller, Get, Headers, Inject, Param, Query, Res, UseGuards } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiProduces, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { ApiKeyGuard } from '../../common/api-key.guard';
import { ApiErrors, ApiKeyAuth } from '../../common/openapi.decorators';
import { userEventsConfig, type ConfigOf } from '../../config/config.namespaces';
import { MAX_ID_CHARS } from '../../copilot/chat-limits';
import type { UserEventBus } from '../../user-events/user-event-bus.port';
import { UserEventStreams } from '../../user-events/user-event-streams';
import { USER_EVENT_BUS } from '../../user-events/user-events.constants';

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
  /** Ended at shutdown so the HTTP server can close (clients reconnect elsewhere with Last-Event-ID). */
  private readonly streams: UserEventStreams;

  constructor(@Inject(USER_EVENT_BUS) bus: UserEventBus, @Inject(userEventsConfig.KEY) cfg: ConfigOf<typeof userEventsConfig>) {
    this.streams = new UserEventStreams(bus, { heartbeatMs: cfg.heartbeatMs, heartbeatComment: 'heartbeat' });
  }

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
    @Res() res: Response,
  ): Promise<void> {
    if (!userId.trim() || userId.length > MAX_ID_CHARS) throw new BadRequestException(`userId must be 1 to ${MAX_ID_CHARS} characters`);
    const lastEventId = (lastEventHeader ?? lastEventQuery)?.slice(0, 64) || undefined;
    await this.streams.serve(userId, lastEventId, res);
  }

  beforeApplicationShutdown(): void {
    this.streams.endAll();
  }
}

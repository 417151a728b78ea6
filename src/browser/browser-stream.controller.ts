import { Controller, Get, Headers, Query, Req, Res, UseGuards } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiProduces, ApiQuery, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { ApiErrors, SECURITY } from '../common/openapi.decorators';
import { BrowserAccessGuard } from './browser-access.guard';
import { TokenInQuery, type BrowserRequest } from './browser.constants';
import { BrowserStreams } from './browser-streams';

/** GET /v1/browser/events-stream: the token's user's events (nudges) as server-sent events. */
@ApiTags('browser')
@UseGuards(BrowserAccessGuard)
@Controller('v1/browser/events-stream')
export class BrowserStreamController {
  constructor(private readonly streams: BrowserStreams) {}

  @Get()
  @TokenInQuery()
  @ApiSecurity({ [SECURITY.browserStreamUserId]: [], [SECURITY.browserStreamToken]: [] })
  @ApiOperation({ summary: "The token's user's events (type `nudge`: { nudgeId, ruleId, message, quickReplies, channel, at }) as server-sent events" })
  @ApiQuery({ name: 'lastEventId', required: false, description: 'Resume after this event id (EventSource sends it as the Last-Event-ID header on reconnect)' })
  @ApiHeader({ name: 'Last-Event-ID', required: false })
  @ApiProduces('text/event-stream')
  @ApiResponse({ status: 200, description: 'An event stream: `id:` and `event:` per event, a comment line as heartbeat' })
  @ApiErrors(401, 429)
  async stream(
    @Req() req: BrowserRequest,
    @Res() res: Response,
    @Headers('last-event-id') header?: string,
    @Query('lastEventId') query?: string,
  ): Promise<void> {
    const last = (typeof header === 'string' && header) || (typeof query === 'string' && query) || undefined;
    await this.streams.serve(req.browserUserId!, last?.slice(0, 64), res);
  }
}

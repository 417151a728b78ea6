import { BadRequestException, Body, Controller, HttpCode, Post, Req, UseGuards } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { ActivityIngestService } from '../activity/activity-ingest.service';
import { ApiErrors, SECURITY } from '../common/openapi.decorators';
import { BrowserAccessGuard } from './browser-access.guard';
import type { BrowserRequest } from './browser.constants';
import { BrowserEventsAcceptedDto, BrowserEventsDto, parseBrowserEvents } from './browser-events.dto';
import { canonicalPath } from './canonical-path';

/** POST /v1/browser/events: a batch the snippet captured, stored for the token's user through the ingestion path every source uses. */
@ApiTags('browser')
@ApiSecurity({ [SECURITY.browserUserId]: [], [SECURITY.browserUserToken]: [] })
@UseGuards(BrowserAccessGuard)
@Controller('v1/browser/events')
export class BrowserEventsController {
  constructor(private readonly ingest: ActivityIngestService) {}

  @Post()
  @HttpCode(202)
  @ApiOperation({ summary: "Activity captured by the browser snippet (page views, clicks, submits) for the token's user" })
  @ApiBody({ type: BrowserEventsDto })
  @ApiResponse({ status: 202, type: BrowserEventsAcceptedDto })
  @ApiErrors(400, 401, 413, 429)
  async receive(@Req() req: BrowserRequest, @Body() raw: unknown): Promise<BrowserEventsAcceptedDto> {
    const parsed = parseBrowserEvents(raw);
    if (!parsed.ok) throw new BadRequestException(parsed.message);
    const body = parsed.value;
    const now = Date.now();
    // The wire format of the push source: the same parser, caps, lookback and store write as every other source.
    const outcome = await this.ingest.ingest(
      {
        type: 'actions',
        product_id: body.productId,
        session_id: body.sessionId,
        user_id: req.browserUserId,
        actions: body.actions.map((a, i) => ({
          index: a.index ?? i,
          type: a.type,
          title: a.title,
          canonical_url: canonicalPath(a.url),
          raw_url: a.url,
          // A browser clock ahead of ours must not make actions look like they come from the future.
          timestamp_start: Math.min(a.at ?? now, now) / 1000,
        })),
      },
      'browser',
    );
    return outcome.status === 'accepted' ? { status: 'accepted', actions: outcome.actions } : { status: 'ignored', reason: outcome.reason };
  }
}

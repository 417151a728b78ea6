import { BadRequestException, Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiBody, ApiHeader, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import { parseJsonBuffer } from '../../../common/json-body';
import { ActivityIngestService } from '../../activity-ingest.service';
import { IngestStats } from '../../ingest-stats.service';
import { ConnectorSignatureGuard } from './connector-signature.guard';
import { ActivityEventDto, IngestAcceptedDto } from './push-webhook.dto';

@ApiTags('activity')
@SkipThrottle()
@Controller('v1/activity')
export class PushWebhookController {
  constructor(
    private readonly ingest: ActivityIngestService,
    private readonly stats: IngestStats,
  ) {}

  @Post()
  @HttpCode(202)
  @UseGuards(ConnectorSignatureGuard)
  @ApiOperation({ summary: 'Push-mode connector event (actions or summary)' })
  @ApiHeader({ name: 'X-Connector-Signature', description: 'sha256=<hex HMAC-SHA256 of the raw body with CONNECTOR_WEBHOOK_SECRET>' })
  @ApiBody({ type: ActivityEventDto })
  @ApiResponse({ status: 202, type: IngestAcceptedDto })
  @ApiResponse({ status: 400, description: 'Invalid JSON or an unusable event' })
  @ApiResponse({ status: 401, description: 'Missing or wrong signature' })
  receive(@Body() body: Buffer): IngestAcceptedDto {
    let parsed: unknown;
    try {
      parsed = parseJsonBuffer(body);
    } catch (err) {
      if (err instanceof BadRequestException) this.stats.recordRejected('push', 'invalid_json');
      throw err;
    }
    const outcome = this.ingest.ingest(parsed, 'push');
    return outcome.status === 'ignored' ? { ...outcome, ignored: true } : outcome;
  }
}

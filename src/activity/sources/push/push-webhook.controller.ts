import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiBody, ApiHeader, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import { RequireJsonBodyGuard } from '../../../common/require-json-body.guard';
import { InvalidBodyHooks } from '../../../observability/invalid-body.hooks';
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
    stats: IngestStats,
    invalidBodies: InvalidBodyHooks,
  ) {
    invalidBodies.on('/v1/activity', (reason) => stats.recordRejected('push', reason));
  }

  @Post()
  @HttpCode(202)
  @UseGuards(ConnectorSignatureGuard, RequireJsonBodyGuard)
  @ApiOperation({ summary: 'Push-mode connector event (actions or summary)' })
  @ApiHeader({ name: 'X-Connector-Signature', description: 'sha256=<hex HMAC-SHA256 of the raw body with CONNECTOR_WEBHOOK_SECRET>' })
  @ApiBody({ type: ActivityEventDto })
  @ApiResponse({ status: 202, type: IngestAcceptedDto })
  @ApiResponse({ status: 400, description: 'Invalid JSON or an unusable event' })
  @ApiResponse({ status: 401, description: 'Missing or wrong signature' })
  receive(@Body() body: unknown): IngestAcceptedDto {
    const outcome = this.ingest.ingest(body, 'push');
    return outcome.status === 'ignored' ? { ...outcome, ignored: true } : outcome;
  }
}

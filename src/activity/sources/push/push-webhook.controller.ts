import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { ApiErrors, SECURITY } from '../../../common/openapi.decorators';
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
  @ApiSecurity(SECURITY.connectorSignature)
  @ApiBody({ type: ActivityEventDto })
  @ApiResponse({ status: 202, type: IngestAcceptedDto })
  @ApiErrors(400, 401, 413)
  receive(@Body() body: unknown): IngestAcceptedDto {
    const outcome = this.ingest.ingest(body, 'push');
    return outcome.status === 'ignored' ? { ...outcome, ignored: true } : outcome;
  }
}

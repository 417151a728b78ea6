import { BadRequestException, Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { ApiErrors, SECURITY } from '../../../common/openapi.decorators';
import { SkipThrottle } from '@nestjs/throttler';
import { RequireJsonBodyGuard } from '../../../common/require-json-body.guard';
import { InvalidBodyHooks } from '../../../observability/invalid-body.hooks';
import { IngestStats } from '../../ingest-stats.service';
import { PosthogIngestService } from './posthog-ingest.service';
import { PosthogSecretGuard } from './posthog-secret.guard';
import { PosthogAcceptedDto, PosthogFlatEventDto } from './posthog.dto';

@ApiTags('activity')
@SkipThrottle()
@Controller('v1/activity/posthog')
export class PosthogController {
  constructor(
    private readonly posthog: PosthogIngestService,
    private readonly stats: IngestStats,
    invalidBodies: InvalidBodyHooks,
  ) {
    invalidBodies.on('/v1/activity/posthog', (reason) => stats.recordRejected('posthog', reason));
  }

  @Post()
  @HttpCode(202)
  @UseGuards(PosthogSecretGuard, RequireJsonBodyGuard)
  @ApiOperation({
    summary: 'PostHog destination: autocapture, pageviews and custom events become actions',
    description: 'Body: the flat Hog-function body, PostHog\'s default webhook body {"event": {...}, "person": {...}}, or {"batch": [...]}.',
  })
  @ApiSecurity(SECURITY.posthogSecret)
  @ApiBody({ type: PosthogFlatEventDto })
  @ApiResponse({ status: 202, type: PosthogAcceptedDto })
  @ApiErrors(400, 401, 413)
  async receive(@Body() body: unknown): Promise<PosthogAcceptedDto> {
    try {
      return await this.posthog.ingest(body);
    } catch (err) {
      if (err instanceof BadRequestException) this.stats.recordRejected('posthog', 'invalid_body');
      throw err;
    }
  }
}

import { Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import type { Request, Response } from 'express';
import { hotRequestFromExpress } from '../../../common/hot-routes';
import { ApiErrors, SECURITY } from '../../../common/openapi.decorators';
import { PosthogAcceptedDto, PosthogFlatEventDto } from './posthog.dto';
import { PosthogRoute } from './posthog.route';

/** Documents POST /v1/activity/posthog and serves it when the fast lane does not; the logic is PosthogRoute's. */
@ApiTags('activity')
@SkipThrottle()
@Controller('v1/activity/posthog')
export class PosthogController {
  constructor(private readonly route: PosthogRoute) {}

  @Post()
  @HttpCode(202)
  @ApiOperation({
    summary: 'PostHog destination: autocapture, pageviews and custom events become actions',
    description: 'Body: the flat Hog-function body, PostHog\'s default webhook body {"event": {...}, "person": {...}}, or {"batch": [...]}.',
  })
  @ApiSecurity(SECURITY.posthogSecret)
  @ApiBody({ type: PosthogFlatEventDto })
  @ApiResponse({ status: 202, type: PosthogAcceptedDto })
  @ApiErrors(400, 401, 413)
  async receive(@Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<unknown> {
    const reply = await this.route.handle(hotRequestFromExpress(req));
    res.status(reply.status);
    return reply.body;
  }
}

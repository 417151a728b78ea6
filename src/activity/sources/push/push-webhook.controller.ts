import { Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import type { Request, Response } from 'express';
import { hotRequestFromExpress } from '../../../common/hot-routes';
import { ApiErrors, SECURITY } from '../../../common/openapi.decorators';
import { ActivityEventDto, IngestAcceptedDto } from './push-webhook.dto';
import { PushWebhookRoute } from './push-webhook.route';

/** Documents POST /v1/activity and serves it when the fast lane does not; the logic is PushWebhookRoute's. */
@ApiTags('activity')
@SkipThrottle()
@Controller('v1/activity')
export class PushWebhookController {
  constructor(private readonly route: PushWebhookRoute) {}

  @Post()
  @HttpCode(202)
  @ApiOperation({ summary: 'Push-mode connector event (actions or summary)' })
  @ApiSecurity(SECURITY.connectorSignature)
  @ApiBody({ type: ActivityEventDto })
  @ApiResponse({ status: 202, type: IngestAcceptedDto })
  @ApiErrors(400, 401, 413)
  async receive(@Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<unknown> {
    const reply = await this.route.handle(hotRequestFromExpress(req));
    res.status(reply.status);
    return reply.body;
  }
}

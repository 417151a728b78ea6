import { Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { hotRequestFromExpress } from '../../common/hot-routes';
import { ApiErrors, SECURITY } from '../../common/openapi.decorators';
import { CrispHookRoute } from './crisp-hook.route';

/**
 * Documents POST /crisp/hooks and serves it when the fast lane is off (FAST_LANE=false)
 * or the request is one the lane leaves to Express (a compressed body, another charset).
 * The logic is CrispHookRoute's, shared with the lane.
 */
@ApiTags('crisp')
@Controller('crisp')
export class CrispWebhookController {
  constructor(private readonly route: CrispHookRoute) {}

  @Post('hooks')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Crisp web hook (website or plugin hooks)',
    description:
      'Acknowledges at once; replies to visitor text messages (message:send) are produced in the background, and so are replies to a ' +
      "visitor's choice on a nudge's picker (message:updated with the choice selected). " +
      'Learns the product user from session:set_data (user_id, user_token), session:set_email and session:update_verify. ' +
      'Everything else is acknowledged and ignored.',
  })
  @ApiSecurity(SECURITY.crispKey)
  @ApiBody({
    schema: {
      type: 'object',
      required: ['event', 'data'],
      properties: { website_id: { type: 'string' }, event: { type: 'string', example: 'message:send' }, data: { type: 'object' }, timestamp: { type: 'number' } },
    },
  })
  @ApiOkResponse({ schema: { example: { status: 'ok' } } })
  @ApiErrors(400, 401, 413, 503)
  async receive(@Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<unknown> {
    const reply = await this.route.handle(hotRequestFromExpress(req));
    res.status(reply.status);
    return reply.body;
  }
}

import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { ApiErrors, SECURITY } from '../../common/openapi.decorators';
import { RequireJsonBodyGuard } from '../../common/require-json-body.guard';
import { CrispHookAuthGuard } from './crisp-hook-auth.guard';
import { CrispWebhookService } from './crisp-webhook.service';
import { parseCrispEnvelope } from './crisp-webhook.schema';

@ApiTags('crisp')
@Controller('crisp')
export class CrispWebhookController {
  constructor(private readonly hooks: CrispWebhookService) {}

  @Post('hooks')
  @HttpCode(200)
  @UseGuards(CrispHookAuthGuard, RequireJsonBodyGuard)
  @ApiOperation({
    summary: 'Crisp web hook (website or plugin hooks)',
    description:
      'Acknowledges at once; replies to visitor text messages (message:send) are produced in the background. ' +
      'Learns the product user from session:set_data (user_id) and session:set_email. Everything else is acknowledged and ignored.',
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
  async receive(@Body() body: unknown): Promise<{ status: 'ok' }> {
    await this.hooks.handle(parseCrispEnvelope(body));
    return { status: 'ok' };
  }
}

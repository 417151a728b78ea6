import { BadRequestException, Controller, Get, Param, Query, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { ApiErrors, ApiKeyAuth, SECURITY } from '../../../common/openapi.decorators';
import { AllowQueryToken, ApiKeyGuard } from '../../../common/api-key.guard';
import { MAX_ID_CHARS } from '../../../copilot/chat-limits';
import { CopilotService } from '../../../copilot/copilot.service';
import { ChatThrottlerGuard } from '../../../common/rate-limit/chat-throttler.guard';
import { BridgeReplyDto, ReplyQueryDto } from './reply.dto';


/** The Rasa recipe's bridge contract: custom actions GET /reply/:userId?query=… and read `reply`. */
@ApiTags('chat')
@ApiKeyAuth({ rateLimited: true })
@ApiSecurity(SECURITY.apiKeyQuery)
@UseGuards(ApiKeyGuard, ChatThrottlerGuard)
@Controller('reply')
export class ReplyController {
  constructor(private readonly copilot: CopilotService) {}

  @Get(':userId')
  @AllowQueryToken()
  @ApiOperation({ summary: 'Bridge for Rasa custom actions: a reply grounded in the user\'s activity' })
  @ApiResponse({ status: 200, type: BridgeReplyDto })
  @ApiErrors(400)
  async reply(@Param('userId') userId: string, @Query() q: ReplyQueryDto): Promise<BridgeReplyDto> {
    if (userId.length > MAX_ID_CHARS) throw new BadRequestException(`userId must be shorter than or equal to ${MAX_ID_CHARS} characters`);
    const res = await this.copilot.reply({
      // One bridge conversation per user, in its own channel: no Rasa sender id can address it.
      channel: 'bridge',
      conversationId: userId,
      userId,
      intent: q.intent,
      text: q.query,
    });
    return { reply: res.reply, name: res.name ?? null, has_activity: res.hasActivity, sources: res.sources };
  }
}

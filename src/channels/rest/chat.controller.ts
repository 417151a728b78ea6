import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiErrors, ApiKeyAuth } from '../../common/openapi.decorators';
import { randomUUID } from 'node:crypto';
import { ApiKeyGuard } from '../../common/api-key.guard';
import { CopilotService } from '../../copilot/copilot.service';
import { ChatThrottlerGuard } from '../../common/rate-limit/chat-throttler.guard';
import { ChatRequestDto, ChatResponseDto } from './chat.dto';

@ApiTags('chat')
@ApiKeyAuth({ rateLimited: true })
@UseGuards(ApiKeyGuard, ChatThrottlerGuard)
@Controller('v1/chat')
export class ChatController {
  constructor(private readonly copilot: CopilotService) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({ summary: "Ask the copilot; the reply is grounded in the user's recent activity and, with a knowledge base, the help center" })
  @ApiResponse({ status: 200, type: ChatResponseDto })
  @ApiErrors(400, 413)
  async chat(@Body() body: ChatRequestDto): Promise<ChatResponseDto> {
    const conversationId = body.conversationId ?? randomUUID();
    const res = await this.copilot.reply({
      channel: 'rest',
      conversationId,
      userId: body.userId,
      productId: body.productId,
      sessionId: body.sessionId,
      email: body.email,
      text: body.message,
    });
    return { reply: res.reply, conversationId, hasActivity: res.hasActivity, sources: res.sources };
  }
}

import { Body, Controller, HttpCode, Post, Req, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { randomUUID } from 'node:crypto';
import { ApiErrors, SECURITY } from '../common/openapi.decorators';
import { CopilotService } from '../copilot/copilot.service';
import { BrowserAccessGuard } from './browser-access.guard';
import type { BrowserRequest } from './browser.constants';
import { BrowserChatRequestDto, BrowserChatResponseDto } from './browser-chat.dto';

/**
 * POST /v1/browser/chat: the snippet's chat. The same call as POST /v1/chat (channel
 * `rest`, so the same conversation store, prompt and answers), for the token's user only.
 */
@ApiTags('browser')
@ApiSecurity({ [SECURITY.browserUserId]: [], [SECURITY.browserUserToken]: [] })
@UseGuards(BrowserAccessGuard)
@Controller('v1/browser/chat')
export class BrowserChatController {
  constructor(private readonly copilot: CopilotService) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({ summary: "Ask the copilot from the browser; grounded in the token's user's recent activity" })
  @ApiResponse({ status: 200, type: BrowserChatResponseDto })
  @ApiErrors(400, 401, 413, 429)
  async chat(@Req() req: BrowserRequest, @Body() body: BrowserChatRequestDto): Promise<BrowserChatResponseDto> {
    const conversationId = body.conversationId ?? randomUUID();
    const res = await this.copilot.reply({
      channel: 'rest',
      conversationId,
      userId: req.browserUserId!,
      productId: body.productId || undefined,
      sessionId: body.sessionId || undefined,
      text: body.message,
    });
    return { reply: res.reply, conversationId, hasActivity: res.hasActivity };
  }
}

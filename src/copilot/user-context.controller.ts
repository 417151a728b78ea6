import { Controller, Get, NotFoundException, Param, Query, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiProperty, ApiPropertyOptional, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiErrors, ApiKeyAuth } from '../common/openapi.decorators';
import { ApiKeyGuard } from '../common/api-key.guard';
import { CopilotService } from './copilot.service';

class SessionSummaryDto {
  @ApiProperty() productId!: string;
  @ApiProperty() sessionId!: string;
  @ApiProperty() actions!: number;
  @ApiPropertyOptional() summary?: string;
  @ApiProperty({ description: 'epoch ms' }) lastActivityAt!: number;
}

class UserContextDto {
  @ApiProperty() userId!: string;
  @ApiPropertyOptional() email?: string;
  @ApiProperty({ description: 'false when the user was seen but has no activity in the lookback window' }) hasActivity!: boolean;
  @ApiProperty({ type: [SessionSummaryDto], description: 'The sessions the copilot draws on, newest first' }) sessions!: SessionSummaryDto[];
  @ApiProperty({ description: 'The activity block exactly as the copilot would put it in a prompt now (sanitised, within MAX_CONTEXT_CHARS)' }) context!: string;
}

@ApiTags('activity')
@ApiKeyAuth()
@UseGuards(ApiKeyGuard)
@Controller('v1/users')
export class UserContextController {
  constructor(private readonly copilot: CopilotService) {}

  @Get(':userId/context')
  @ApiOperation({ summary: 'What the copilot sees for a user: the activity block of a reply prompt, across their recent sessions' })
  @ApiQuery({ name: 'productId', required: false })
  @ApiResponse({ status: 200, type: UserContextDto })
  @ApiErrors(404)
  async context(@Param('userId') userId: string, @Query('productId') productId?: string): Promise<UserContextDto> {
    const ctx = await this.copilot.previewContext(userId, productId || undefined);
    if (!ctx) throw new NotFoundException(`No activity has been seen for user ${userId}`);
    return {
      userId,
      email: ctx.email,
      hasActivity: ctx.activity.length > 0,
      sessions: ctx.sessions.map((s) => ({
        productId: s.productId,
        sessionId: s.sessionId,
        actions: s.actions.length,
        summary: s.summary?.text,
        lastActivityAt: s.lastActivityAt,
      })),
      context: ctx.activity,
    };
  }
}

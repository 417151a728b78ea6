import { Controller, Get, Inject, NotFoundException, Param, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProperty, ApiPropertyOptional, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiKeyGuard } from '../common/api-key.guard';
import { renderUserActivity } from '../activity/activity-context.renderer';
import { SESSION_STORE } from '../activity/activity.constants';
import type { SessionStore } from '../activity/session-store/session-store.port';

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
  @ApiProperty({ type: [SessionSummaryDto] }) sessions!: SessionSummaryDto[];
  @ApiProperty({ description: 'The rendered activity text, as the copilot sees it' }) context!: string;
}

@ApiTags('activity')
@ApiBearerAuth()
@UseGuards(ApiKeyGuard)
@Controller('v1/users')
export class UsersController {
  constructor(@Inject(SESSION_STORE) private readonly store: SessionStore) {}

  @Get(':userId/context')
  @ApiOperation({ summary: "The rendered activity for a user across their recent sessions" })
  @ApiQuery({ name: 'productId', required: false })
  @ApiResponse({ status: 200, type: UserContextDto })
  @ApiResponse({ status: 404, description: 'User never seen' })
  async context(@Param('userId') userId: string, @Query('productId') productId?: string): Promise<UserContextDto> {
    const activity = await this.store.getUserActivity(userId, { productId: productId || undefined });
    if (!activity) throw new NotFoundException(`No activity has been seen for user ${userId}`);
    const context = renderUserActivity(activity);
    return {
      userId,
      email: activity.email,
      hasActivity: context.length > 0,
      sessions: activity.sessions.map((s) => ({
        productId: s.productId,
        sessionId: s.sessionId,
        actions: s.actions.length,
        summary: s.summary?.text,
        lastActivityAt: s.lastActivityAt,
      })),
      context,
    };
  }
}

import { BadRequestException, Controller, Get, Param, Query, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiProperty, ApiPropertyOptional, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiKeyGuard } from '../../common/api-key.guard';
import { MAX_ID_CHARS } from '../../common/limits';
import { ApiErrors, ApiKeyAuth } from '../../common/openapi.decorators';
import type { ProactiveDecision } from '../engine';
import { MAX_DECISIONS_PER_READ, ProactiveDecisionLog } from './decision-log';

class EvidenceDto {
  @ApiProperty() type!: string;
  @ApiProperty() title!: string;
  @ApiProperty() canonicalUrl!: string;
  @ApiProperty({ description: 'epoch ms' }) at!: number;
}

class QuickReplyDto {
  @ApiProperty() label!: string;
  @ApiProperty({ description: 'choosing it declines the nudge' }) decline!: boolean;
}

class DecisionDto {
  @ApiProperty() id!: string;
  @ApiProperty({ description: 'epoch ms' }) at!: number;
  @ApiProperty() productId!: string;
  @ApiProperty() sessionId!: string;
  @ApiPropertyOptional() userId?: string;
  @ApiProperty() ruleId!: string;
  @ApiProperty({ description: 'repeated_action, ping_pong, page_dwell, rage_click, error_page, section_playbook, url_matches, title_matches, user_property' }) trigger!: string;
  @ApiProperty() page!: string;
  @ApiProperty({ enum: ['sent', 'suppressed', 'failed'] }) outcome!: string;
  @ApiPropertyOptional({ description: 'cooldown, cap_session, cap_user, cap_product, reactive, already_sent, max_nudges, no_channel, shadow, judge_rejected, llm_failed, delivery_error' }) reason?: string;
  @ApiProperty({ type: [EvidenceDto] }) evidence!: EvidenceDto[];
  @ApiProperty() message!: string;
  @ApiProperty({ type: [QuickReplyDto] }) quickReplies!: QuickReplyDto[];
  @ApiProperty({ enum: ['template', 'llm'] }) mode!: string;
  @ApiPropertyOptional() intent?: string;
  @ApiProperty() judge!: boolean;
  @ApiPropertyOptional({ description: 'crisp, rasa or rest, once delivery was reported' }) channel?: string;
}

class DecisionsDto {
  @ApiProperty() userId!: string;
  @ApiProperty({ type: [DecisionDto], description: 'newest first' }) decisions!: DecisionDto[];
}

/** Why the bot spoke (or did not) to a user: their decision log, newest first. */
@ApiTags('proactive')
@ApiKeyAuth()
@UseGuards(ApiKeyGuard)
@Controller('v1/users')
export class ProactiveController {
  constructor(private readonly log: ProactiveDecisionLog) {}

  @Get(':userId/proactive')
  @ApiOperation({ summary: "The user's proactive decisions: sent, suppressed (with the reason) or failed, with the rule, evidence, message and channel" })
  @ApiQuery({ name: 'productId', required: false, description: 'one product (default: every product the user was seen in)' })
  @ApiQuery({ name: 'limit', required: false, description: `1 to ${MAX_DECISIONS_PER_READ} (default 20)` })
  @ApiResponse({ status: 200, type: DecisionsDto })
  @ApiErrors(400)
  async decisions(@Param('userId') userId: string, @Query('productId') productId?: string, @Query('limit') limit?: string): Promise<{ userId: string; decisions: ProactiveDecision[] }> {
    if (!userId.trim() || userId.length > MAX_ID_CHARS) throw new BadRequestException(`userId must be 1 to ${MAX_ID_CHARS} characters`);
    if (productId !== undefined && (!productId.trim() || productId.length > MAX_ID_CHARS)) throw new BadRequestException(`productId must be 1 to ${MAX_ID_CHARS} characters`);
    const n = limit === undefined || limit === '' ? 20 : Number(limit);
    if (!Number.isInteger(n) || n < 1 || n > MAX_DECISIONS_PER_READ) throw new BadRequestException(`limit must be a whole number between 1 and ${MAX_DECISIONS_PER_READ}`);
    return { userId, decisions: await this.log.listForUser(userId, n, productId) };
  }
}

import { Controller, DefaultValuePipe, Get, HttpCode, Inject, NotFoundException, Param, ParseIntPipe, Post, Query, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiProperty, ApiPropertyOptional, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiKeyGuard } from '../common/api-key.guard';
import { ApiErrors, ApiKeyAuth } from '../common/openapi.decorators';
import type { DeadLetterStore } from '../queue/dead-letter.port';
import { DEAD_LETTER_STORE } from '../queue/queue.constants';
import { ReplyPipeline } from './reply-pipeline.service';

class DeadLetterDto {
  @ApiProperty({ example: 'crisp:session_123:fp_1' }) id!: string;
  @ApiProperty({ example: 'channel.reply' }) name!: string;
  @ApiProperty({ example: 'Crisp send_message failed: HTTP 503 (still failing after the 900 s retry window)' }) reason!: string;
  @ApiProperty({ example: 21 }) attempts!: number;
  @ApiProperty({ description: 'epoch ms' }) failedAt!: number;
  @ApiPropertyOptional({ example: { channel: 'crisp', conversationId: 'session_123' } }) labels?: Record<string, string>;
}

class DeadLetterListDto {
  @ApiProperty({ description: 'Entries held' }) count!: number;
  @ApiProperty({ description: 'Entries dropped because the list was full (DEAD_LETTER_MAX)' }) dropped!: number;
  @ApiProperty({ type: [DeadLetterDto], description: 'Newest first' }) items!: DeadLetterDto[];
}

class RetriedDto {
  @ApiProperty({ type: [String] }) retried!: string[];
}

/** Acknowledged work that failed every retry: listed, and put back on the queue on request. */
@ApiTags('operations')
@ApiKeyAuth()
@UseGuards(ApiKeyGuard)
@Controller('v1/admin/dead-letters')
export class DeadLettersController {
  constructor(
    @Inject(DEAD_LETTER_STORE) private readonly deadLetters: DeadLetterStore,
    private readonly pipeline: ReplyPipeline,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Messages that could not be delivered after every retry (newest first; payloads are not shown)' })
  @ApiQuery({ name: 'limit', required: false, example: 50 })
  @ApiResponse({ status: 200, type: DeadLetterListDto })
  @ApiErrors(400)
  async list(@Query('limit', new DefaultValuePipe(50), ParseIntPipe) limit: number): Promise<DeadLetterListDto> {
    const [items, stats] = await Promise.all([this.deadLetters.list(Math.min(Math.max(limit, 0), 500)), this.deadLetters.stats()]);
    return { ...stats, items: items.map(({ payload: _payload, ...rest }) => rest) };
  }

  @Post('retry')
  @HttpCode(202)
  @ApiOperation({ summary: 'Put every dead letter back on the queue' })
  @ApiResponse({ status: 202, type: RetriedDto })
  async retryAll(): Promise<RetriedDto> {
    const retried: string[] = [];
    for (const entry of await this.deadLetters.list(10_000)) {
      const taken = await this.deadLetters.take(entry.id);
      if (taken) retried.push(await this.pipeline.retryDeadLetter(taken));
    }
    return { retried };
  }

  @Post(':id/retry')
  @HttpCode(202)
  @ApiOperation({ summary: 'Put one dead letter back on the queue (a prepared answer is sent as is)' })
  @ApiResponse({ status: 202, type: RetriedDto })
  @ApiErrors(404)
  async retryOne(@Param('id') id: string): Promise<RetriedDto> {
    const entry = await this.deadLetters.take(id);
    if (!entry) throw new NotFoundException(`No dead letter ${id.slice(0, 200)}`);
    return { retried: [await this.pipeline.retryDeadLetter(entry)] };
  }
}

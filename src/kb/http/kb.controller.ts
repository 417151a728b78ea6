import { Controller, Get, HttpCode, Post, Query, ServiceUnavailableException, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiKeyGuard } from '../../common/api-key.guard';
import { ApiErrors, ApiKeyAuth } from '../../common/openapi.decorators';
import { KbService } from '../kb.service';
import { KbReindexResponseDto, KbSearchQueryDto, KbSearchResponseDto } from './kb.dto';
import { KbPageResolver } from './kb-page-resolver';
import { kbValidationPipe } from './kb-validation.pipe';

@ApiTags('knowledge-base')
@ApiKeyAuth()
@UseGuards(ApiKeyGuard)
@Controller('v1/kb')
export class KbController {
  constructor(
    private readonly kb: KbService,
    private readonly pages: KbPageResolver,
  ) {}

  @Get('search')
  @ApiOperation({ summary: 'Help-center chunks ranked for a question and where the user is' })
  @ApiResponse({ status: 200, type: KbSearchResponseDto })
  @ApiErrors(400)
  async search(@Query(kbValidationPipe()) q: KbSearchQueryDto): Promise<KbSearchResponseDto> {
    const { page, source } = await this.pages.resolve(q);
    const hits = await this.kb.search(
      { message: q.q, page: page && { canonicalUrl: page.canonicalUrl, title: page.title }, lastActionLabel: page?.lastActionLabel },
      { topK: q.topK, maxChars: q.maxChars },
    );
    return { hits, page, pageSource: source };
  }

  @Post('reindex')
  @HttpCode(200)
  @ApiOperation({ summary: 'Re-read the knowledge-base folder now (one run at a time; concurrent calls share the next run)' })
  @ApiResponse({ status: 200, type: KbReindexResponseDto })
  @ApiResponse({ status: 503, description: 'The folder could not be read; the previous index stays in use' })
  async reindex(): Promise<KbReindexResponseDto> {
    try {
      return await this.kb.reindex();
    } catch (err) {
      throw new ServiceUnavailableException(`reindex failed: ${(err as Error).message}`);
    }
  }
}

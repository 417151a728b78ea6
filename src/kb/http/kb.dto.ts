import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { buildMessage, IsInt, IsNotEmpty, IsOptional, IsString, Matches, Max, MaxLength, Min, ValidateBy, type ValidationOptions } from 'class-validator';
import { isWellFormed } from '../well-formed';

export const MAX_Q_CHARS = 2_000;
const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

/** Refuses strings with lone surrogates (they cannot be encoded as UTF-8 and break tokenisation and logs). */
function IsWellFormedText(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isWellFormedText',
      validator: {
        validate: (value: unknown) => typeof value === 'string' && isWellFormed(value),
        defaultMessage: buildMessage((each) => `${each}$property must be well-formed Unicode text`, options),
      },
    },
    options,
  );
}

// class-validator runs a property's decorators bottom-up; the type check sits lowest so it is reported first.
export class KbSearchQueryDto {
  @ApiProperty({ description: 'What the user asked', example: 'how do I change several at once?', maxLength: MAX_Q_CHARS })
  @Transform(trim)
  @MaxLength(MAX_Q_CHARS)
  @IsNotEmpty()
  @IsWellFormedText()
  @IsString()
  q!: string;

  @ApiPropertyOptional({ description: 'Canonical URL of the page the user is on (wins over userId)', example: '/projects/:id/edit', maxLength: 500 })
  @IsOptional()
  @Matches(/^\/[^\s]*$/, { message: 'page must be a path starting with / without spaces' })
  @MaxLength(500)
  @IsWellFormedText()
  @IsString()
  page?: string;

  @ApiPropertyOptional({ description: 'Title of that page', example: 'Edit project', maxLength: 200 })
  @IsOptional()
  @MaxLength(200)
  @IsWellFormedText()
  @IsString()
  pageTitle?: string;

  @ApiPropertyOptional({ description: "The user's last action label", example: "Clicked 'Save changes'", maxLength: 300 })
  @IsOptional()
  @MaxLength(300)
  @IsWellFormedText()
  @IsString()
  lastAction?: string;

  @ApiPropertyOptional({ description: "A user id: their current page comes from the activity (KB_PAGE_CONTEXT) when `page` is absent", example: 'u_42', maxLength: 200 })
  @IsOptional()
  @MaxLength(200)
  @IsNotEmpty()
  @IsWellFormedText()
  @IsString()
  userId?: string;

  @ApiPropertyOptional({ description: 'Hits to return (default KB_TOP_K)', minimum: 1, maximum: 20 })
  @IsOptional()
  @Max(20)
  @Min(1)
  @IsInt()
  @Type(() => Number)
  topK?: number;

  @ApiPropertyOptional({ description: 'Total characters of hit text (default KB_MAX_CHARS)', minimum: 100, maximum: 20_000 })
  @IsOptional()
  @Max(20_000)
  @Min(100)
  @IsInt()
  @Type(() => Number)
  maxChars?: number;
}

export class KbHitDto {
  @ApiProperty({ example: 'projects/bulk-edit.md#how-to-bulk-edit' }) chunkId!: string;
  @ApiProperty({ example: 'projects/bulk-edit.md', description: 'File, relative to the knowledge-base folder' }) source!: string;
  @ApiProperty({ example: 'Update several projects at once with Bulk edit' }) docTitle!: string;
  @ApiProperty({ type: [String], example: ['How to bulk edit'] }) headingPath!: string[];
  @ApiPropertyOptional({ example: 'https://help.acme-projects.example/projects/bulk-edit' }) url?: string;
  @ApiProperty() text!: string;
  @ApiProperty({ description: 'Ranking score: page-boosted BM25 (lexical), or reciprocal-rank-fusion score (hybrid)' }) score!: number;
  @ApiProperty({ description: "Whether the document lists the user's current page" }) matchedPage!: boolean;
  @ApiPropertyOptional({ description: '1-based rank in the lexical list' }) lexicalRank?: number;
  @ApiPropertyOptional({ description: '1-based rank in the vector list' }) vectorRank?: number;
}

export class KbPageDto {
  @ApiProperty({ example: '/projects/:id/edit' }) canonicalUrl!: string;
  @ApiPropertyOptional({ example: 'Edit project' }) title?: string;
  @ApiPropertyOptional({ example: "Clicked 'Save changes'" }) lastActionLabel?: string;
}

export class KbSearchResponseDto {
  @ApiProperty({ type: [KbHitDto], description: 'Best first, within topK and maxChars' }) hits!: KbHitDto[];
  @ApiPropertyOptional({ type: KbPageDto, description: 'The page the search was ranked for' }) page?: KbPageDto;
  @ApiProperty({ enum: ['query', 'activity', 'none'], description: 'Where the page came from' }) pageSource!: 'query' | 'activity' | 'none';
}

export class KbSkippedFileDto {
  @ApiProperty({ example: 'drafts/notes.md' }) file!: string;
  @ApiProperty({ example: 'invalid front matter: pages must be a list of paths starting with /' }) reason!: string;
}

export class KbReindexResponseDto {
  @ApiProperty() documents!: number;
  @ApiProperty() chunks!: number;
  @ApiProperty({ type: [KbSkippedFileDto] }) skipped!: KbSkippedFileDto[];
  @ApiProperty() durationMs!: number;
  @ApiProperty({ description: 'Chunks sent to the embeddings endpoint in this run' }) embedded!: number;
  @ApiProperty({ enum: ['ok', 'off', 'failed'] }) embeddings!: 'ok' | 'off' | 'failed';
}

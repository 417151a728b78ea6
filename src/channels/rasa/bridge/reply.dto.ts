import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { MAX_MESSAGE_CHARS } from '../../../copilot/chat-limits';

const INTENTS = ['question', 'recap', 'page_help'] as const;

export class ReplyQueryDto {
  @ApiProperty({ description: 'What the user asked', example: 'what did I just do', maxLength: MAX_MESSAGE_CHARS })
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value))
  @MaxLength(MAX_MESSAGE_CHARS)
  @IsNotEmpty()
  @IsString()
  query!: string;

  @ApiPropertyOptional({ enum: INTENTS, description: 'What kind of answer is wanted (Rasa actions know it from the intent)' })
  @IsOptional()
  @IsIn(INTENTS)
  intent?: (typeof INTENTS)[number];

  @ApiPropertyOptional({ description: 'API key, for clients that cannot set an Authorization header' })
  @IsOptional()
  @IsString()
  token?: string;
}

export class BridgeSourceDto {
  @ApiProperty({ example: 'Cancel your subscription', description: "The help-center article's title" })
  title!: string;

  @ApiProperty({ type: String, nullable: true, example: 'https://help.acme-projects.example/billing/cancel', description: "The article's url from its front matter; null when it has none" })
  url!: string | null;
}

export class BridgeReplyDto {
  @ApiProperty({ example: "You're already on the upgrade page — pick a plan and confirm." })
  reply!: string;

  @ApiProperty({ type: String, nullable: true, description: 'First name from the user\'s email, when known', example: 'Casey' })
  name!: string | null;

  @ApiProperty({ description: 'Whether recent activity of this user grounded the reply' })
  has_activity!: boolean;

  @ApiProperty({
    type: [BridgeSourceDto],
    description: 'Help-center articles whose excerpts were in the prompt, most relevant first (KB_DIR); empty without a knowledge base, when none matched, or on the fallback reply',
  })
  sources!: BridgeSourceDto[];
}

import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { MAX_ID_CHARS, MAX_MESSAGE_CHARS } from '../copilot/chat-limits';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

/** POST /v1/chat's body without `userId` (the token names the user) and without `email` (a browser's word is not a verified email). */
export class BrowserChatRequestDto {
  @ApiProperty({ description: 'What the user wrote', example: 'How do I edit several projects?', maxLength: MAX_MESSAGE_CHARS })
  @Transform(trim)
  @MaxLength(MAX_MESSAGE_CHARS)
  @IsNotEmpty()
  @IsString()
  message!: string;

  @ApiPropertyOptional({ description: 'Continue a conversation: the id returned by a previous call', maxLength: MAX_ID_CHARS })
  @IsOptional()
  @MaxLength(MAX_ID_CHARS)
  @IsNotEmpty()
  @IsString()
  conversationId?: string;

  @ApiPropertyOptional({ description: 'The tab session the snippet reports activity under; its activity is put first', maxLength: MAX_ID_CHARS })
  @IsOptional()
  @MaxLength(MAX_ID_CHARS)
  @IsString()
  sessionId?: string;

  @ApiPropertyOptional({ description: 'Restrict the activity to one product', maxLength: MAX_ID_CHARS })
  @IsOptional()
  @MaxLength(MAX_ID_CHARS)
  @IsString()
  productId?: string;
}

export class BrowserChatResponseDto {
  @ApiProperty({ example: "You're on the Projects page — select several projects, then More → Bulk edit." }) reply!: string;
  @ApiProperty({ description: 'Pass it back to continue this conversation' }) conversationId!: string;
  @ApiProperty({ description: 'Whether any recent activity of this user grounded the reply' }) hasActivity!: boolean;
}

import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { MAX_ID_CHARS, MAX_MESSAGE_CHARS } from './chat-limits';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

/**
 * The fields every chat request body shares (POST /v1/chat, POST /v1/browser/chat): each
 * endpoint's DTO extends it with how it names the user. class-validator runs a property's
 * decorators bottom-up; the type check sits lowest so it is reported first.
 */
export class ChatMessageFields {
  @ApiProperty({ description: 'What the user wrote', example: 'How do I edit several projects?', maxLength: MAX_MESSAGE_CHARS })
  @Transform(trim)
  @MaxLength(MAX_MESSAGE_CHARS)
  @IsNotEmpty()
  @IsString()
  message!: string;

  @ApiPropertyOptional({ description: 'Continue a conversation: the id returned by a previous call. A new one is issued when absent.', maxLength: MAX_ID_CHARS })
  @IsOptional()
  @MaxLength(MAX_ID_CHARS)
  @IsNotEmpty()
  @IsString()
  conversationId?: string;

  @ApiPropertyOptional({ description: 'The session the user is in now; its activity is put first', maxLength: MAX_ID_CHARS })
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

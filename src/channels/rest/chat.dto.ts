import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { MAX_EMAIL_CHARS, MAX_ID_CHARS } from '../../copilot/chat-limits';
import { ChatMessageFields } from '../../copilot/chat-request.fields';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

// class-validator runs a property's decorators bottom-up; the type check sits lowest so it is reported first.
export class ChatRequestDto extends ChatMessageFields {
  @ApiProperty({ description: 'Your product\'s user id (the one your activity events carry)', example: 'u_42', maxLength: MAX_ID_CHARS })
  @Transform(trim)
  @MaxLength(MAX_ID_CHARS)
  @IsNotEmpty()
  @IsString()
  userId!: string;

  @ApiPropertyOptional({ description: 'The user\'s email; gives the copilot a first name to greet', example: 'jane.doe@example.com' })
  @IsOptional()
  @MaxLength(MAX_EMAIL_CHARS)
  @IsEmail()
  email?: string;
}

export class ChatSourceDto {
  @ApiProperty({ example: 'Update several projects at once with Bulk edit', description: "The help-center article's title" })
  title!: string;

  @ApiProperty({ type: String, nullable: true, example: 'https://help.acme-projects.example/projects/bulk-edit', description: "The article's url from its front matter; null when it has none" })
  url!: string | null;
}

export class ChatResponseDto {
  @ApiProperty({ example: "You're on the Team page — enter your teammate's email in the invite dialog and press the send button." })
  reply!: string;

  @ApiProperty({ description: 'Pass it back to continue this conversation' })
  conversationId!: string;

  @ApiProperty({ description: 'Whether any recent activity of this user grounded the reply' })
  hasActivity!: boolean;

  @ApiProperty({
    type: [ChatSourceDto],
    description: 'Help-center articles whose excerpts were in the prompt, most relevant first (KB_DIR); empty without a knowledge base, when none matched, or on the fallback reply',
  })
  sources!: ChatSourceDto[];
}

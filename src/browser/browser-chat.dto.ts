import { ApiProperty } from '@nestjs/swagger';
import { ChatMessageFields } from '../copilot/chat-request.fields';

/** POST /v1/chat's body without `userId` (the token names the user) and without `email` (a browser's word is not a verified email). */
export class BrowserChatRequestDto extends ChatMessageFields {}

export class BrowserChatResponseDto {
  @ApiProperty({ example: "You're on the Projects page — select several projects, then More → Bulk edit." }) reply!: string;
  @ApiProperty({ description: 'Pass it back to continue this conversation' }) conversationId!: string;
  @ApiProperty({ description: 'Whether any recent activity of this user grounded the reply' }) hasActivity!: boolean;
}

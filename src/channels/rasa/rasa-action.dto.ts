import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** OpenAPI shapes of the action-server protocol (validation is rasa-action-call.schema.ts). */
export class RasaLatestMessageDto {
  @ApiPropertyOptional({ example: 'what did I just do' })
  text?: string;

  @ApiPropertyOptional({
    description: 'Channel metadata; the user id is read from customData.userId, then userId (else sender_id is used)',
    example: { customData: { userId: 'u_123' } },
  })
  metadata?: Record<string, unknown>;
}

export class RasaTrackerDto {
  @ApiPropertyOptional({ example: 'a1b2c3' })
  sender_id?: string;

  @ApiPropertyOptional({ type: RasaLatestMessageDto })
  latest_message?: RasaLatestMessageDto;
}

export class RasaActionCallDto {
  @ApiProperty({ example: 'action_recent_activity' })
  next_action!: string;

  @ApiPropertyOptional({ description: 'Rasa conversation id (falls back to tracker.sender_id)', example: 'a1b2c3' })
  sender_id?: string;

  @ApiProperty({ type: RasaTrackerDto, description: 'Rasa tracker state; fields not listed here are accepted and ignored' })
  tracker!: RasaTrackerDto;

  @ApiPropertyOptional({ type: Object, description: 'Rasa domain (ignored)' })
  domain?: Record<string, unknown>;

  @ApiPropertyOptional({ example: '3.6.20' })
  version?: string;
}

export class RasaTextResponseDto {
  @ApiProperty({ example: "You've just opened the invite dialog on the Team page…" })
  text!: string;
}

export class RasaActionResponseDto {
  @ApiProperty({ type: [Object], example: [] })
  events!: Record<string, unknown>[];

  @ApiProperty({ type: [RasaTextResponseDto] })
  responses!: RasaTextResponseDto[];
}

export class RasaActionNameDto {
  @ApiProperty({ example: 'action_ask_llm' })
  name!: string;
}

export class RasaHealthDto {
  @ApiProperty({ example: 'ok' })
  status!: string;
}

export class RasaErrorDto {
  @ApiProperty({ example: "No registered action found for name 'action_x'." })
  error!: string;

  @ApiPropertyOptional({ example: 'action_x', description: 'The action the call named (Rasa reads it on a 400 to reject the action cleanly)' })
  action_name?: string;
}

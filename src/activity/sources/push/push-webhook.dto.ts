import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** OpenAPI description of the connector wire format; validation is done by activity.parser.ts. */
export class WireActionDto {
  @ApiPropertyOptional({ example: 0, description: '0-based position in the session' }) index?: number;
  @ApiPropertyOptional({ example: 'click', description: 'pageview | click | submit | type | focus | blur' }) type?: string;
  @ApiProperty({ example: "Clicked 'Export CSV'" }) title!: string;
  @ApiPropertyOptional({ example: 'User clicked Export CSV on the dashboard' }) description?: string;
  @ApiPropertyOptional({ example: '/dashboard' }) canonical_url?: string;
  @ApiPropertyOptional({ example: 'https://app.example.com/dashboard?ref=email' }) raw_url?: string;
  @ApiPropertyOptional({ example: 1700000000.0, description: 'epoch seconds' }) timestamp_start?: number;
  @ApiPropertyOptional({ example: 1700000005.2 }) timestamp_end?: number;
}

export class ActivityEventDto {
  @ApiProperty({ enum: ['actions', 'summary'], description: 'Other types are acknowledged and ignored' }) type!: string;
  @ApiPropertyOptional({ example: 'prod_abc' }) product_id?: string;
  @ApiProperty({ example: 'ps_abc123', description: 'Required: activity without a session is refused' }) session_id!: string;
  @ApiPropertyOptional({ example: 'user_42', description: 'actions events' }) user_id?: string;
  @ApiPropertyOptional({ example: 'jane.doe@example.com', description: 'actions events' }) email?: string;
  @ApiPropertyOptional({ type: [WireActionDto], description: 'actions events' }) actions?: WireActionDto[];
  @ApiPropertyOptional({ example: 1, description: 'reconciled with actions.length' }) count?: number;
  @ApiPropertyOptional({ example: 'The user exported a CSV, then opened billing.', description: 'summary events' }) summary?: string;
  @ApiPropertyOptional({ example: 12, description: 'summary events: how many oldest raw actions it replaces' }) replaces?: number;
  @ApiPropertyOptional({ example: 1700000060.0 }) forwarded_at?: number;
}

export class IngestAcceptedDto {
  @ApiProperty({ enum: ['accepted', 'ignored'] }) status!: string;
  @ApiPropertyOptional({ example: 'actions', description: 'The event type (accepted events; ignored unknown types name theirs)' }) type?: string;
  @ApiPropertyOptional({ example: 3, description: 'Actions stored (accepted actions events)' }) actions?: number;
  @ApiPropertyOptional({ example: 1, description: 'Actions dropped because their own timestamps are older than LOOKBACK_SECONDS' }) stale?: number;
  @ApiPropertyOptional({
    example: 'missing_session_id',
    description: 'Why an event was acknowledged but not stored: missing_type, unknown_type, invalid_event, missing_session_id, empty_summary, no_actions, stale',
  })
  reason?: string;
  @ApiPropertyOptional({ example: 'session_id is required: activity without a session cannot be attributed to a user' }) detail?: string;
  @ApiPropertyOptional({ example: true, description: 'Present on ignored events' }) ignored?: boolean;
}

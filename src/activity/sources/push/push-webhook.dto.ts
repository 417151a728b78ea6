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
  @ApiProperty({ example: 'actions' }) type!: string;
  @ApiPropertyOptional({ example: 3 }) actions?: number;
  @ApiPropertyOptional({ example: true, description: 'present for unknown event types' }) ignored?: boolean;
}

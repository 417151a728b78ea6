import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/**
 * OpenAPI description of the flat body a PostHog Hog destination sends (the
 * connector recipes' script). Validation is done by posthog.extraction.ts, which
 * also accepts `{event: {...}, person: {...}}` and `{batch: [...]}`.
 */
export class PosthogFlatEventDto {
  @ApiProperty({ example: '$autocapture', description: '$pageview, $autocapture, $rageclick or a custom event; low-signal events ($pageleave, $identify, …) are skipped' })
  event!: string;
  @ApiPropertyOptional({ example: '2024-05-01T12:00:00.000Z' }) timestamp?: string;
  @ApiProperty({ example: '018f2c4e-…', description: 'PostHog $session_id; events without one are skipped' }) session_id!: string;
  @ApiPropertyOptional({ example: 'user_42', description: 'PostHog distinct_id = the user id used by the chat channels' }) distinct_id?: string;
  @ApiPropertyOptional({ example: 'jane.doe@example.com' }) email?: string;
  @ApiPropertyOptional({ example: 'https://app.example.com/projects/123?tab=settings' }) current_url?: string;
  @ApiPropertyOptional({ example: 'click', description: '$event_type of $autocapture: click | submit | change' }) event_type?: string;
  @ApiPropertyOptional({ example: 'button:text="Add project"nth-child="1";div:nth-child="2"' }) elements_chain?: string;
  @ApiPropertyOptional({ example: 'Add project' }) button_or_link_text?: string;
  @ApiPropertyOptional({ example: 'add-project' }) element_id?: string;
  @ApiPropertyOptional({ example: 'project_name' }) input_field_name?: string;
  @ApiPropertyOptional({ example: '/projects/new' }) link_destination?: string;
  @ApiPropertyOptional({ example: 'https://google.com' }) referrer?: string;
}

export class PosthogAcceptedDto {
  @ApiProperty({ enum: ['accepted'] }) status!: string;
  @ApiProperty({ example: 3, description: 'PostHog events in the request' }) events!: number;
  @ApiProperty({ example: 2, description: 'Actions published' }) actions!: number;
  @ApiProperty({ example: 1, description: 'Events that did not become actions' }) skipped!: number;
  @ApiProperty({ example: 1, description: 'Distinct sessions the actions belong to' }) sessions!: number;
  @ApiProperty({ example: { low_signal: 1 }, description: 'Skipped events by reason' }) skipped_reasons!: Record<string, number>;
}

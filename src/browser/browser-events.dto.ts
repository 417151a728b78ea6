import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { z } from 'zod';
import { MAX_ID_CHARS } from '../common/limits';

/** What the snippet captures; anything else is refused (400) rather than stored under a made-up type. */
export const BROWSER_ACTION_TYPES = ['pageview', 'click', 'submit', 'change'] as const;

/** Actions in one batch; the snippet flushes well below this. */
export const MAX_BROWSER_BATCH = 50;
export const MAX_TITLE_CHARS = 300;
export const MAX_URL_CHARS = 2_000;

const id = z.string().trim().min(1, 'must not be empty').max(MAX_ID_CHARS, `must be at most ${MAX_ID_CHARS} characters`);

/**
 * The body of POST /v1/browser/events. Nested (a list of actions), so it is validated by
 * this schema rather than the flat-DTO global pipe; strict, so a body cannot slip in a
 * `userId` (the token names the user).
 */
export const browserEventsSchema = z
  .object({
    productId: id,
    sessionId: id,
    actions: z
      .array(
        z
          .object({
            type: z.enum(BROWSER_ACTION_TYPES),
            title: z.string().trim().min(1, 'must not be empty').max(MAX_TITLE_CHARS),
            url: z.string().min(1, 'must not be empty').max(MAX_URL_CHARS),
            at: z.number().int().nonnegative().optional(),
            index: z.number().int().nonnegative().optional(),
          })
          .strict(),
      )
      .max(MAX_BROWSER_BATCH, `at most ${MAX_BROWSER_BATCH} actions per batch`),
  })
  .strict();

export type BrowserEvents = z.infer<typeof browserEventsSchema>;

// OpenAPI description of the schema above.
export class BrowserActionDto {
  @ApiProperty({ enum: BROWSER_ACTION_TYPES }) type!: string;
  @ApiProperty({ example: "Clicked 'Edit'", maxLength: MAX_TITLE_CHARS }) title!: string;
  @ApiProperty({ example: 'https://app.example.com/projects/42?tab=1', description: 'The page it happened on', maxLength: MAX_URL_CHARS }) url!: string;
  @ApiPropertyOptional({ example: 1700000000000, description: 'When it happened, epoch ms (absent = now; later than now = now)' }) at?: number;
  @ApiPropertyOptional({ example: 3, description: '0-based position in the session, kept by the snippet' }) index?: number;
}

export class BrowserEventsDto {
  @ApiProperty({ example: 'acme', maxLength: MAX_ID_CHARS }) productId!: string;
  @ApiProperty({ example: 'bs_k2j4h5', description: 'The tab session the snippet keeps', maxLength: MAX_ID_CHARS }) sessionId!: string;
  @ApiProperty({ type: [BrowserActionDto], maxItems: MAX_BROWSER_BATCH }) actions!: BrowserActionDto[];
}

export class BrowserEventsAcceptedDto {
  @ApiProperty({ enum: ['accepted', 'ignored'] }) status!: string;
  @ApiPropertyOptional({ example: 3, description: 'Actions stored' }) actions?: number;
  @ApiPropertyOptional({ example: 'stale', description: 'Why nothing was stored' }) reason?: string;
}

/** The body, or a 400 message naming the first bad field (`actions[1].type: …`). */
export function parseBrowserEvents(body: unknown): { ok: true; value: BrowserEvents } | { ok: false; message: string } {
  const result = browserEventsSchema.safeParse(body);
  if (result.success) return { ok: true, value: result.data };
  const issue = result.error.issues[0];
  const path = issue.path.reduce<string>((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${String(p)}` : String(p)), '');
  const keys = issue.code === 'unrecognized_keys' ? ` (${issue.keys.join(', ')})` : '';
  return { ok: false, message: `${path || 'body'}: ${issue.message}${keys}` };
}

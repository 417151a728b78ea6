import { BadRequestException } from '@nestjs/common';
import { z } from 'zod';
import { isRecord } from '../../common/text';
import { MAX_EMAIL_CHARS, MAX_ID_CHARS } from '../../copilot/chat-limits';

// Crisp session ids are `session_<uuid>`; anything else (control characters, spaces, lone surrogates) is refused here
// rather than failing, retried as if Crisp were down, in the reply job.
const sessionId = z.string().trim().min(1).max(MAX_ID_CHARS).regex(/^[\w.:-]+$/, 'must be a Crisp session id');

const MAX_PICKER_CHOICES = 20;
const MAX_PICKER_LABEL_CHARS = 200;

/** Delivery envelope: `{ website_id, event, data, timestamp }`. Unknown fields are ignored. */
export const crispEnvelopeSchema = z.object({
  event: z.string({ message: 'must be a string naming the event' }).min(1, 'must not be empty'),
  data: z.record(z.string(), z.unknown(), { message: 'must be an object' }),
  website_id: z.string().optional(),
  timestamp: z.number().optional(),
});
export type CrispEnvelope = z.infer<typeof crispEnvelopeSchema>;

/** `message:send` / `message:received` data (only what we read). */
export const crispMessageSchema = z.object({
  session_id: sessionId,
  website_id: z.string().optional(),
  type: z.string(),
  from: z.string(),
  content: z.unknown(),
  fingerprint: z.union([z.number(), z.string().max(MAX_ID_CHARS)]).optional(),
  timestamp: z.number().optional(),
});

/**
 * `message:updated` on a picker (Events.ts: `fingerprint`, `content: string | picker content`):
 * a visitor's click shows as its choice with `selected: true`. Labels are bounded like any message.
 */
export const crispPickerUpdateSchema = z.object({
  session_id: sessionId,
  fingerprint: z.union([z.number(), z.string().max(MAX_ID_CHARS)]).optional(),
  content: z.object({
    id: z.string().max(MAX_ID_CHARS),
    choices: z
      .array(z.object({ value: z.string().max(MAX_ID_CHARS), label: z.string().max(MAX_PICKER_LABEL_CHARS), selected: z.boolean().optional() }))
      .max(MAX_PICKER_CHOICES),
  }),
});

/** `session:set_data`: the session's custom data; `user_id` is the product's user id when the web app sets it. */
export const crispSetDataSchema = z.object({
  session_id: sessionId,
  data: z.record(z.string(), z.unknown()),
});

/** `session:update_verify`: Crisp identity verification of the session (`is_verified`). */
export const crispVerifySchema = z.object({
  session_id: sessionId,
  is_verified: z.boolean(),
});

export const crispSetEmailSchema = z.object({
  session_id: sessionId,
  email: z.string().trim().min(3).max(MAX_EMAIL_CHARS),
});

/**
 * Validates the envelope; 400 names the first bad field. Every delivery passes through
 * here, so a well-formed one is checked field by field as the schema would, with the same
 * result and no copy of `data`; anything else goes through the schema, which words the 400.
 */
export function parseCrispEnvelope(body: unknown): CrispEnvelope {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new BadRequestException('body must be a JSON object with event and data');
  const { event, data, website_id: websiteId, timestamp } = body as Record<string, unknown>;
  if (
    typeof event === 'string' &&
    event.length > 0 &&
    // What z.record accepts from parsed JSON: an object, not an array.
    isRecord(data) &&
    Object.getPrototypeOf(data) === Object.prototype &&
    (websiteId === undefined || typeof websiteId === 'string') &&
    (timestamp === undefined || (typeof timestamp === 'number' && Number.isFinite(timestamp)))
  ) {
    const envelope: CrispEnvelope = { event, data };
    if (websiteId !== undefined) envelope.website_id = websiteId;
    if (timestamp !== undefined) envelope.timestamp = timestamp;
    return envelope;
  }
  const res = crispEnvelopeSchema.safeParse(body);
  if (!res.success) {
    const issue = res.error.issues[0];
    const field = issue.path.map(String).join('.') || '(body)';
    const missing = issue.code === 'invalid_type' && (body as Record<string, unknown>)[field] === undefined;
    throw new BadRequestException(`${field}: ${missing ? 'is required' : issue.message}`);
  }
  return res.data;
}

import { BadRequestException } from '@nestjs/common';
import { z } from 'zod';

/** Longest visitor message handed to the copilot; Crisp's own limit is far above what a prompt should carry. */
export const MAX_MESSAGE_CHARS = 4_000;
const MAX_ID_CHARS = 200;

const sessionId = z.string().trim().min(1).max(MAX_ID_CHARS);

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

/** `session:set_data`: the session's custom data; `user_id` is the product's user id when the web app sets it. */
export const crispSetDataSchema = z.object({
  session_id: sessionId,
  data: z.record(z.string(), z.unknown()),
});

export const crispSetEmailSchema = z.object({
  session_id: sessionId,
  email: z.string().trim().min(3).max(320),
});

/** Validates the envelope; 400 names the first bad field. */
export function parseCrispEnvelope(body: unknown): CrispEnvelope {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new BadRequestException('body must be a JSON object with event and data');
  const res = crispEnvelopeSchema.safeParse(body);
  if (!res.success) {
    const issue = res.error.issues[0];
    const field = issue.path.map(String).join('.') || '(body)';
    const missing = issue.code === 'invalid_type' && (body as Record<string, unknown>)[field] === undefined;
    throw new BadRequestException(`${field}: ${missing ? 'is required' : issue.message}`);
  }
  return res.data;
}

/** A product user id from session data: string or number, trimmed, bounded. */
export function toUserId(value: unknown): string | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  const id = String(value).trim();
  return id && id.length <= MAX_ID_CHARS ? id : undefined;
}

export function toEmail(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const email = value.trim();
  return email.includes('@') && email.length <= 320 ? email : undefined;
}

import { z } from 'zod';

const optionalText = z.string().nullish();
const looseRecord = z.record(z.string(), z.unknown()).nullish();

/**
 * The action call Rasa POSTs to its action endpoint (rasa-sdk protocol):
 * `{next_action, sender_id, tracker, domain, version}`. Only the fields we read are
 * checked; everything else Rasa sends (events, slots, domain…) passes through untouched.
 */
export const rasaActionCallSchema = z
  .looseObject({
    next_action: z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters'),
    sender_id: optionalText,
    tracker: z.looseObject(
      {
        sender_id: optionalText,
        latest_message: z
          .looseObject({
            text: optionalText,
            metadata: looseRecord,
            entities: z.array(z.unknown()).nullish(),
          })
          .nullish(),
      },
    ),
    domain: looseRecord,
    version: optionalText,
  })
  .refine((c) => Boolean(c.sender_id?.trim() || c.tracker.sender_id?.trim()), {
    message: 'is required (top level or tracker.sender_id)',
    path: ['sender_id'],
  });

export type RasaActionCall = z.infer<typeof rasaActionCallSchema>;

export type ParsedActionCall = { ok: true; call: RasaActionCall } | { ok: false; error: string; actionName?: string };

/** Validates an action call; the error names the first bad field, e.g. `tracker: must be an object`. */
export function parseRasaActionCall(body: unknown): ParsedActionCall {
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    return { ok: false, error: 'Invalid body request: expected a JSON object (a Rasa action call)' };
  }
  const res = rasaActionCallSchema.safeParse(body);
  if (res.success) return { ok: true, call: res.data };
  const issue = res.error.issues[0];
  const field = issue.path.map(String).join('.') || 'body';
  const raw = (body as Record<string, unknown>).next_action;
  return {
    ok: false,
    error: `Invalid body request: ${field} ${describe(issue)}`,
    actionName: typeof raw === 'string' && raw.trim() ? raw.trim().slice(0, 200) : undefined,
  };
}

function describe(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type') {
    // zod words it "Invalid input: expected string, received undefined".
    if (/received undefined/.test(issue.message)) return 'is required';
    const expected = issue.expected === 'object' || issue.expected === 'record' ? 'an object' : `a ${issue.expected}`;
    return `must be ${expected}`;
  }
  return issue.message;
}

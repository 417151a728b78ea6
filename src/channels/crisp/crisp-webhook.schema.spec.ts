import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { crispEnvelopeSchema, parseCrispEnvelope } from './crisp-webhook.schema';

const fixture = JSON.parse(readFileSync(join(__dirname, '../../../test/fixtures/crisp/webhook_message_send.quickstart.json'), 'utf8')) as Record<string, unknown>;

/** What the schema alone says about a body: its output, or the 400 parseCrispEnvelope words from its first issue. */
function bySchema(body: unknown): { ok: true; value: unknown } | { ok: false } {
  const res = crispEnvelopeSchema.safeParse(body);
  return res.success ? { ok: true, value: res.data } : { ok: false };
}

describe('parseCrispEnvelope', () => {
  const bodies: unknown[] = [
    fixture,
    { ...fixture, website_id: undefined },
    { event: 'message:send', data: {} },
    { event: 'message:send', data: { a: 1 }, timestamp: 1.5, extra: true },
    { event: '', data: {} },
    { event: 7, data: {} },
    { event: 'x', data: [] },
    { event: 'x', data: null },
    { event: 'x', data: 'text' },
    { event: 'x' },
    { event: 'x', data: {}, website_id: 42 },
    { event: 'x', data: {}, timestamp: '1' },
    { data: {} },
  ];

  it.each(bodies.map((b) => [JSON.stringify(b), b]))('agrees with the schema on %s', (_label, body) => {
    const expected = bySchema(body);
    if (expected.ok) {
      expect(parseCrispEnvelope(body)).toEqual(expected.value);
    } else {
      expect(() => parseCrispEnvelope(body)).toThrow();
    }
  });

  it('names the first bad field in the 400', () => {
    expect(() => parseCrispEnvelope({ event: 'x', data: [] })).toThrow('data: must be an object');
    expect(() => parseCrispEnvelope({ data: {} })).toThrow('event: is required');
    expect(() => parseCrispEnvelope({ event: '', data: {} })).toThrow('event: must not be empty');
    expect(() => parseCrispEnvelope([])).toThrow('body must be a JSON object with event and data');
  });

  it('keeps only the envelope fields', () => {
    expect(Object.keys(parseCrispEnvelope({ event: 'x', data: {}, other: 1 }))).toEqual(['event', 'data']);
  });
});

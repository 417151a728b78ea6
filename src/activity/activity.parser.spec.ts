import { fixturePath } from '../../test/support/fixtures';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { MAX_FIELD_CHARS, parseActivityEvent } from './activity.parser';

const FIXTURES = fixturePath('connector');
const fixture = (rel: string) => JSON.parse(readFileSync(join(FIXTURES, rel), 'utf8'));

describe('parseActivityEvent', () => {
  it('parses every vendored connector actions/summary fixture', () => {
    const files = [
      ...readdirSync(FIXTURES).filter((f) => /^(actions|summary)-event\..*\.json$/.test(f)),
      'push-actions-body.test-sdk-webhook.json',
      'push-summary-body.test-sdk-webhook.json',
      'actions-dict.test-sdk-models.json',
      'actions-payload.test-sdk-client.json',
      'sse-data.empty-actions.test-sdk-client.json',
      'summary-dict.test-sdk-models.json',
      'summary-payload.test-sdk-client.json',
    ];
    expect(files.length).toBeGreaterThanOrEqual(12);
    for (const f of files) {
      const result = parseActivityEvent(fixture(f), 'test');
      expect({ f, ok: result.ok }).toEqual({ f, ok: true });
    }
  });

  it('maps the full payload-schema example field by field', () => {
    const r = parseActivityEvent(fixture('actions-event.payload-schema.json'), 'push');
    if (!r.ok || r.event.type !== 'actions') throw new Error('expected actions');
    expect(r.event).toMatchObject({ productId: 'prod_abc', sessionId: 'ps_abc123', userId: 'distinct_id_xyz', email: 'user@example.com', count: 3, forwardedAt: 1700000000, source: 'push' });
    expect(r.event.actions[1]).toEqual({
      index: 1,
      type: 'click',
      title: 'Click Export CSV button',
      description: 'User clicked Export CSV button on the dashboard page',
      canonicalUrl: 'https://app.example.com/dashboard',
      rawUrl: 'https://app.example.com/dashboard',
      timestampStart: 1700000005.2,
      timestampEnd: 1700000012.8,
      sessionId: 'ps_abc123',
      userId: 'distinct_id_xyz',
      email: 'user@example.com',
    });
  });

  it('defaults missing optional fields like the SDK (minimal wire example)', () => {
    const r = parseActivityEvent(fixture('actions-event.integration-guide.json'), 'push');
    if (!r.ok || r.event.type !== 'actions') throw new Error('expected actions');
    expect(r.event.userId).toBeUndefined();
    expect(r.event.email).toBeUndefined();
    expect(r.event.actions[0]).toMatchObject({ index: 0, type: '', rawUrl: '', timestampStart: 0, timestampEnd: 0, canonicalUrl: '/products/shoes' });
  });

  it('reconciles count with the actions actually sent, and treats empty identity as unknown', () => {
    const r = parseActivityEvent({ type: 'actions', session_id: 's', user_id: '', email: null, count: 7, actions: [{ title: 'a' }, { title: 'b' }] }, 'test');
    if (!r.ok || r.event.type !== 'actions') throw new Error('expected actions');
    expect(r.event.count).toBe(2);
    expect(r.event.userId).toBeUndefined();
    expect(r.event.email).toBeUndefined();
    expect(r.event.productId).toBe('');
  });

  it('missing count and missing actions default to an empty batch', () => {
    const r = parseActivityEvent({ type: 'actions', session_id: 's' }, 'test');
    expect(r.ok && r.event.type === 'actions' && r.event.count === 0 && r.event.actions.length === 0).toBe(true);
  });

  it('takes identity from per-action fields when the batch has none', () => {
    const r = parseActivityEvent({ type: 'actions', actions: [{ title: 'x', session_id: 's9', user_id: 'u9', email: 'e@x.io' }] }, 'test');
    expect(r.ok && r.event.type === 'actions' && [r.event.sessionId, r.event.userId, r.event.email]).toEqual(['s9', 'u9', 'e@x.io']);
  });

  it('caps very long text fields', () => {
    const r = parseActivityEvent({ type: 'actions', session_id: 's', actions: [{ title: 'x'.repeat(50_000) }] }, 'test');
    expect(r.ok && r.event.type === 'actions' && r.event.actions[0].title.length).toBe(MAX_FIELD_CHARS);
  });

  it('parses summary events and defaults replaces to 0', () => {
    const r = parseActivityEvent({ type: 'summary', session_id: 's', summary: '  did things ' }, 'test');
    expect(r.ok && r.event).toMatchObject({ type: 'summary', summary: 'did things', replaces: 0 });
  });

  it.each([
    [{ type: 5 }, 'type must be a string'],
    [{ type: 'actions', actions: 'nope' }, 'actions must be an array'],
    [{ type: 'actions', actions: { 0: {} } }, 'actions must be an array'],
    [{ type: 'actions', actions: [{ title: 'ok' }, 'bad'] }, 'actions[1] must be an object'],
    [{ type: 'actions', actions: [{ title: { nested: true } }] }, 'actions[0].title must be a string'],
    [{ type: 'actions', actions: [{ timestamp_start: 'yesterday' }] }, 'actions[0].timestamp_start must be a number'],
    [{ type: 'summary', summary: 'x', replaces: -1 }, 'replaces must not be negative'],
  ])('refuses %j as an invalid event, with a message naming the problem', (body, message) => {
    const r = parseActivityEvent(body, 'test');
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toBe('invalid_event');
    expect(!r.ok && r.message).toContain(message);
  });

  it.each([
    [[], 'not_object'],
    ['str', 'not_object'],
    [null, 'not_object'],
    [{ session_id: 's' }, 'missing_type'],
    [{ type: null }, 'missing_type'],
    [{ type: 'summary', session_id: 's' }, 'empty_summary'],
    [{ type: 'summary', session_id: 's', summary: '  ' }, 'empty_summary'],
  ])('classifies %j as %s', (body, reason) => {
    const r = parseActivityEvent(body, 'test');
    expect(!r.ok && r.reason).toBe(reason);
  });

  it('reports unknown types separately (they are ignored, not errors)', () => {
    const r = parseActivityEvent(fixture('unknown-type-body.test-sdk-webhook.json'), 'push');
    expect(r).toMatchObject({ ok: false, reason: 'unknown_type', type: 'heartbeat' });
  });
});

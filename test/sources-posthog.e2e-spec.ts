import { isoAt } from './support/clock';
import { fixturePath } from './support/fixtures';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { ActivityStream } from '../src/activity/activity.stream';
import type { ActionsEvent, ActivityEvent } from '../src/activity/activity.types';
import { hmacSha256Hex } from '../src/common/secrets';
import { bootTestApp, type TestApp } from './support/test-app';

const FIX = fixturePath('posthog');
const SECRET = 'ph-destination-secret';

/** The flat body the recipes' Hog function sends (hog-function-source.*.txt). */
const hog = (over: Record<string, unknown> = {}) => ({
  event: '$autocapture',
  referrer: '',
  email: '',
  timestamp: isoAt(0),
  element_id: '',
  event_type: 'click',
  session_id: 'ph_sess_1',
  current_url: 'https://app.acme.io/projects/123/settings?tab=members',
  distinct_id: 'user_ph',
  elements_chain: '',
  input_field_name: '',
  link_destination: '',
  button_or_link_text: '',
  ...over,
});

describe('POST /v1/activity/posthog', () => {
  let t: TestApp;
  let published: ActionsEvent[];

  beforeAll(async () => {
    t = await bootTestApp({ env: { POSTHOG_WEBHOOK_SECRET: SECRET, POSTHOG_PRODUCT_ID: 'acme_web' } });
    published = [];
    t.app.get(ActivityStream).subscribe('test-recorder', (e: ActivityEvent) => {
      if (e.type === 'actions' && e.source === 'posthog') published.push(e);
    });
  });
  afterAll(() => t.close());

  const post = (body: unknown, secret: string | null = SECRET) => {
    const req = request(t.server).post('/v1/activity/posthog').set('content-type', 'application/json');
    if (secret !== null) req.set('x-posthog-secret', secret);
    return req.send(typeof body === 'string' ? body : JSON.stringify(body));
  };
  const context = async (userId: string) => (await request(t.server).get(`/v1/users/${userId}/context`).expect(200)).body;

  it('turns a session of Hog-function events into titled actions with canonical URLs', async () => {
    const res = await post({
      batch: [
        hog({ event: '$pageview', event_type: '', timestamp: isoAt(0), email: 'jane.doe@acme.io' }),
        hog({ timestamp: isoAt(3), elements_chain: 'button:text="Invite member"attr__id="invite"', button_or_link_text: 'Invite member' }),
        hog({ event_type: 'change', timestamp: isoAt(6), elements_chain: 'input:attr__name="invite_email"attr__type="email"', input_field_name: 'invite_email' }),
        hog({ event_type: 'submit', timestamp: isoAt(9), elements_chain: 'form:attr__id="invite-form"' }),
        hog({ event: '$rageclick', event_type: '', timestamp: isoAt(12), elements_chain: 'span:text="Send invite";button:attr__id="send"' }),
      ],
    }).expect(202);
    expect(res.body).toEqual({ status: 'accepted', events: 5, actions: 5, skipped: 0, sessions: 1, skipped_reasons: {} });

    const ctx = await context('user_ph');
    expect(ctx).toMatchObject({ userId: 'user_ph', email: 'jane.doe@acme.io', hasActivity: true });
    expect(ctx.sessions).toEqual([expect.objectContaining({ productId: 'acme_web', sessionId: 'ph_sess_1', actions: 5 })]);
    const lines = ctx.context.split('\n');
    expect(lines).toEqual(
      expect.arrayContaining([
        '1. [pageview] Viewed /projects/:id/settings — /projects/:id/settings',
        "2. [click] Clicked 'Invite member' — /projects/:id/settings",
        "3. [change] Changed 'invite_email' — /projects/:id/settings",
        "4. [submit] Submitted 'invite-form' — /projects/:id/settings",
        "5. [rageclick] Rage-clicked 'Send invite' — /projects/:id/settings  ← current position",
      ]),
    );
  });

  it('keeps per-session indexes increasing across requests, whatever order events arrive in', async () => {
    published.length = 0;
    await post(hog({ session_id: 'ph_idx', distinct_id: 'u_idx', timestamp: isoAt(2), button_or_link_text: 'B' })).expect(202);
    await post({ batch: [
      hog({ session_id: 'ph_idx', distinct_id: 'u_idx', timestamp: isoAt(9), button_or_link_text: 'D' }),
      hog({ session_id: 'ph_idx', distinct_id: 'u_idx', timestamp: isoAt(5), button_or_link_text: 'C' }),
      hog({ session_id: 'ph_other', distinct_id: 'u_other', button_or_link_text: 'Z' }),
    ] }).expect(202, { status: 'accepted', events: 3, actions: 3, skipped: 0, sessions: 2, skipped_reasons: {} });
    const idx = published.filter((e) => e.sessionId === 'ph_idx').flatMap((e) => e.actions.map((a) => [a.index, a.title]));
    expect(idx).toEqual([[0, "Clicked 'B'"], [1, "Clicked 'C'"], [2, "Clicked 'D'"]]);
    expect(published.find((e) => e.sessionId === 'ph_other')!.actions[0].index).toBe(0);
  });

  it('accepts PostHog\'s default webhook body {event, person} and takes the email from the person', async () => {
    const body = {
      event: {
        uuid: '018f0000-0000-7000-8000-000000000001',
        event: '$autocapture',
        distinct_id: 'u_webhook',
        timestamp: isoAt(60),
        elements_chain: 'a.nav-link:text="Billing"attr__href="/settings/billing";nav:nth-child="1"',
        properties: { $session_id: 'ph_wh', $current_url: 'https://app.acme.io/settings', $event_type: 'click', $pathname: '/settings' },
        url: 'https://us.posthog.com/project/1/events/018f',
      },
      person: { id: 'p1', name: 'max@posthog.com', properties: { email: 'max@posthog.com', first_name: 'Max' }, url: 'https://us.posthog.com/person/p1' },
    };
    await post(body).expect(202, { status: 'accepted', events: 1, actions: 1, skipped: 0, sessions: 1, skipped_reasons: {} });
    const ctx = await context('u_webhook');
    expect(ctx.email).toBe('max@posthog.com');
    expect(ctx.context).toContain("Clicked 'Billing' — /settings");
  });

  it('skips what cannot become an action, with reasons, without failing the batch', async () => {
    const res = await post({
      batch: [
        hog({ event: '$pageleave' }),
        hog({ event: '$identify' }),
        hog({ event: '$feature_flag_called' }),
        hog({ event: '$web_vitals' }),
        hog({ session_id: '', distinct_id: 'u_pooled' }),
        'not an event',
        hog({ session_id: 'ph_mixed', distinct_id: 'u_mixed', button_or_link_text: 'Kept' }),
      ],
    }).expect(202);
    expect(res.body).toEqual({
      status: 'accepted', events: 7, actions: 1, skipped: 6, sessions: 1,
      skipped_reasons: { low_signal: 4, missing_session_id: 1, invalid_event: 1 },
    });
    await request(t.server).get('/v1/users/u_pooled/context').expect(404);
    const m = (await request(t.server).get('/metrics').expect(200)).text;
    expect(m).toMatch(/posthog_events_skipped_total\{reason="low_signal"\} 4/);
    expect(m).toMatch(/posthog_events_skipped_total\{reason="missing_session_id"\} 1/);
  });

  it('the unrendered default template body is skipped (no session), not an error', async () => {
    const template = readFileSync(join(FIX, 'webhook_destination_default_body.json'), 'utf8');
    const res = await post(template).expect(202);
    expect(res.body).toMatchObject({ events: 1, actions: 0, skipped: 1, skipped_reasons: { missing_session_id: 1 } });
  });

  it('reads hash-router pages, and stores a redelivered event (same PostHog uuid) once', async () => {
    const body = JSON.parse(readFileSync(join(FIX, 'webhook_body.default_template_hash_router.DERIVED.json'), 'utf8'));
    body.event.timestamp = isoAt(30);
    const first = await post(body).expect(202);
    expect(first.body).toMatchObject({ events: 1, actions: 1, skipped: 0 });
    const again = await post(body).expect(202);
    expect(again.body).toMatchObject({ events: 1, actions: 0, skipped: 1, skipped_reasons: { duplicate: 1 } });
    const ctx = await context('user-123');
    expect(ctx.context).toContain("Clicked 'Upgrade' — /settings/billing");
    expect(ctx.context.match(/Clicked 'Upgrade'/g)).toHaveLength(1);
    expect(ctx.email).toBe('jane@example.com');
  });

  it('skips events older than LOOKBACK_SECONDS by their own timestamp and counts them', async () => {
    const res = await post({
      batch: [
        hog({ session_id: 'ph_old', distinct_id: 'u_old', timestamp: '2025-01-01T00:00:00Z', button_or_link_text: 'Last year' }),
        hog({ session_id: 'ph_old', distinct_id: 'u_old', timestamp: isoAt(40), button_or_link_text: 'Today' }),
      ],
    }).expect(202);
    expect(res.body).toMatchObject({ events: 2, actions: 1, skipped: 1, skipped_reasons: { stale: 1 } });
    const ctx = await context('u_old');
    expect(ctx.context).toContain("Clicked 'Today'");
    expect(ctx.context).not.toContain('Last year');
  });

  describe('authentication', () => {
    it('accepts sha256=<HMAC of the raw body>', async () => {
      const body = JSON.stringify(hog({ session_id: 'ph_hmac', distinct_id: 'u_hmac', button_or_link_text: 'Signed' }));
      await post(body, `sha256=${hmacSha256Hex(SECRET, body)}`).expect(202);
      expect((await context('u_hmac')).context).toContain("Clicked 'Signed'");
    });

    it.each([
      ['no header', null],
      ['a wrong secret', 'nope'],
      ['the secret with a suffix', `${SECRET}x`],
      ['an HMAC over another body', `sha256=${hmacSha256Hex(SECRET, 'other')}`],
      ['an HMAC with another key', 'sha256=' + hmacSha256Hex('other', JSON.stringify(hog({ distinct_id: 'u_evil' })))],
    ])('401 for %s, and nothing is stored', async (_n, secret) => {
      const res = await post(hog({ distinct_id: 'u_evil', session_id: 'ph_evil', button_or_link_text: 'x' }), secret).expect(401);
      expect(res.body).toEqual({ statusCode: 401, error: 'Unauthorized', message: 'Invalid secret' });
      await request(t.server).get('/v1/users/u_evil/context').expect(404);
    });

    it('counts rejected secrets', async () => {
      const m = (await request(t.server).get('/metrics').expect(200)).text;
      expect(m).toMatch(/activity_events_rejected_total\{source="posthog",reason="bad_secret"\} 5/);
    });
  });

  describe('invalid bodies → 400 naming the problem', () => {
    it.each([
      ['invalid JSON', '{"event": ', /^Invalid JSON body/],
      ['an empty body', '', /empty/],
      ['a JSON string', '"hello"', /body must be a JSON object/],
      ['an object without event', { session_id: 's' }, /event is required/],
      ['a numeric event', { event: 42 }, /event must be a string/],
      ['a non-array batch', { batch: 'x' }, /batch must be an array/],
    ])('%s', async (_n, body, message) => {
      const res = await post(body).expect(400);
      expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
      expect(res.body.message).toMatch(message);
    });
  });
});

describe('POST /v1/activity/posthog without POSTHOG_WEBHOOK_SECRET', () => {
  it('is open (development) and uses the default product id', async () => {
    const t = await bootTestApp();
    try {
      await request(t.server).post('/v1/activity/posthog').set('content-type', 'application/json')
        .send(JSON.stringify(hog({ distinct_id: 'u_open', session_id: 'ph_open', button_or_link_text: 'Open' }))).expect(202);
      const ctx = (await request(t.server).get('/v1/users/u_open/context').expect(200)).body;
      expect(ctx.sessions[0]).toMatchObject({ productId: 'posthog', sessionId: 'ph_open' });
    } finally {
      await t.close();
    }
  });
});

import { fixturePath } from '../../../../test/support/fixtures';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { canonicalizeUrl } from './canonical-url';
import { parseElementsChain } from './elements-chain';
import { extractAction, type ExtractedAction } from './posthog-action.mapper';
import { buildActionsEvents } from './posthog-batching';
import { unwrapPosthogBody } from './posthog-body';
import { toEpochSeconds } from './posthog-event';

const FIX = fixturePath('posthog');
const NOW = 1_700_000_000;
const CHAIN_FIXTURE = readFileSync(join(FIX, 'elements_chain.posthog_js_test.txt'), 'utf8').trim();

/** The flat body the recipes' Hog function sends. */
const flat = (over: Record<string, unknown> = {}) => ({
  event: '$autocapture',
  referrer: '',
  email: 'jane.doe@example.com',
  timestamp: '2024-05-01T12:00:00.000Z',
  element_id: '',
  event_type: 'click',
  session_id: 'sess_1',
  current_url: 'https://app.example.com/projects/123/settings?tab=members#top',
  distinct_id: 'user_42',
  elements_chain: '',
  input_field_name: '',
  link_destination: '',
  button_or_link_text: '',
  ...over,
});

const action = (raw: unknown) => {
  const r = extractAction(raw, NOW);
  if (!r.ok) throw new Error(`skipped: ${r.reason}`);
  return r.action;
};
const skipReason = (raw: unknown) => {
  const r = extractAction(raw, NOW);
  return r.ok ? undefined : r.reason;
};

describe('unwrapPosthogBody', () => {
  it('accepts a flat event, the default webhook body, a batch and a bare array', () => {
    expect(unwrapPosthogBody(flat())).toEqual({ ok: true, events: [flat()] });
    const webhook = { event: { event: '$pageview', properties: {} }, person: { properties: {} } };
    expect(unwrapPosthogBody(webhook)).toEqual({ ok: true, events: [webhook] });
    expect(unwrapPosthogBody({ batch: [1, 2] })).toEqual({ ok: true, events: [1, 2] });
    expect(unwrapPosthogBody([flat()])).toEqual({ ok: true, events: [flat()] });
  });

  it.each([
    ['a string', 'hello', 'body must be a JSON object'],
    ['null', null, 'body must be a JSON object'],
    ['an object without event', { foo: 1 }, 'event is required'],
    ['a numeric event', { event: 5 }, 'event must be a string'],
    ['a non-array batch', { batch: { event: '$pageview' } }, 'batch must be an array'],
  ])('rejects %s, naming the problem', (_n, body, message) => {
    const r = unwrapPosthogBody(body);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.message).toContain(message);
  });
});

describe('canonicalizeUrl', () => {
  it.each([
    ['https://app.example.com/projects/123/settings?tab=members#top', '/projects/:id/settings'],
    ['https://app.example.com/u/550e8400-e29b-41d4-a716-446655440000/edit', '/u/:id/edit'],
    ['https://app.example.com/commits/9f86d081884c7d65/', '/commits/:id'],
    ['https://app.example.com/objects/507f1f77bcf86cd799439011', '/objects/:id'],
    ['https://app.example.com/', '/'],
    ['https://app.example.com', '/'],
    ['https://app.example.com/settings/billing', '/settings/billing'],
    ['https://app.example.com/blog/facade/deadbeef', '/blog/facade/deadbeef'],
    ['/relative/42?x=1', '/relative/:id'],
    ['https://app.example.com/a//b/', '/a/b'],
  ])('%s → %s', (raw, expected) => {
    expect(canonicalizeUrl(raw)).toBe(expected);
  });

  it('falls back to the pathname when the URL is missing or unusable', () => {
    expect(canonicalizeUrl('', '/orders/77')).toBe('/orders/:id');
    expect(canonicalizeUrl('not a url', '/x')).toBe('/x');
    expect(canonicalizeUrl('')).toBe('');
  });
});

describe('canonicalizeUrl: hash routes and record ids', () => {
  it.each([
    ['https://app.example.com/#/settings/billing', '/settings/billing'],
    ['https://app.example.com/#!/settings/billing?tab=cards', '/settings/billing'],
    ['https://app.example.com/app/index.html#/projects/42/edit', '/app/projects/:id/edit'],
    ['https://app.example.com/docs#section-2', '/docs'],
    ['https://app.example.com/customers/cus_NffrFeUfNV2Hib/invoices/in_1MtHbELkdIwHu7ix', '/customers/:id/invoices/:id'],
    ['https://app.example.com/products/prod_9x8y7z6w', '/products/:id'],
    ['https://app.example.com/runs/01ARZ3NDEKTSV4RRFFQ69G5FAV', '/runs/:id'],
    ['https://app.example.com/share/aB3dE9kQ', '/share/:id'],
    ['https://app.example.com/p/x7Yh2Kq9/comments', '/p/:id/comments'],
    ['https://app.example.com/api/v2/oauth2/settings', '/api/v2/oauth2/settings'],
    ['https://app.example.com/user_settings/notifications', '/user_settings/notifications'],
    ['https://app.example.com/projects/page10/my-project-name', '/projects/page10/my-project-name'],
    ['https://app.example.com/404', '/404'],
    ['https://app.example.com/projects/404', '/projects/:id'],
  ])('%s → %s', (url, expected) => {
    expect(canonicalizeUrl(url)).toBe(expected);
  });
});

describe('element ids: attr__id and attr_id', () => {
  it('reads the id posthog-js writes as attr_id as well as attr__id (PostHog\'s own chain fixture)', () => {
    const chain = readFileSync(join(FIX, 'elements_chain.with_attr_id.hog_executor_test.txt'), 'utf8').trim();
    const [link] = parseElementsChain(chain);
    expect(link.attrs.attr__id).toBe('homelink');
    expect(link.attrs.attr_id).toBe('homelink');
    const onlyPromoted = 'button:attr_id="save-project"nth-child="1"';
    const r = extractAction(flat({ elements_chain: onlyPromoted }), NOW);
    expect(r.ok && r.action.title).toBe("Clicked 'save-project'");
  });
});

describe('parseElementsChain', () => {
  it('parses the posthog-js fixture: clicked element first, classes and attributes', () => {
    const [a, span] = parseElementsChain(CHAIN_FIXTURE);
    expect(a.tag).toBe('a');
    expect(a.classes).toEqual(['test-class', 'test-class2', 'test-class3', 'test-class4', 'test-class5']);
    expect(a.attrs).toMatchObject({ href: 'http://test.com', attr__href: 'http://test.com', 'nth-child': '1' });
    expect(span).toEqual({ tag: 'span', classes: [], attrs: { 'nth-child': '1', 'nth-of-type': '1' } });
  });

  it('keeps escaped quotes and semicolons inside values, and Tailwind colons in classes', () => {
    const [btn, div] = parseElementsChain('button.md:flex.px-2:text="Say \\"hi\\"; then go"attr__aria-label="Greet";div:nth-child="1"');
    expect(btn.tag).toBe('button');
    expect(btn.classes).toEqual(['md:flex', 'px-2']);
    expect(btn.attrs.text).toBe('Say "hi"; then go');
    expect(btn.attrs['attr__aria-label']).toBe('Greet');
    expect(div.tag).toBe('div');
  });
});

describe('extractAction', () => {
  it('$pageview → "Viewed <page>" with a canonical URL', () => {
    expect(action(flat({ event: '$pageview', event_type: '' }))).toMatchObject({
      type: 'pageview',
      title: 'Viewed /projects/:id/settings',
      canonicalUrl: '/projects/:id/settings',
      rawUrl: 'https://app.example.com/projects/123/settings?tab=members#top',
      sessionId: 'sess_1',
      userId: 'user_42',
      email: 'jane.doe@example.com',
      timestamp: Date.parse('2024-05-01T12:00:00.000Z') / 1000,
    });
  });

  it('uses the page title when PostHog sends one', () => {
    expect(action({ event: '$pageview', properties: { $session_id: 's', $current_url: 'https://x.io/billing', title: 'Billing' } }).title).toBe('Viewed Billing');
  });

  describe('click labels, in order: link/button text, $el_text, chain text, aria-label, name, id', () => {
    it.each([
      ['button_or_link_text', { button_or_link_text: 'Add project', el_text: 'el', elements_chain: 'button:text="chain"' }, "Clicked 'Add project'"],
      ['$el_text', { el_text: 'Export CSV', elements_chain: 'button:text="chain"' }, "Clicked 'Export CSV'"],
      ['chain text', { elements_chain: 'span:text="Upgrade plan";button:attr__aria-label="Upgrade"' }, "Clicked 'Upgrade plan'"],
      ['chain aria-label (icon inside a button)', { elements_chain: 'svg:nth-child="1";button:attr__aria-label="Close dialog"attr__id="x";div:text="outer"' }, "Clicked 'Close dialog'"],
      ['chain name', { elements_chain: 'input:attr__name="search"attr__id="q"' }, "Clicked 'search'"],
      ['chain id', { elements_chain: 'button:attr__id="save-btn"' }, "Clicked 'save-btn'"],
      ['link destination when nothing else (described, not quoted as UI text)', { elements_chain: CHAIN_FIXTURE }, 'Clicked a link to test.com'],
      ['tag name as a last resort', { elements_chain: 'button:nth-child="1"' }, 'Clicked a button'],
    ])('%s', (_n, over, title) => {
      expect(action(flat(over)).title).toBe(title);
    });
  });

  it('reads the raw PostHog event shape ($-properties) and the default webhook body with person email', () => {
    const raw = {
      event: '$autocapture',
      distinct_id: 'u_7',
      timestamp: '2024-05-01T12:00:05Z',
      elements_chain: 'a:text="Pricing"attr__href="/pricing"',
      properties: { $session_id: 'ph_s', $current_url: 'https://acme.io/docs/42', $event_type: 'click' },
    };
    expect(action(raw)).toMatchObject({ type: 'click', title: "Clicked 'Pricing'", canonicalUrl: '/docs/:id', userId: 'u_7', sessionId: 'ph_s' });
    const webhook = { event: raw, person: { id: 'p', properties: { email: 'max@posthog.com' } } };
    expect(action(webhook)).toMatchObject({ title: "Clicked 'Pricing'", email: 'max@posthog.com' });
    const elTextOnly = { event: '$autocapture', properties: { $session_id: 's', $event_type: 'click', $el_text: 'Save', $elements_chain: 'button:nth-child="1"' } };
    expect(action(elTextOnly).title).toBe("Clicked 'Save'");
  });

  it('submit → "Submitted <form>", change → "Changed <field>"', () => {
    expect(action(flat({ event_type: 'submit', elements_chain: 'form:attr__id="signup-form"attr__name="signup"' }))).toMatchObject({
      type: 'submit', title: "Submitted 'signup'",
    });
    expect(action(flat({ event_type: 'submit', elements_chain: 'form:nth-child="1"' })).title).toBe('Submitted a form');
    expect(action(flat({ event_type: 'change', input_field_name: 'email', elements_chain: 'input:attr__name="email"' }))).toMatchObject({
      type: 'change', title: "Changed 'email'",
    });
    // A select's text is its options, so the field's name wins.
    expect(action(flat({ event_type: 'change', elements_chain: 'select:text="USD EUR GBP"attr__aria-label="Currency"' })).title).toBe("Changed 'Currency'");
  });

  it('$rageclick → "Rage-clicked \'<text>\'"', () => {
    expect(action(flat({ event: '$rageclick', event_type: '', elements_chain: 'button:text="Pay now"' }))).toMatchObject({
      type: 'rageclick', title: "Rage-clicked 'Pay now'",
    });
  });

  it('a company\'s custom event becomes an action named after it', () => {
    expect(action(flat({ event: 'Project created', event_type: '' }))).toMatchObject({ type: 'custom', title: 'Project created' });
  });

  it.each(['$pageleave', '$identify', '$set', '$feature_flag_called', '$web_vitals', '$groupidentify', '$some_new_internal_event'])(
    'drops low-signal %s',
    (event) => expect(skipReason(flat({ event }))).toBe('low_signal'),
  );

  it('skips events it cannot use, with a reason', () => {
    expect(skipReason(flat({ session_id: '' }))).toBe('missing_session_id');
    expect(skipReason(flat({ event: '' }))).toBe('missing_event_name');
    expect(skipReason('text')).toBe('invalid_event');
    expect(skipReason(flat({ event_type: 'copy' }))).toBe('unsupported_event_type');
    expect(skipReason(flat({ elements_chain: '' }))).toBe('no_label');
    expect(skipReason(flat({ event: '$pageview', current_url: '' }))).toBe('missing_url');
  });

  it('the PostHog docs example (no $session_id) is skipped, never pooled', () => {
    const docsExample = {
      event: { event: '$pageview', distinct_id: '1234', timestamp: '2024-01-01T12:00:00', properties: { $current_url: 'https://posthog.com' } },
      person: { name: 'max@posthog.com', properties: { email: 'max@posthog.com', first_name: 'Max' } },
    };
    expect(skipReason(docsExample)).toBe('missing_session_id');
    const withSession = { ...docsExample, event: { ...docsExample.event, properties: { $current_url: 'https://posthog.com', $session_id: 's1' } } };
    expect(action(withSession)).toMatchObject({ title: 'Viewed /', userId: '1234', email: 'max@posthog.com' });
  });

  it('strips control characters and caps labels', () => {
    expect(action(flat({ button_or_link_text: `Save\u0000\n${'x'.repeat(200)}` })).title).toMatch(/^Clicked 'Save x+…'$/);
  });
});

describe('toEpochSeconds', () => {
  it('reads ISO strings, seconds and milliseconds', () => {
    expect(toEpochSeconds('2024-01-01T00:00:00Z', 0)).toBe(1_704_067_200);
    expect(toEpochSeconds(1_704_067_200, 0)).toBe(1_704_067_200);
    expect(toEpochSeconds(1_704_067_200_500, 0)).toBe(1_704_067_200.5);
    expect(toEpochSeconds('garbage', 42)).toBe(42);
  });
});

describe('buildActionsEvents', () => {
  const a = (sessionId: string, timestamp: number, title: string, userId = 'u1'): ExtractedAction => ({
    sessionId, userId, email: undefined, type: 'click', title, description: '', canonicalUrl: '/p', rawUrl: '', timestamp,
  });

  it('groups by session, orders by time, assigns increasing indexes and chains timestamps', () => {
    const counters = new Map<string, number>([['s1', 5]]);
    const allocate = (s: string) => {
      const n = counters.get(s) ?? 0;
      counters.set(s, n + 1);
      return n;
    };
    const events = buildActionsEvents([a('s1', 20, 'second'), a('s2', 5, 'other'), a('s1', 10, 'first')], 'prod', allocate, 99);
    expect(events).toHaveLength(2);
    expect(events[0]).toMatchObject({ type: 'actions', productId: 'prod', sessionId: 's1', userId: 'u1', count: 2, forwardedAt: 99, source: 'posthog' });
    expect(events[0].actions.map((x) => [x.index, x.title, x.timestampStart, x.timestampEnd])).toEqual([
      [5, 'first', 10, 20],
      [6, 'second', 20, 20],
    ]);
    expect(events[1]).toMatchObject({ sessionId: 's2', count: 1 });
    expect(events[1].actions[0].index).toBe(0);
  });

  it('splits a session into one event per user run, so identities are never mixed', () => {
    let n = 0;
    const events = buildActionsEvents([a('s', 1, 'anon click', 'anon_1'), a('s', 2, 'logged in', 'user_9'), a('s', 3, 'next', 'user_9')], 'p', () => n++, 0);
    expect(events.map((e) => [e.userId, e.actions.map((x) => x.index)])).toEqual([
      ['anon_1', [0]],
      ['user_9', [1, 2]],
    ]);
  });
});

import request from 'supertest';
import { PROACTIVE_DELIVERY_POLICY, type ProactiveDeliveryPolicy } from '../../src/proactive/integration/proactive.constants';
import { bootTestApp, type TestApp } from './test-app';

export const WEBSITE = 'website-proactive-1';
export const HOOK_KEY = 'hook-secret-proactive';

/** Delivery retries in milliseconds, and a breaker that opens after two failures, for tests. */
export const FAST_NUDGE_POLICY: ProactiveDeliveryPolicy = { attempts: 3, backoffMs: 5, maxBackoffMs: 20, breakerThreshold: 2, breakerHalfOpenMs: 60_000 };

export function crispEnv(crispUrl: string): Record<string, string> {
  return {
    CRISP_WEBSITE_ID: WEBSITE,
    CRISP_TOKEN_IDENTIFIER: 'ident',
    CRISP_TOKEN_KEY: 'key',
    CRISP_WEBHOOK_SECRET: HOOK_KEY,
    CRISP_API_URL: crispUrl,
    CRISP_BOT_NAME: 'Acme Copilot',
  };
}

export function bootProactiveApp(env: Record<string, string>, policy: ProactiveDeliveryPolicy = FAST_NUDGE_POLICY, listen = false): Promise<TestApp> {
  return bootTestApp({
    listen,
    env: { PROACTIVE: 'on', SHUTDOWN_TIMEOUT_MS: '2000', API_KEYS: 'test-key', ...env },
    override: (b) => b.overrideProvider(PROACTIVE_DELIVERY_POLICY).useValue(policy),
  });
}

/** Epoch seconds `secondsAgo` before now: action timestamps inside the lookback window. */
export const ago = (secondsAgo: number): number => Date.now() / 1000 - secondsAgo;

export interface WireAction {
  type: string;
  title: string;
  canonical_url: string;
  timestamp_start: number;
}

export const click = (label: string, url: string, secondsAgo: number): WireAction => ({ type: 'click', title: `Clicked '${label}'`, canonical_url: url, timestamp_start: ago(secondsAgo) });
export const page = (name: string, url: string, secondsAgo: number): WireAction => ({ type: 'pageview', title: `Page Load: ${name}`, canonical_url: url, timestamp_start: ago(secondsAgo) });

export function pushActions(t: TestApp, scope: { product?: string; session: string; user?: string; email?: string }, actions: WireAction[]) {
  return request(t.server)
    .post('/v1/activity')
    .set('content-type', 'application/json')
    .send(JSON.stringify({ type: 'actions', product_id: scope.product ?? 'acme', session_id: scope.session, user_id: scope.user, email: scope.email, actions }))
    .expect(202);
}

/** The recipes' scenario: three projects opened and "Edit" clicked on each, seconds apart. */
export const threeEdits = (startAgo = 60): WireAction[] => [
  page('Projects', '/projects', startAgo),
  page('Website redesign', '/projects/:id', startAgo - 5),
  click('Edit', '/projects/:id', startAgo - 8),
  page('Mobile app launch', '/projects/:id', startAgo - 20),
  click('Edit', '/projects/:id', startAgo - 23),
  page('Q3 roadmap', '/projects/:id', startAgo - 35),
  click('Edit', '/projects/:id', startAgo - 38),
];

export { sleep, waitFor } from './wait';

export async function decisionsOf(t: TestApp, userId: string): Promise<any[]> {
  const res = await request(t.server).get(`/v1/users/${encodeURIComponent(userId)}/proactive`).set('authorization', 'Bearer test-key').expect(200);
  return res.body.decisions;
}

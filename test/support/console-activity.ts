import request from 'supertest';
import type { Server } from 'node:http';

/** One page-view or click pushed through POST /v1/activity (the signed-push source, unsigned in tests). */
export interface TestAction {
  type?: string;
  title: string;
  url: string;
}

/** Pushes actions for one session, stamped now (so they sit inside the lookback window). */
export async function pushActivity(server: Server, opts: { userId?: string; email?: string; sessionId: string; productId?: string; actions: TestAction[] }): Promise<void> {
  const now = Date.now();
  const body = {
    type: 'actions',
    product_id: opts.productId ?? 'acme',
    session_id: opts.sessionId,
    ...(opts.userId ? { user_id: opts.userId } : {}),
    ...(opts.email ? { email: opts.email } : {}),
    actions: opts.actions.map((a, i) => ({
      type: a.type ?? 'click',
      title: a.title,
      canonical_url: a.url,
      timestamp_start: now - (opts.actions.length - i) * 1_000,
      timestamp_end: now - (opts.actions.length - i) * 1_000,
    })),
  };
  await request(server).post('/v1/activity').set('content-type', 'application/json').send(JSON.stringify(body)).expect(202);
}

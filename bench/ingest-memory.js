// Resident memory of the memory session store holding 10,000 sessions x 30 actions.
// Plain Node on the compiled build (no TypeScript compiler in the process), so RSS is
// what a production process would show. Run `npm run build` first; bench/ingest.ts does.
// Events go through the real parser from JSON, as ingestion does.
const { MemorySessionStore } = require('../dist/activity/session-store/memory.session-store');
const { parseActivityEvent } = require('../dist/activity/activity.parser');

async function main() {
  const gc = global.gc ?? (() => undefined);
  gc();
  const before = process.memoryUsage().rss;
  const store = new MemorySessionStore({
    lookbackSeconds: 300, maxActions: 30, maxSessions: 50_000, maxSessionsPerUser: 20, maxUsers: 100_000, sessionTtlSeconds: 86_400,
  });
  for (let s = 0; s < 10_000; s++) {
    const body = JSON.stringify({
      type: 'actions', product_id: 'bench', session_id: `ph_sess_${s}_${'a'.repeat(20)}`, user_id: `user_${s}`, email: `user${s}@example.com`,
      forwarded_at: 1700000000,
      actions: Array.from({ length: 30 }, (_, i) => ({
        index: i, type: i % 3 === 0 ? 'pageview' : 'click',
        title: `Clicked 'Button ${i}' (${s})`,
        description: `User clicked button ${i} on the settings page of session ${s}`,
        canonical_url: `/settings/section-${i % 7}`,
        raw_url: `https://app.example.com/settings/section-${i % 7}?tab=${i}&s=${s}`,
        timestamp_start: 1700000000 + i, timestamp_end: 1700000001 + i,
      })),
    });
    const parsed = parseActivityEvent(JSON.parse(body), 'test');
    await store.appendActions(parsed.event);
  }
  gc();
  const mu = process.memoryUsage();
  const stats = await store.stats();
  console.log(
    `[memory] ${stats.sessionsTracked.toLocaleString()} sessions x 30 actions: process RSS ${(mu.rss / 2 ** 20).toFixed(0)} MB ` +
      `(baseline ${(before / 2 ** 20).toFixed(0)} MB, +${((mu.rss - before) / 2 ** 20).toFixed(0)} MB), heap used ${(mu.heapUsed / 2 ** 20).toFixed(0)} MB`,
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

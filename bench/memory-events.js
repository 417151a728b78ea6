// The connector `actions` event bench/memory-scale.ts sends for session i: 30 actions whose
// text is unique to the session (nothing shared between sessions), timestamps of now.
exports.ACTIONS_PER_SESSION = 30;
exports.sessionEvent = (i, now = Math.floor(Date.now() / 1000)) =>
  JSON.stringify({
    type: 'actions', product_id: 'bench', session_id: `ph_sess_${i}_${'a'.repeat(20)}`, user_id: `user_${i}`, email: `user${i}@example.com`,
    actions: Array.from({ length: exports.ACTIONS_PER_SESSION }, (_, k) => ({
      index: k, type: k % 3 === 0 ? 'pageview' : 'click',
      title: `Clicked 'Button ${k}' (${i})`,
      description: `User clicked button ${k} on the settings page of session ${i}`,
      canonical_url: `/settings/section-${k % 7}`,
      raw_url: `https://app.example.com/settings/section-${k % 7}?tab=${k}&s=${i}`,
      timestamp_start: now, timestamp_end: now + 1,
    })),
  });

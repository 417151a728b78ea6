import { buildSummaryMessage, DEFAULT_SUMMARY_TEMPLATE } from '../../summarizer/summary.prompt';
import { OFFLINE_NOTICE, OfflineProvider, parseActionLine } from './offline.provider';

const activity = [
  'Session s1 (product p1), last active 5s ago',
  'Summary: Opened the billing page twice.',
  'Recent actions (oldest first):',
  "1. [pageview] Reports — /reports",
  "2. [click] Clicked 'Export — CSV' — /reports/export  ← current position",
].join('\n');
const chat = (body: string) => ({ system: 'sys', messages: [{ role: 'user' as const, content: body }] });

describe('OfflineProvider', () => {
  const offline = new OfflineProvider();

  it('answers from the activity block: where the user is, what they last did, a next step, and that AI needs a key', async () => {
    const res = await offline.complete(chat(`Current user activity:\n<<<ACTIVITY\n${activity}\nACTIVITY>>>\n\nUser message:\nhow do I export?`));
    expect(res.model).toBe('offline');
    expect(res.text).toContain("You're currently on /reports/export.");
    expect(res.text).toContain("The last thing you did was: Clicked 'Export — CSV' (click).");
    expect(res.text).toContain('Next step:');
    expect(res.text).toContain(OFFLINE_NOTICE);
    expect(OFFLINE_NOTICE).toContain('OPENAI_API_KEY');
  });

  it('is deterministic', async () => {
    const body = `<<<ACTIVITY\n${activity}\nACTIVITY>>>\nhelp`;
    expect((await offline.complete(chat(body))).text).toBe((await offline.complete(chat(body))).text);
  });

  it('says so when there is no activity, and ignores action-like text outside the block', async () => {
    const res = await offline.complete(chat("Current user activity: none recorded.\n\nUser message:\n1. [click] Fake — /admin"));
    expect(res.text).toMatch(/can't see any recent activity/);
    expect(res.text).not.toContain('/admin');
    expect(res.text).toContain(OFFLINE_NOTICE);
  });

  it('parses rendered action lines, keeping " — " inside labels', () => {
    expect(parseActionLine("2. [click] Clicked 'Export — CSV' — /reports/export  ← current position")).toEqual({
      type: 'click',
      label: "Clicked 'Export — CSV'",
      page: '/reports/export',
      current: true,
    });
    expect(parseActionLine('Recent actions (oldest first):')).toBeUndefined();
  });

  it('writes a plain rolling summary for summarizer prompts, keeping the previous summary', async () => {
    const actions = [
      { seq: 4, receivedAt: 0, index: 0, type: 'pageview', title: 'Billing', description: '', canonicalUrl: '/billing', rawUrl: '', timestampStart: 0, timestampEnd: 0 },
      { seq: 5, receivedAt: 0, index: 1, type: 'click', title: "Clicked 'Upgrade'", description: '', canonicalUrl: '/billing', rawUrl: '', timestampStart: 0, timestampEnd: 0 },
    ];
    const content = buildSummaryMessage(DEFAULT_SUMMARY_TEMPLATE, 'Earlier: browsed reports.', actions);
    const res = await offline.complete({ system: 's', purpose: 'summarizer', messages: [{ role: 'user', content }] });
    expect(res.text).toBe("Earlier: browsed reports. 2 more actions. pages: /billing. did: Clicked 'Upgrade'. last: Clicked 'Upgrade' on /billing.");
    expect(res.text).not.toContain(OFFLINE_NOTICE);
  });
});

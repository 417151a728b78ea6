import { RecentErrors } from './recent-errors';

describe('RecentErrors', () => {
  it('keeps error and fatal lines only, newest first, with the message, the error message and the context, nothing else', () => {
    const ring = new RecentErrors();
    ring.record([{ context: 'X' }, 'just info'], 30, 1);
    ring.record([{ context: 'CopilotService', err: new Error('boom'), userId: 'u1', secret: 's3cr3t' }, 'reply failed'], 50, 2);
    ring.record(['plain fatal'], 60, 3);
    expect(ring.list()).toEqual([
      { at: 3, level: 'fatal', message: 'plain fatal', context: undefined },
      { at: 2, level: 'error', message: 'reply failed: boom', context: 'CopilotService' },
    ]);
    expect(JSON.stringify(ring.list())).not.toContain('s3cr3t');
  });

  it('is bounded', () => {
    const ring = new RecentErrors();
    for (let i = 0; i < 500; i++) ring.record([`e${i}`, 'x'.repeat(10_000)], 50, i);
    expect(ring.list()).toHaveLength(50);
    expect(ring.list()[0].message.length).toBeLessThanOrEqual(300);
  });
});

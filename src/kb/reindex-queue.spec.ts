import { CoalescingRunner } from './reindex-queue';

describe('CoalescingRunner', () => {
  it('never overlaps runs and answers every request made during a run with the single next run', async () => {
    let active = 0;
    let maxActive = 0;
    let runs = 0;
    const gates: (() => void)[] = [];
    const runner = new CoalescingRunner(async () => {
      active++;
      maxActive = Math.max(maxActive, active);
      const n = ++runs;
      await new Promise<void>((r) => gates.push(r));
      active--;
      return n;
    });
    const first = runner.request();
    const queued = [runner.request(), runner.request(), runner.request()];
    expect(runner.busy).toBe(true);
    gates.shift()!();
    expect(await first).toBe(1);
    await new Promise((r) => setImmediate(r));
    gates.shift()!();
    expect(await Promise.all(queued)).toEqual([2, 2, 2]);
    expect(runs).toBe(2);
    expect(maxActive).toBe(1);
    await new Promise((r) => setImmediate(r));
    expect(runner.busy).toBe(false);
  });

  it('passes a failure to the callers of that run and keeps working afterwards', async () => {
    let fail = true;
    const runner = new CoalescingRunner(async () => {
      if (fail) throw new Error('boom');
      return 'ok';
    });
    await expect(runner.request()).rejects.toThrow('boom');
    fail = false;
    await expect(runner.request()).resolves.toBe('ok');
  });
});

import type { Queue } from 'bullmq';
import { JobTracker } from './bullmq.tracker';

/** What the tracker needs of a BullMQ Queue: its name and a job's state; records which ids it was asked about. */
function queueWith(states: (id: string) => string): { queue: Queue; asked: Set<string> } {
  const asked = new Set<string>();
  const queue = { name: 'reply', getJobState: async (id: string) => (asked.add(id), states(id)) } as unknown as Queue;
  return { queue, asked };
}

describe('JobTracker', () => {
  it('follows the newest 10,000 jobs: the oldest are forgotten first, finished ones are dropped, and drain waits for the rest', async () => {
    const running = new Set(['j3', 'j10004']);
    const { queue, asked } = queueWith((id) => (running.has(id) ? 'active' : 'completed'));
    const tracker = new JobTracker();
    for (let i = 0; i < 10_005; i++) tracker.track(queue, `j${i}`);
    tracker.track(queue, 'j9000'); // again (a job this process enqueued, then ran): followed once
    await tracker.settled(30, 5);
    // j0–j4 were evicted by the five newest; j3 is no longer waited for although it still runs.
    for (const id of ['j0', 'j1', 'j2', 'j3', 'j4']) expect(asked.has(id)).toBe(false);
    expect(asked.has('j5')).toBe(true);
    expect(asked.size).toBe(10_000);

    // Only j10004 is still followed; once it finishes, drain resolves at once.
    asked.clear();
    running.delete('j10004');
    await tracker.settled(5_000, 5);
    expect([...asked]).toEqual(['j10004']);
  });

  it('a job tracked again after it finished keeps its new place (the ring forgets only what its slot still holds)', async () => {
    let done = false;
    const { queue, asked } = queueWith((id) => (id === 'again' && !done ? 'active' : 'completed'));
    const tracker = new JobTracker();
    tracker.track(queue, 'again');
    done = true;
    await tracker.settled(1_000, 5); // forgotten: finished
    done = false;
    for (let i = 0; i < 9_998; i++) tracker.track(queue, `j${i}`); // slot 0 still names 'again'
    tracker.track(queue, 'again'); // tracked anew, in the last free slot: the ring is full
    tracker.track(queue, 'one-more'); // evicts slot 0: its stale 'again' must not drop the new one
    asked.clear();
    await tracker.settled(30, 5);
    expect(asked.has('again')).toBe(true);
  });
});

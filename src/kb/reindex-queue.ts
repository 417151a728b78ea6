/**
 * Runs a job one at a time, with at most one run waiting. A request made while a
 * run is in progress is answered by the next run, which starts as soon as the
 * current one ends and so sees the latest state: however many requests pile up,
 * the last one always wins and no two runs overlap.
 */
export class CoalescingRunner<T> {
  private running = false;
  private next?: { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void };

  constructor(private readonly job: () => Promise<T>) {}

  get busy(): boolean {
    return this.running;
  }

  request(): Promise<T> {
    if (!this.next) {
      let resolve!: (v: T) => void;
      let reject!: (e: unknown) => void;
      const promise = new Promise<T>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      this.next = { promise, resolve, reject };
    }
    const waiting = this.next.promise;
    if (!this.running) void this.drain();
    return waiting;
  }

  private async drain(): Promise<void> {
    this.running = true;
    while (this.next) {
      const turn = this.next;
      this.next = undefined;
      try {
        turn.resolve(await this.job());
      } catch (err) {
        turn.reject(err);
      }
    }
    this.running = false;
  }
}

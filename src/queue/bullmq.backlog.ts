/**
 * The backlog cap (`maxPending` per job name) without a count query on every enqueue.
 * A count read from Redis is reused for `cacheMs`, plus what this process added since.
 * The cache can only be wrong in two ways: jobs finished since the read (the count is
 * too high) — so a refusal is always re-checked against a fresh count — and jobs other
 * replicas added since the read (too low), which lets the backlog overshoot by what
 * they add within one cache window. That is the trade-off: one LLEN-sized query per
 * name per window instead of one per job, for a cap that is approximate across replicas.
 */
export class BacklogGate {
  private readonly counts = new Map<string, { count: number; at: number }>();

  constructor(
    private readonly maxPending: number,
    private readonly cacheMs: number,
  ) {}

  /** True when one more job of this name may be enqueued; `count` reads the backlog from Redis. */
  async admit(name: string, count: () => Promise<number>): Promise<boolean> {
    const cached = this.counts.get(name);
    if (cached && Date.now() - cached.at < this.cacheMs && cached.count < this.maxPending) return true;
    return (await this.refresh(name, count)) < this.maxPending;
  }

  /** Counts a job this process just enqueued against the cached figure. */
  added(name: string): void {
    const cached = this.counts.get(name);
    if (cached) cached.count++;
  }

  private async refresh(name: string, count: () => Promise<number>): Promise<number> {
    const at = Date.now();
    const n = await count();
    this.counts.set(name, { count: n, at });
    return n;
  }
}

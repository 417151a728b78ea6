/** One append waiting for the next script call. */
interface Waiting<R> {
  keys: string[];
  args: Array<string | number>;
  resolve: (result: R) => void;
  reject: (err: unknown) => void;
}

export interface AppendBatcherOptions<R> {
  /** Sends one script call for several appends: every key, then every argument, in order. */
  send: (keys: string[], args: Array<string | number>) => Promise<R[]>;
  /** Most appends in one call. */
  maxAppends: number;
  /** Most arguments in one call (a batch is closed before it would pass it, unless it is one append). */
  maxArgs: number;
}

/**
 * Gathers the appends made in one turn of the event loop into one script call. Under load
 * many requests are parsed in the same turn, and each script call costs Redis a parse, a
 * script lookup and a reply of its own; a batch pays them once. A lone append waits at most
 * until the end of the current turn (setImmediate). Batches are sent in order on one
 * connection, so appends to one session apply in the order they were made. A failed call
 * fails every append of its batch with the same error (the caller answers 503 and the
 * sender retries), as a single call would.
 */
export class AppendBatcher<R> {
  private waiting: Array<Waiting<R>> = [];
  private args = 0;
  private scheduled = false;

  constructor(private readonly opts: AppendBatcherOptions<R>) {}

  submit(keys: string[], args: Array<string | number>): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      if (this.waiting.length > 0 && this.args + args.length > this.opts.maxArgs) this.flush();
      this.waiting.push({ keys, args, resolve, reject });
      this.args += args.length;
      if (this.waiting.length >= this.opts.maxAppends) this.flush();
      else if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => {
          this.scheduled = false;
          this.flush();
        });
      }
    });
  }

  private flush(): void {
    const batch = this.waiting;
    if (batch.length === 0) return;
    this.waiting = [];
    this.args = 0;
    const keys: string[] = [];
    const args: Array<string | number> = [];
    for (const w of batch) {
      for (const k of w.keys) keys.push(k);
      for (const a of w.args) args.push(a);
    }
    this.opts.send(keys, args).then(
      (results) => {
        for (let i = 0; i < batch.length; i++) {
          const r = results[i];
          if (r === undefined) batch[i].reject(new Error(`append batch answered ${results.length} results for ${batch.length} appends`));
          else batch[i].resolve(r);
        }
      },
      (err: unknown) => {
        for (const w of batch) w.reject(err);
      },
    );
  }
}

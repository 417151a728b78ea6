import { DropOldestBuffer } from './drop-oldest.buffer';

/** Longest a drain pass runs before yielding, so the socket reader always gets a turn. */
const DRAIN_SLICE_MS = 5;

/**
 * Sits between a network reader and slower consumers: items go into a bounded
 * drop-oldest buffer and are handed to `deliver` in short slices on later turns of the
 * event loop, so a slow consumer costs stale items (counted), never a stalled reader.
 * Deliveries run one after another (a store write is awaited before the next), which
 * keeps each session's events in order whatever the store.
 */
export class StreamDrainScheduler<T> {
  private readonly buffer: DropOldestBuffer<T>;
  private draining = false;

  constructor(
    capacity: number,
    private readonly deliver: (item: T) => void | Promise<void>,
    private readonly hooks: { onDepth?(depth: number): void; onIdle?(): void } = {},
  ) {
    this.buffer = new DropOldestBuffer(capacity);
  }

  get size(): number {
    return this.buffer.size;
  }

  get capacity(): number {
    return this.buffer.capacity;
  }

  /** Items evicted since creation. */
  get dropped(): number {
    return this.buffer.dropped;
  }

  /** Buffers an item and schedules delivery; returns how many old items it evicted (0 or 1). */
  push(item: T): number {
    const evicted = this.buffer.push(item);
    this.hooks.onDepth?.(this.buffer.size);
    if (!this.draining) {
      this.draining = true;
      setImmediate(() => this.slice());
    }
    return evicted;
  }

  /** Delivers everything still buffered, now (shutdown); resolves when the last delivery has. */
  async flush(): Promise<number> {
    await this.current;
    const rest = this.buffer.drain();
    for (const item of rest) await this.deliver(item);
    this.hooks.onDepth?.(0);
    return rest.length;
  }

  private current?: Promise<void>;

  private slice(): void {
    this.current = this.runSlice();
  }

  private async runSlice(): Promise<void> {
    const deadline = performance.now() + DRAIN_SLICE_MS;
    while (this.buffer.size > 0) {
      await this.deliver(this.buffer.shift()!);
      if (performance.now() >= deadline) break;
    }
    this.hooks.onDepth?.(this.buffer.size);
    if (this.buffer.size > 0) {
      setImmediate(() => this.slice());
      return;
    }
    this.draining = false;
    this.hooks.onIdle?.();
  }
}

/**
 * Fixed-capacity FIFO that never blocks the writer: when full, the oldest item is
 * evicted to make room. Used between a network reader and slower consumers, where
 * fresh activity is worth more than stale activity.
 */
export class DropOldestBuffer<T> {
  private readonly items: (T | undefined)[];
  private head = 0;
  private length = 0;
  private droppedTotal = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('capacity must be a positive integer');
    this.items = new Array<T | undefined>(capacity);
  }

  get size(): number {
    return this.length;
  }

  /** Items evicted since creation. */
  get dropped(): number {
    return this.droppedTotal;
  }

  /** Adds an item; returns the evicted oldest item's count (0 or 1). */
  push(item: T): number {
    if (this.length === this.capacity) {
      this.items[this.head] = item;
      this.head = (this.head + 1) % this.capacity;
      this.droppedTotal++;
      return 1;
    }
    this.items[(this.head + this.length) % this.capacity] = item;
    this.length++;
    return 0;
  }

  shift(): T | undefined {
    if (this.length === 0) return undefined;
    const item = this.items[this.head];
    this.items[this.head] = undefined;
    this.head = (this.head + 1) % this.capacity;
    this.length--;
    return item;
  }

  /** Removes and returns everything, oldest first. */
  drain(): T[] {
    const out: T[] = [];
    while (this.length > 0) out.push(this.shift() as T);
    return out;
  }
}

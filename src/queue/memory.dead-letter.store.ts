import type { DeadLetter, DeadLetterStore } from './dead-letter.port';

/** In-process dead letters, at most `max` (the oldest are dropped first, and counted). */
export class MemoryDeadLetterStore implements DeadLetterStore {
  private readonly entries = new Map<string, DeadLetter>();
  private dropped = 0;

  constructor(private readonly max: number) {}

  async add(entry: DeadLetter): Promise<void> {
    this.entries.delete(entry.id);
    this.entries.set(entry.id, entry);
    while (this.entries.size > this.max) {
      this.entries.delete(this.entries.keys().next().value as string);
      this.dropped++;
    }
  }

  async list(limit: number): Promise<DeadLetter[]> {
    return [...this.entries.values()].reverse().slice(0, Math.max(0, limit));
  }

  async take(id: string): Promise<DeadLetter | undefined> {
    const entry = this.entries.get(id);
    this.entries.delete(id);
    return entry;
  }

  async stats(): Promise<{ count: number; dropped: number }> {
    return { count: this.entries.size, dropped: this.dropped };
  }

  async close(): Promise<void> {
    this.entries.clear();
  }
}

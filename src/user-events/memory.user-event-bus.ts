import { UserEventTooLargeError, type UserEvent, type UserEventAddress, type UserEventBus, type UserEventBusOptions, type UserEventListener, type UserEventSubscription } from './user-event-bus.port';

interface Feed {
  events: UserEvent[];
  seq: number;
  listeners: Set<UserEventListener>;
}

/** Maximum number of users whose feeds are retained at once (oldest feed without listeners dropped first). */
const MAX_FEEDS = 50_000;

/** One-process UserEventBus: a capped ring of recent events per user and in-process listeners. */
export class MemoryUserEventBus implements UserEventBus {
  private readonly feeds = new Map<string, Feed>();
  private readonly now: () => number;
  private listeners = 0;

  constructor(private readonly options: UserEventBusOptions) {
    this.now = options.now ?? Date.now;
  }

  async publish(to: UserEventAddress, type: string, data: unknown): Promise<UserEvent> {
    const bytes = Buffer.byteLength(JSON.stringify(data ?? null), 'utf8');
    if (bytes > this.options.maxEventBytes) throw new UserEventTooLargeError(bytes, this.options.maxEventBytes);
    const feed = this.feed(to.userId);
    const at = this.now();
    feed.seq += 1;
    // `<ms>-<seq>` has the shape of a Redis stream id, so a client resumes the same way on either driver.
    const event: UserEvent = { id: `${at}-${feed.seq}`, type, data, at };
    feed.events.push(event);
    this.prune(feed);
    for (const listener of [...feed.listeners]) listener(event);
    return event;
  }

  async subscribe(userId: string, lastEventId: string | undefined, listener: UserEventListener): Promise<UserEventSubscription> {
    const feed = this.feed(userId);
    this.prune(feed);
    const after = lastEventId === undefined ? undefined : parseId(lastEventId);
    const missed = after === undefined ? [] : feed.events.filter((e) => compareIds(parseId(e.id)!, after) > 0);
    feed.listeners.add(listener);
    this.listeners += 1;
    let open = true;
    return {
      missed,
      close: async () => {
        if (!open) return;
        open = false;
        feed.listeners.delete(listener);
        this.listeners -= 1;
      },
    };
  }

  listenerCount(): number {
    return this.listeners;
  }

  async close(): Promise<void> {
    this.feeds.clear();
    this.listeners = 0;
  }

  private feed(userId: string): Feed {
    let feed = this.feeds.get(userId);
    if (feed) {
      // Re-insert so the Map's order is least recently used first.
      this.feeds.delete(userId);
      this.feeds.set(userId, feed);
      return feed;
    }
    feed = { events: [], seq: 0, listeners: new Set() };
    this.feeds.set(userId, feed);
    if (this.feeds.size > MAX_FEEDS) this.evictOne();
    return feed;
  }

  private evictOne(): void {
    for (const [id, feed] of this.feeds) {
      if (feed.listeners.size === 0) {
        this.feeds.delete(id);
        return;
      }
    }
  }

  private prune(feed: Feed): void {
    const oldest = this.now() - this.options.retentionMs;
    let drop = 0;
    while (drop < feed.events.length && feed.events[drop].at < oldest) drop++;
    const over = feed.events.length - drop - this.options.maxEventsPerUser;
    if (over > 0) drop += over;
    if (drop > 0) feed.events.splice(0, drop);
  }
}

/** `<ms>-<seq>` → [ms, seq]; undefined for anything else (treated as "no id"). */
export function parseId(id: string): [number, number] | undefined {
  const m = /^(\d{1,16})-(\d{1,16})$/.exec(id);
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

function compareIds(a: [number, number], b: [number, number]): number {
  return a[0] - b[0] || a[1] - b[1];
}

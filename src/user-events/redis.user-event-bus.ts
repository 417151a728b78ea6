import type Redis from 'ioredis';
import { resolveConnection, type RedisConnection, type RedisConnectionInput } from '../redis/redis-connection';
import { toRedisError } from '../redis/redis-errors';
import { parseId } from './memory.user-event-bus';
import { UserEventTooLargeError, type UserEvent, type UserEventAddress, type UserEventBus, type UserEventBusOptions, type UserEventListener, type UserEventSubscription } from './user-event-bus.port';

export interface RedisUserEventBusOptions extends UserEventBusOptions {
  /** A shared connection (left open by close()) or options for one this bus owns. */
  connection: RedisConnectionInput;
}

/**
 * Append to the capped stream, refresh its expiry and tell live listeners, in one step:
 * a listener can never see an event the stream does not hold, and no stream outlives
 * its retention. The message is `<id> <type> <json>` (types carry no spaces).
 */
const PUBLISH = `
local id = redis.call('XADD', KEYS[1], 'MAXLEN', ARGV[1], '*', 'type', ARGV[2], 'data', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
redis.call('PUBLISH', KEYS[2], id .. ' ' .. ARGV[2] .. ' ' .. ARGV[3])
return id
`;

interface BusCommands {
  acUserEventPublish(stream: string, channel: string, maxLen: number, type: string, data: string, ttlMs: number): Promise<string>;
}

const TYPE = /^[A-Za-z0-9_.-]{1,64}$/;

/**
 * USER_EVENT_BUS on Redis, so a nudge published by any replica reaches a listener
 * connected to any other. Each user has a capped stream (`<prefix>ue:<userId>`, with an
 * expiry) for resumption and a pub/sub channel for live delivery. A subscriber joins the
 * channel before reading what it missed, so nothing published in between is lost, and
 * drops live events it already got from the stream.
 */
export class RedisUserEventBus implements UserEventBus {
  private readonly conn: RedisConnection;
  private readonly owned: boolean;
  private subscriber?: Redis;
  private readonly listeners = new Map<string, Set<UserEventListener>>();
  private count = 0;

  constructor(private readonly opts: RedisUserEventBusOptions) {
    ({ connection: this.conn, owned: this.owned } = resolveConnection(opts.connection));
    this.conn.client.defineCommand('acUserEventPublish', { numberOfKeys: 2, lua: PUBLISH });
  }

  async publish(to: UserEventAddress, type: string, data: unknown): Promise<UserEvent> {
    if (!TYPE.test(type)) throw new Error(`user event type ${JSON.stringify(type.slice(0, 80))} is not a plain name`);
    const json = JSON.stringify(data ?? null);
    const bytes = Buffer.byteLength(json, 'utf8');
    if (bytes > this.opts.maxEventBytes) throw new UserEventTooLargeError(bytes, this.opts.maxEventBytes);
    const id = await this.conn.run((c) =>
      (c as unknown as BusCommands).acUserEventPublish(this.streamKey(to.userId), this.channel(to.userId), this.opts.maxEventsPerUser, type, json, this.opts.retentionMs),
    );
    return { id, type, data: JSON.parse(json) as unknown, at: parseId(id)![0] };
  }

  async subscribe(userId: string, lastEventId: string | undefined, listener: UserEventListener): Promise<UserEventSubscription> {
    const channel = this.channel(userId);
    let caughtUp: string | undefined;
    const buffered: UserEvent[] = [];
    let ready = false;
    // Live events that arrive while the stream is being read wait, and those the stream already returned are dropped.
    const wrapped: UserEventListener = (e) => {
      if (!ready) return void buffered.push(e);
      if (caughtUp === undefined || newer(e.id, caughtUp)) listener(e);
    };
    let set = this.listeners.get(channel);
    if (!set) {
      set = new Set();
      this.listeners.set(channel, set);
    }
    set.add(wrapped);
    this.count += 1;
    const close = async () => {
      const current = this.listeners.get(channel);
      if (!current?.delete(wrapped)) return;
      this.count -= 1;
      if (current.size === 0) {
        this.listeners.delete(channel);
        await this.subscriber?.unsubscribe(channel).catch(() => undefined);
      }
    };
    try {
      if (set.size === 1) await this.subscriberClient().subscribe(channel);
      const missed = await this.missedSince(userId, lastEventId);
      caughtUp = missed.length ? missed[missed.length - 1].id : lastEventId && parseId(lastEventId) ? lastEventId : undefined;
      ready = true;
      for (const e of buffered) wrapped(e);
      return { missed, close };
    } catch (err) {
      await close();
      throw toRedisError(err);
    }
  }

  listenerCount(): number {
    return this.count;
  }

  async close(): Promise<void> {
    this.listeners.clear();
    this.count = 0;
    const sub = this.subscriber;
    this.subscriber = undefined;
    if (sub) await sub.quit().catch(() => sub.disconnect());
    if (this.owned) await this.conn.close();
  }

  private async missedSince(userId: string, lastEventId: string | undefined): Promise<UserEvent[]> {
    if (lastEventId === undefined || !parseId(lastEventId)) return [];
    const oldest = Date.now() - this.opts.retentionMs;
    const entries = await this.conn.run((c) => c.xrange(this.streamKey(userId), `(${lastEventId}`, '+', 'COUNT', this.opts.maxEventsPerUser));
    return entries.map(([id, fields]) => toEvent(id, fields)).filter((e) => e.at >= oldest);
  }

  private subscriberClient(): Redis {
    if (this.subscriber) return this.subscriber;
    // Pub/sub needs a connection of its own; ioredis re-subscribes by itself after a reconnect.
    const sub = this.conn.client.duplicate({ enableAutoPipelining: false, enableOfflineQueue: true });
    sub.on('error', () => undefined);
    sub.on('message', (channel: string, message: string) => {
      const set = this.listeners.get(channel);
      if (!set) return;
      const event = fromMessage(message);
      if (!event) return;
      for (const l of [...set]) l(event);
    });
    this.subscriber = sub;
    return sub;
  }

  private streamKey(userId: string): string {
    return this.conn.key('ue', userId);
  }

  private channel(userId: string): string {
    return this.conn.key('ue', 'live', userId);
  }
}

function toEvent(id: string, fields: string[]): UserEvent {
  const f = new Map<string, string>();
  for (let i = 0; i + 1 < fields.length; i += 2) f.set(fields[i], fields[i + 1]);
  return { id, type: f.get('type') ?? 'message', data: JSON.parse(f.get('data') ?? 'null') as unknown, at: parseId(id)?.[0] ?? 0 };
}

function fromMessage(message: string): UserEvent | undefined {
  const a = message.indexOf(' ');
  const b = message.indexOf(' ', a + 1);
  if (a < 0 || b < 0) return undefined;
  const id = message.slice(0, a);
  const parsed = parseId(id);
  if (!parsed) return undefined;
  return { id, type: message.slice(a + 1, b), data: JSON.parse(message.slice(b + 1)) as unknown, at: parsed[0] };
}

function newer(a: string, b: string): boolean {
  const x = parseId(a)!;
  const y = parseId(b)!;
  return x[0] - y[0] > 0 || (x[0] === y[0] && x[1] > y[1]);
}

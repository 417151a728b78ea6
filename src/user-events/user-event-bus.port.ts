/**
 * USER_EVENT_BUS port: a bounded, per-user feed of events pushed to whoever listens for
 * that user (the REST channel's `GET /v1/users/:userId/events`, the browser widget's
 * event stream). Proactive nudges are published here; a listener that reconnects with
 * the id of the last event it saw gets what it missed, within the retention window.
 *
 * Events of one user are never delivered to a listener of another user: the user id is
 * the key of every feed. Implementations: memory (one process), redis (replicas, so a
 * nudge published by a worker reaches a listener connected to any web replica); both
 * pass user-event-bus.contract.ts.
 */
export interface UserEvent {
  /** Opaque, increasing within one user's feed; sent as the SSE `id:` and accepted back as `Last-Event-ID`. */
  id: string;
  /** SSE event name, e.g. `nudge`. */
  type: string;
  /** JSON payload. */
  data: unknown;
  /** Epoch ms when it was published. */
  at: number;
}

export interface UserEventAddress {
  userId: string;
  productId?: string;
}

export type UserEventListener = (event: UserEvent) => void;

export interface UserEventSubscription {
  /** Events published after `lastEventId` that are still retained, oldest first (empty without an id). */
  missed: UserEvent[];
  /** Stops live delivery; idempotent. */
  close(): Promise<void>;
}

export interface UserEventBus {
  /** Appends an event to the user's feed and delivers it to that user's live listeners. */
  publish(to: UserEventAddress, type: string, data: unknown): Promise<UserEvent>;
  /**
   * Starts live delivery of the user's new events to `listener` and returns what was
   * missed since `lastEventId` (an id older than the retention window yields
   * everything retained; a malformed id counts as none).
   */
  subscribe(userId: string, lastEventId: string | undefined, listener: UserEventListener): Promise<UserEventSubscription>;
  /** Number of live listeners in this process (for metrics and health). */
  listenerCount(): number;
  close(): Promise<void>;
}

export interface UserEventBusOptions {
  /** Events kept per user for resumption. */
  maxEventsPerUser: number;
  /** How long an event stays available for resumption, in ms. */
  retentionMs: number;
  /** Largest JSON payload accepted, in bytes (larger ones are refused, never truncated). */
  maxEventBytes: number;
  /** Clock; injectable so tests need not sleep. */
  now?: () => number;
}

/** A payload larger than the bus accepts. */
export class UserEventTooLargeError extends Error {
  constructor(
    readonly bytes: number,
    readonly limit: number,
  ) {
    super(`user event of ${bytes} bytes exceeds the ${limit}-byte limit`);
    this.name = 'UserEventTooLargeError';
  }
}

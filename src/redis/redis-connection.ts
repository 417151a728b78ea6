import { Logger } from '@nestjs/common';
import Redis, { type RedisOptions } from 'ioredis';
import { exponentialBackoff, nthDelay } from '../common/backoff';
import { errorMessage } from '../common/text';
import { RedisUnavailableError, toRedisError } from './redis-errors';

export interface RedisConnectionOptions {
  /** `redis://[user:password@]host[:port][/db]`, or `rediss://` for TLS (REDIS_URL). */
  url: string;
  /**
   * Prepended to every key this service writes (REDIS_KEY_PREFIX, e.g. `ac:`), so
   * several deployments or test runs can share one Redis without touching each other.
   */
  keyPrefix?: string;
  /** Shown by CLIENT LIST, so an operator can tell which replica and role a connection is. */
  connectionName?: string;
  /** Give up one connection attempt after this long (then back off and try again). Default 5 s. */
  connectTimeoutMs?: number;
  /** A command with no reply after this long fails (a hung or partitioned server). Default 2 s. */
  commandTimeoutMs?: number;
  /** First reconnect delay; doubles per attempt (with jitter) up to reconnectMaxMs. Default 100 ms. */
  reconnectInitialMs?: number;
  /** Longest delay between reconnect attempts; attempts never stop. Default 5 s. */
  reconnectMaxMs?: number;
  /** Batch commands issued in the same tick into one write (fewer syscalls under load). Default true. */
  autoPipelining?: boolean;
}

export interface RedisConnectionStatus {
  state: 'up' | 'down';
  /** Epoch ms of the last change of state. */
  since: number;
  lastError?: string;
  lastErrorAt?: number;
}

/**
 * ioredis arms this timer on every disconnect() to destroy a socket that does not close,
 * even when the socket is long gone (while reconnecting); its 2 s default then holds a
 * closing process open for nothing.
 */
const DISCONNECT_TIMEOUT_MS = 200;

/** ioredis connection settings parsed from a redis:// or rediss:// URL. */
export function redisOptionsFromUrl(url: string): RedisOptions {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error('REDIS_URL is not a valid URL (expected redis://host:port/db or rediss://…)');
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new Error(`REDIS_URL must use redis:// or rediss:// (got ${u.protocol})`);
  const db = u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0;
  if (!Number.isInteger(db) || db < 0) throw new Error('REDIS_URL database must be a non-negative integer');
  return {
    host: u.hostname.replace(/^\[(.*)\]$/, '$1') || '127.0.0.1',
    port: u.port ? Number(u.port) : 6379,
    username: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    db,
    tls: u.protocol === 'rediss:' ? {} : undefined,
  };
}

/** Reconnect delays: exponential with jitter, capped, and never giving up (a null would end the client for good). */
export function reconnectStrategy(opts: Pick<RedisConnectionOptions, 'reconnectInitialMs' | 'reconnectMaxMs'>): (times: number) => number {
  const backoff = exponentialBackoff({ initialMs: opts.reconnectInitialMs ?? 100, maxMs: opts.reconnectMaxMs ?? 5_000, jitterRatio: 0.25 });
  // Past ~16 doublings every delay is the cap; bounding the walk keeps a long outage cheap.
  return (times) => nthDelay(backoff, Math.min(Math.max(1, times), 16));
}

/**
 * Settings for BullMQ Worker connections. Workers block on Redis (BZPOPMIN) and must
 * ride out an outage rather than fail their loop, so BullMQ requires
 * `maxRetriesPerRequest: null` and an offline queue there; the fail-fast settings of
 * RedisConnection are for request paths. BullMQ creates (and closes) these clients itself.
 * Once `stopping()` is true, the next reconnect attempt ends the client instead, so
 * nothing of a worker closed during an outage keeps dialling a Redis that is down.
 */
export function bullmqWorkerConnection(
  opts: RedisConnectionOptions,
  stopping: () => boolean = () => false,
): Omit<RedisOptions, 'retryStrategy'> & { retryStrategy: (times: number) => number | null } {
  const delay = reconnectStrategy(opts);
  return {
    ...redisOptionsFromUrl(opts.url),
    connectionName: opts.connectionName ? `${opts.connectionName}:worker` : undefined,
    connectTimeout: opts.connectTimeoutMs ?? 5_000,
    maxRetriesPerRequest: null,
    enableOfflineQueue: true,
    retryStrategy: (times) => (stopping() ? null : delay(times)),
    disconnectTimeout: DISCONNECT_TIMEOUT_MS,
  };
}

/**
 * One ioredis client with settings for a web service's request paths:
 *  - Commands issued before the first connection attempt has finished wait for it
 *    (boot order does not matter); after that the offline queue is switched off, so
 *    while Redis is down a command fails at once instead of piling up in memory and
 *    answering minutes late. Nothing waits longer than commandTimeoutMs either way.
 *  - A command already sent when the connection drops is retried once on the next
 *    connection (`maxRetriesPerRequest: 1`), then fails; one that gets no reply within
 *    commandTimeoutMs fails too. Either way callers see RedisUnavailableError (→ 503).
 *  - Reconnects forever with capped exponential backoff.
 * Keys are prefixed by `key()`, not by ioredis' keyPrefix: BullMQ refuses clients that
 * use it, SCAN patterns ignore it, and keys built inside Lua scripts would miss it.
 * Not for Redis Cluster: scripts touch keys they derive themselves.
 */
export class RedisConnection {
  private readonly logger = new Logger(RedisConnection.name);
  readonly client: Redis;
  readonly keyPrefix: string;
  private state: RedisConnectionStatus = { state: 'down', since: Date.now() };
  private everReady = false;
  private closing?: Promise<void>;

  constructor(readonly opts: RedisConnectionOptions) {
    this.keyPrefix = opts.keyPrefix ?? '';
    this.client = new Redis({
      ...redisOptionsFromUrl(opts.url),
      connectionName: opts.connectionName,
      connectTimeout: opts.connectTimeoutMs ?? 5_000,
      commandTimeout: opts.commandTimeoutMs ?? 2_000,
      maxRetriesPerRequest: 1,
      enableOfflineQueue: true,
      enableAutoPipelining: opts.autoPipelining ?? true,
      retryStrategy: reconnectStrategy(opts),
      disconnectTimeout: DISCONNECT_TIMEOUT_MS,
    });
    this.client.on('ready', () => this.onReady());
    this.client.on('error', (err: Error) => this.onError(err));
    this.client.on('close', () => this.onDown());
  }

  /** A key under this connection's prefix: key('ss', 'meta', id) → `ac:ss:meta:<id>`. */
  key(...parts: string[]): string {
    return this.keyPrefix + parts.join(':');
  }

  /** Runs a command, turning transport failures into RedisUnavailableError. */
  async run<T>(op: (client: Redis) => Promise<T>): Promise<T> {
    if (this.closing) throw new RedisUnavailableError('redis connection is closed');
    try {
      return await op(this.client);
    } catch (err) {
      throw toRedisError(err);
    }
  }

  /** Readiness: resolves when Redis answers PING, throws RedisUnavailableError otherwise. */
  async ping(): Promise<void> {
    await this.run((c) => c.ping());
  }

  /** Resolves once connected (boot, tests); RedisUnavailableError after timeoutMs. */
  async waitUntilReady(timeoutMs = 5_000): Promise<void> {
    if (this.client.status === 'ready') return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.client.off('ready', onReady);
        reject(new RedisUnavailableError(`redis not reachable within ${timeoutMs} ms${this.state.lastError ? `: ${this.state.lastError}` : ''}`));
      }, timeoutMs);
      const onReady = () => {
        clearTimeout(timer);
        resolve();
      };
      this.client.once('ready', onReady);
    });
  }

  /** Whether the client has been ready at least once (before that, commands wait for the first connect). */
  get connectedOnce(): boolean {
    return this.everReady;
  }

  /** For health: `up` while the connection is ready, with the last error seen. */
  status(): RedisConnectionStatus {
    return { ...this.state };
  }

  /** QUIT (lets replies in flight arrive), then a hard disconnect if that takes longer than timeoutMs. */
  close(timeoutMs = 2_000): Promise<void> {
    this.closing ??= (async () => {
      if (this.client.status === 'end') return;
      if (this.client.status === 'reconnecting') {
        // No socket, only a reconnect timer: disconnect() cancels it and there is nothing to wait for.
        this.client.disconnect();
        return;
      }
      const ended = new Promise<void>((resolve) => this.client.once('end', () => resolve()));
      // Never connected (or down): QUIT would only wait in the offline queue.
      if (this.client.status === 'ready') await withTimeout(this.client.quit().then(() => undefined, () => undefined), timeoutMs);
      this.client.disconnect();
      await withTimeout(ended, timeoutMs);
    })();
    return this.closing;
  }

  private onReady(): void {
    if (!this.everReady) {
      this.everReady = true;
      this.failFast();
    } else {
      this.logger.log({ name: this.opts.connectionName, downMs: Date.now() - this.state.since }, 'redis connection restored');
    }
    this.state = { ...this.state, state: 'up', since: Date.now() };
  }

  private onError(err: Error): void {
    const message = errorMessage(err);
    // One warning per outage; the reconnect loop would otherwise log every attempt.
    if (this.state.state === 'up' || this.state.lastError === undefined) {
      this.logger.warn({ name: this.opts.connectionName, err: message }, 'redis connection error');
    }
    this.state = { ...this.state, lastError: message, lastErrorAt: Date.now() };
    this.failFast();
  }

  /** From the first connect (or failed attempt) on, commands fail at once while disconnected (see the class comment). */
  private failFast(): void {
    this.client.options.enableOfflineQueue = false;
  }

  private onDown(): void {
    if (this.state.state === 'up') this.state = { ...this.state, state: 'down', since: Date.now() };
  }
}

/** Resolves when `p` settles or after `ms`, whichever is first. */
async function withTimeout(p: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([p, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

/** A connection given by the caller (shared, left open) or options to open one this object owns. */
export type RedisConnectionInput = RedisConnection | RedisConnectionOptions;

export function resolveConnection(input: RedisConnectionInput): { connection: RedisConnection; owned: boolean } {
  return input instanceof RedisConnection ? { connection: input, owned: false } : { connection: new RedisConnection(input), owned: true };
}

export { RedisUnavailableError };

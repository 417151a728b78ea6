import type Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { resolveConnection, type RedisConnection, type RedisConnectionInput } from './redis-connection';

export interface RedisLeaseOptions {
  /** A shared connection (left open by close()) or options for one this lease owns. */
  connection: RedisConnectionInput;
  /** What the lease is for, e.g. `connector-stream`; one key per name. */
  name: string;
  /** Who this replica is, as holder() shows it (default `<hostname>:<pid>`). */
  holderId?: string;
  /** How long a lease lasts without renewal. Default 15 s. */
  leaseMs?: number;
}

export interface LeaseHolder {
  holderId: string;
  /** Time left before the lease lapses unless renewed. */
  ttlMs: number;
}

/** Take the lease if free; re-arm it if it is already ours (a retried acquire must not lock us out). */
const ACQUIRE = `
local cur = redis.call('GET', KEYS[1])
if cur == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end
if cur then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
`;

/** Compare-and-PEXPIRE: only the holder's token extends it. */
const RENEW = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
`;

/** Compare-and-DEL: a holder whose lease lapsed must not delete its successor's. */
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

interface LeaseCommands {
  acLeaseAcquire(key: string, token: string, ms: number): Promise<number>;
  acLeaseRenew(key: string, token: string, ms: number): Promise<number>;
  acLeaseRelease(key: string, token: string): Promise<number>;
}

/**
 * A single-holder lease in Redis (`<prefix>lease:<name>`, a string holding
 * `<holderId>|<random token>` with a PX expiry), e.g. so exactly one replica reads the
 * connector stream. Safety rests on the expiry: a holder that stops renewing loses the
 * lease after leaseMs at the latest. LeaseKeeper drives it and stops acting early.
 */
export class RedisLease {
  readonly holderId: string;
  readonly leaseMs: number;
  private readonly conn: RedisConnection;
  private readonly owned: boolean;
  private readonly key: string;
  private readonly token: string;
  private readonly cmd: Redis & LeaseCommands;

  constructor(opts: RedisLeaseOptions) {
    ({ connection: this.conn, owned: this.owned } = resolveConnection(opts.connection));
    this.holderId = opts.holderId ?? `${hostname()}:${process.pid}`;
    this.leaseMs = opts.leaseMs ?? 15_000;
    this.key = this.conn.key('lease', opts.name);
    this.token = `${this.holderId}|${randomUUID()}`;
    const client = this.conn.client;
    client.defineCommand('acLeaseAcquire', { numberOfKeys: 1, lua: ACQUIRE });
    client.defineCommand('acLeaseRenew', { numberOfKeys: 1, lua: RENEW });
    client.defineCommand('acLeaseRelease', { numberOfKeys: 1, lua: RELEASE });
    this.cmd = client as Redis & LeaseCommands;
  }

  /** True when this instance holds the lease now (newly or already), for leaseMs from the call. */
  async tryAcquire(): Promise<boolean> {
    return (await this.conn.run(() => this.cmd.acLeaseAcquire(this.key, this.token, this.leaseMs))) === 1;
  }

  /** True when the lease was still ours and now runs leaseMs from the call; false when lost. */
  async renew(): Promise<boolean> {
    return (await this.conn.run(() => this.cmd.acLeaseRenew(this.key, this.token, this.leaseMs))) === 1;
  }

  /** Gives the lease up if it is still ours (true), so another replica can take it at once. */
  async release(): Promise<boolean> {
    return (await this.conn.run(() => this.cmd.acLeaseRelease(this.key, this.token))) === 1;
  }

  /** Who holds the lease (for /healthz), or null when nobody does. */
  async holder(): Promise<LeaseHolder | null> {
    const [value, ttlMs] = await this.conn.run((c) => Promise.all([c.get(this.key), c.pttl(this.key)]));
    if (value === null) return null;
    const cut = value.lastIndexOf('|');
    return { holderId: cut >= 0 ? value.slice(0, cut) : value, ttlMs: Math.max(0, ttlMs) };
  }

  async close(): Promise<void> {
    if (this.owned) await this.conn.close();
  }
}

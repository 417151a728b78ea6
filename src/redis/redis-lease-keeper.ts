import { Logger } from '@nestjs/common';
import { errorMessage } from '../common/text';
import type { RedisLease } from './redis-lease';

export interface LeaseKeeperOptions {
  /** Try to acquire (while not held) or renew (while held) this often. Default 5 s. */
  renewMs?: number;
  /**
   * Stop acting this long before the lease could lapse in Redis when renewals fail, to
   * absorb clock drift and the time onLost needs to stop the work. Default leaseMs / 5.
   */
  safetyMarginMs?: number;
  /** Called when this replica becomes the holder: start the exclusive work. */
  onAcquired?: () => void | Promise<void>;
  /** Called when it stops being the holder (lost, could not renew in time, or stop()): stop the work. */
  onLost?: (reason: string) => void | Promise<void>;
}

/**
 * Keeps a RedisLease: tries to acquire it every renewMs, renews it while held, and calls
 * the hooks on every change. Never two holders at once: a holder whose renewals fail
 * gives up (onLost) at `last successful renewal + leaseMs - safetyMargin`, before Redis
 * can let anyone else in; stop() calls onLost before releasing. Hooks run one at a time,
 * in order.
 */
export class LeaseKeeper {
  private readonly logger = new Logger(LeaseKeeper.name);
  private readonly renewMs: number;
  private readonly marginMs: number;
  private held = false;
  private validUntil = 0;
  private stopped = true;
  private tickTimer?: NodeJS.Timeout;
  private lossTimer?: NodeJS.Timeout;
  private ticking: Promise<void> = Promise.resolve();
  private hooks: Promise<void> = Promise.resolve();

  constructor(
    private readonly lease: RedisLease,
    private readonly opts: LeaseKeeperOptions = {},
  ) {
    this.renewMs = opts.renewMs ?? 5_000;
    this.marginMs = opts.safetyMarginMs ?? Math.round(lease.leaseMs / 5);
    if (this.renewMs >= lease.leaseMs - this.marginMs) throw new Error('renewMs must be shorter than leaseMs minus the safety margin');
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  /** True while this replica holds the lease and its last renewal is recent enough to act on. */
  isHeld(): boolean {
    return this.held && Date.now() < this.validUntil;
  }

  /** Stops trying; if held, calls onLost first and then releases, so a successor may start at once. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.tickTimer);
    await this.ticking;
    if (this.held) {
      this.lose('stopped');
      await this.hooks;
      await this.lease.release().catch((err: unknown) => this.logger.warn({ err: errorMessage(err) }, 'could not release the lease; it lapses on its own'));
    }
    await this.hooks;
  }

  private schedule(ms: number): void {
    this.tickTimer = setTimeout(() => {
      this.ticking = this.tick().finally(() => {
        if (!this.stopped) this.schedule(this.renewMs);
      });
    }, ms);
  }

  private async tick(): Promise<void> {
    const startedAt = Date.now();
    try {
      if (this.held) {
        const renewed = await this.lease.renew();
        // The loss timer may have fired while the call was out; then the next tick re-acquires.
        if (!this.held) return;
        if (renewed) this.extend(startedAt);
        else this.lose('lease taken over or expired');
      } else if (!this.stopped && (await this.lease.tryAcquire())) {
        if (this.stopped) {
          await this.lease.release().catch(() => undefined);
          return;
        }
        this.held = true;
        this.extend(startedAt);
        this.logger.log({ holderId: this.lease.holderId }, 'lease acquired');
        this.runHook('onAcquired', () => this.opts.onAcquired?.());
      }
    } catch (err) {
      // Redis unreachable: keep trying; the loss timer gives the lease up in time if this goes on.
      this.logger.debug({ err: errorMessage(err), held: this.held }, 'lease call failed');
    }
  }

  /** The lease runs leaseMs from when the successful call was sent; act on it until shortly before that. */
  private extend(sentAt: number): void {
    this.validUntil = sentAt + this.lease.leaseMs - this.marginMs;
    clearTimeout(this.lossTimer);
    this.lossTimer = setTimeout(() => this.lose('could not renew in time'), Math.max(0, this.validUntil - Date.now()));
  }

  private lose(reason: string): void {
    if (!this.held) return;
    this.held = false;
    this.validUntil = 0;
    clearTimeout(this.lossTimer);
    this.logger.log({ holderId: this.lease.holderId, reason }, 'lease lost');
    this.runHook('onLost', () => this.opts.onLost?.(reason));
  }

  private runHook(name: string, hook: () => void | Promise<void>): void {
    this.hooks = this.hooks.then(async () => {
      try {
        await hook();
      } catch (err) {
        this.logger.error({ hook: name, err: errorMessage(err) }, 'lease hook failed');
      }
    });
  }
}

import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { ActivityReader } from '../../activity/activity-reader.service';
import type { SessionScope } from '../../activity/session-store/session-store.port';
import { StoredActionsFeed } from '../../activity/stored-actions.feed';
import type { Counter } from 'prom-client';
import { errorMessage } from '../../common/text';
import { proactiveConfig, type ConfigOf } from '../../config/config.namespaces';
import { ChatEvents, type UserWrote } from '../../copilot/chat-events';
import { MetricsService } from '../../observability/metrics.service';
import type { KeyValueStore } from '../../state/key-value-store.port';
import { KEY_VALUE_STORE } from '../../state/state.constants';
import { buildSessionView, type ProactiveEngine } from '../engine';
import type { ActiveSessionIndex } from './state/active-sessions.port';
import { NudgeDelivery } from './nudge-delivery';
import { ACTIVE_SESSIONS, PROACTIVE_ENGINE } from './proactive.constants';

/** How long one session's evaluation may hold its lock (it takes milliseconds; this only bounds a crashed holder). */
const LOCK_TTL_SECONDS = 10;
/** Waits for a session lock held elsewhere before leaving the session to the next pulse. */
const LOCK_TRIES = 20;
const LOCK_WAIT_MS = 25;
/** Most sessions one pulse looks at (the most recently active first). */
const PULSE_MAX_SESSIONS = 50_000;
/** Recent sessions of a user that hear about what they wrote. */
const REPLY_SESSIONS = 5;

/**
 * Runs the engine inside the app. Evaluates a session when its new actions are stored
 * (StoredActionsFeed), and on a pulse so time-based triggers fire while users are idle.
 * Across replicas: one session is evaluated by one replica at a time (a short lock in
 * KEY_VALUE_STORE), and each pulse interval is claimed by one replica (setIfAbsent on the
 * interval's number), so the deployment pulses once per interval, not once per replica.
 * What users write in any channel reaches the engine (reactive suppression, answers).
 */
@Injectable()
export class ProactiveRunner implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ProactiveRunner.name);
  private readonly holder = randomUUID();
  private timer?: NodeJS.Timeout;
  private pulsing = false;
  private closed = false;
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly pulses: Counter<string>;

  constructor(
    @Inject(PROACTIVE_ENGINE) private readonly engine: ProactiveEngine,
    @Inject(ACTIVE_SESSIONS) private readonly active: ActiveSessionIndex,
    @Inject(KEY_VALUE_STORE) private readonly kv: KeyValueStore,
    @Inject(proactiveConfig.KEY) private readonly cfg: ConfigOf<typeof proactiveConfig>,
    private readonly reader: ActivityReader,
    private readonly feed: StoredActionsFeed,
    private readonly chat: ChatEvents,
    private readonly delivery: NudgeDelivery,
    metrics: MetricsService,
  ) {
    this.pulses = metrics.counter({ name: 'proactive_pulses_total', help: 'Pulse intervals this replica claimed and ran (summed over replicas: one per interval)' });
  }

  onApplicationBootstrap(): void {
    this.feed.subscribe('proactive', (e) => {
      // Never holds up ingestion: the acknowledgement does not wait for the evaluation.
      this.track(this.onStored(e.scope, Date.now()));
    });
    this.chat.onUserWrote((e) => this.onUserWrote(e));
    // A web replica only ingests; the pulse is background work for the others.
    if (this.cfg.role !== 'web') {
      const everyMs = Math.max(100, Math.round(this.engine.config.pulseSeconds * 1000));
      this.timer = setInterval(() => this.track(this.pulse(Date.now(), everyMs)), everyMs);
      this.timer.unref();
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    await Promise.allSettled([...this.inFlight]);
    await this.active.close();
  }

  private async onStored(scope: SessionScope, now: number): Promise<void> {
    await this.active.touch(scope.productId, scope.sessionId, now);
    await this.evaluate(scope, now);
  }

  /** Evaluates one session under its lock and queues the nudge, if any; false when another replica held the lock throughout. */
  async evaluate(scope: SessionScope, now: number): Promise<boolean> {
    const lock = `proactive:lock:${encodeURIComponent(scope.productId)}:${encodeURIComponent(scope.sessionId)}`;
    let held = false;
    for (let i = 0; i < LOCK_TRIES && !held && !this.closed; i++) {
      held = await this.kv.setIfAbsent(lock, this.holder, LOCK_TTL_SECONDS);
      if (!held) await sleep(LOCK_WAIT_MS);
    }
    if (!held) return false;
    try {
      if (await this.delivery.isUnreachable(scope.productId, scope.sessionId)) return true;
      const ctx = await this.reader.getSessionContext(scope);
      if (!ctx) return true;
      const at = Math.max(now, Date.now());
      const { nudge } = await this.engine.evaluate(buildSessionView(ctx, at), at);
      if (nudge) await this.delivery.enqueue(nudge);
      return true;
    } finally {
      await this.kv.delete(lock).catch(() => undefined);
    }
  }

  /** One pulse, if this replica claims the interval: every recently active session is evaluated again. */
  async pulse(now: number, everyMs: number): Promise<void> {
    if (this.pulsing || this.closed) return;
    this.pulsing = true;
    try {
      const slot = `proactive:pulse:${Math.floor(now / everyMs)}`;
      if (!(await this.kv.setIfAbsent(slot, this.holder, Math.max(1, Math.ceil((everyMs * 2) / 1000))))) return;
      this.pulses.inc();
      const since = now - this.engine.config.idleHorizonSeconds * 1000;
      for (const s of await this.active.listSince(since, PULSE_MAX_SESSIONS)) {
        if (this.closed) break;
        if (!this.engine.isPulseCandidate(s.lastSeenAt, now)) continue;
        await this.evaluate(s, Date.now());
      }
    } catch (err) {
      this.logger.warn({ err: errorMessage(err) }, 'proactive pulse failed; the next one will try again');
    } finally {
      this.pulsing = false;
    }
  }

  /** The user wrote: their recent sessions go reactive, and an answer to an open nudge is recognised ("No thanks"). */
  private async onUserWrote(e: UserWrote): Promise<void> {
    const scopes: SessionScope[] = [];
    if (e.productId && e.sessionId) scopes.push({ productId: e.productId, sessionId: e.sessionId });
    if (e.userId) {
      const activity = await this.reader.getUserActivity(e.userId, { productId: e.productId, maxSessions: REPLY_SESSIONS });
      for (const s of activity?.sessions ?? []) {
        if (!scopes.some((x) => x.productId === s.productId && x.sessionId === s.sessionId)) scopes.push({ productId: s.productId, sessionId: s.sessionId });
      }
    }
    for (const scope of scopes) await this.engine.onUserReply(scope, e.text, e.at);
  }

  private track(p: Promise<unknown>): void {
    const guarded = p.catch((err: unknown) => this.logger.warn({ err: errorMessage(err) }, 'proactive evaluation failed'));
    this.inFlight.add(guarded);
    void guarded.finally(() => this.inFlight.delete(guarded));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { exponentialBackoff, nthDelay } from '../../../common/backoff';

export type StreamState = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'failed' | 'stopped';

export type DisconnectReason =
  | 'ended'
  | 'idle_timeout'
  | 'connect_timeout'
  | 'network_error'
  | 'http_status'
  | 'not_event_stream'
  | 'frame_too_large';

export interface SseClientTimings {
  /** First reconnect delay; doubles per consecutive failure. */
  initialBackoffMs: number;
  maxBackoffMs: number;
  /** Extra random delay, as a fraction of the backoff (0.1 = 0–10 %). */
  jitterRatio: number;
  /** Reconnect when nothing at all (not even a heartbeat) arrives for this long. */
  idleTimeoutMs: number;
  /** Time allowed until the response headers arrive. */
  connectTimeoutMs: number;
  /** Delay between attempts after a status that retrying cannot fix (bad credential, unknown product). */
  permanentFailureRetryMs: number;
  /** Longest unterminated frame kept in memory before the connection is dropped. */
  maxFrameChars: number;
  /** A connection that carried no data counts as established (resetting the backoff) once it has held this long. */
  stableConnectionMs: number;
}

export const DEFAULT_SSE_TIMINGS: SseClientTimings = {
  initialBackoffMs: 1_000,
  maxBackoffMs: 30_000,
  jitterRatio: 0.1,
  idleTimeoutMs: 90_000,
  connectTimeoutMs: 10_000,
  permanentFailureRetryMs: 5 * 60_000,
  maxFrameChars: 4 * 1024 * 1024,
  stableConnectionMs: 30_000,
};

/** Answers the connector gives before the stream starts when the configuration is wrong. */
export const PERMANENT_FAILURE_STATUSES: readonly number[] = [400, 401, 403, 404];

export interface DisconnectInfo {
  reason: DisconnectReason;
  status?: number;
  detail?: string;
  /** True when retrying soon cannot help (see PERMANENT_FAILURE_STATUSES). */
  permanent: boolean;
  /** Consecutive failed attempts, including this one (0 after a connection that was established). */
  attempt: number;
  retryInMs: number;
}

export interface SseClientHooks {
  /** Every parsed frame, heartbeats included. Must not throw; a throw is contained. */
  onFrame(message: EventSourceMessage): void;
  onConnected?(): void;
  onDisconnected?(info: DisconnectInfo): void;
  onStateChange?(state: StreamState): void;
  onHookError?(err: unknown): void;
}

export interface SseClientOptions {
  url: string;
  token?: string;
  timings?: Partial<SseClientTimings>;
  /** Source of jitter, replaceable for deterministic tests. */
  random?: () => number;
}

/** Reconnect delay for the n-th consecutive failure (1-based): 1, 2, 4, 8, 16, 30, 30 … s plus jitter (cockatiel's exponential backoff). */
export function backoffDelayMs(attempt: number, t: Pick<SseClientTimings, 'initialBackoffMs' | 'maxBackoffMs' | 'jitterRatio'>, random: () => number = Math.random): number {
  const backoff = exponentialBackoff({ initialMs: t.initialBackoffMs, maxMs: t.maxBackoffMs, jitterRatio: t.jitterRatio, jitterAboveMax: true, random });
  return nthDelay(backoff, Math.min(Math.max(attempt, 1), 31));
}

class ClientAbort extends Error {
  constructor(readonly reason: DisconnectReason | 'stopped') {
    super(reason);
  }
}

type AttemptOutcome = Omit<DisconnectInfo, 'attempt' | 'retryInMs'> & { established: boolean };

/**
 * One long-lived `GET` to a Server-Sent Events endpoint over Node's fetch, with
 * frames parsed by eventsource-parser. Keeps reconnecting until stopped: exponential
 * backoff with jitter for transient problems (reset once a connection is
 * established), a slow fixed retry for configuration errors (4xx before the stream
 * starts), and a watchdog that drops a connection that has gone silent.
 */
export class ConnectorSseClient {
  private readonly timings: SseClientTimings;
  private readonly random: () => number;
  private current: StreamState = 'idle';
  private stopped = false;
  private controller?: AbortController;
  private wake?: () => void;
  private loop?: Promise<void>;
  private consecutiveFailures = 0;
  /** Connections in a row that opened, then closed before any data arrived (a flapping connector). */
  private shortLived = 0;
  private reconnectCount = 0;

  constructor(
    private readonly opts: SseClientOptions,
    private readonly hooks: SseClientHooks,
  ) {
    this.timings = { ...DEFAULT_SSE_TIMINGS, ...(opts.timings ?? {}) };
    this.random = opts.random ?? Math.random;
  }

  get state(): StreamState {
    return this.current;
  }

  /** Consecutive connections that opened and closed without any data: the connector is flapping. */
  get flaps(): number {
    return this.shortLived;
  }

  /** Reconnection attempts scheduled since start (after drops and failures). */
  get reconnects(): number {
    return this.reconnectCount;
  }

  start(): void {
    if (this.loop || this.stopped) return;
    this.loop = this.run();
  }

  /** Closes the connection (or cancels a pending retry) and waits for the loop to end. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.controller?.abort(new ClientAbort('stopped'));
    this.wake?.();
    await this.loop;
    this.setState('stopped');
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      const outcome = await this.attempt();
      if (this.stopped) break;
      let retryInMs: number;
      if (outcome.permanent) {
        this.consecutiveFailures++;
        retryInMs = this.timings.permanentFailureRetryMs;
        this.setState('failed');
      } else {
        if (outcome.established) {
          this.consecutiveFailures = 0;
          this.shortLived = 0;
        } else {
          this.consecutiveFailures++;
          if (outcome.reason === 'ended' || outcome.reason === 'network_error') this.shortLived++;
        }
        retryInMs = backoffDelayMs(Math.max(this.consecutiveFailures, 1), this.timings, this.random);
        this.setState('reconnecting');
      }
      this.reconnectCount++;
      const { established: _established, ...info } = outcome;
      this.safeHook(() => this.hooks.onDisconnected?.({ ...info, attempt: this.consecutiveFailures, retryInMs }));
      await this.sleep(retryInMs);
    }
  }

  private async attempt(): Promise<AttemptOutcome> {
    const controller = new AbortController();
    this.controller = controller;
    if (this.current !== 'failed') this.setState('connecting');
    const t = this.timings;
    const connectTimer = setTimeout(() => controller.abort(new ClientAbort('connect_timeout')), t.connectTimeoutMs);
    const headers: Record<string, string> = { Accept: 'text/event-stream', 'Cache-Control': 'no-cache' };
    if (this.opts.token) headers.Authorization = `Bearer ${this.opts.token}`;

    let res: Response;
    try {
      res = await fetch(this.opts.url, { headers, signal: controller.signal });
    } catch (err) {
      return this.failed(controller, err, false);
    } finally {
      clearTimeout(connectTimer);
    }

    if (!res.ok) {
      await res.body?.cancel().catch(() => undefined);
      return { reason: 'http_status', status: res.status, permanent: PERMANENT_FAILURE_STATUSES.includes(res.status), established: false };
    }
    const contentType = res.headers.get('content-type') ?? '';
    if (!res.body || !contentType.toLowerCase().includes('text/event-stream')) {
      await res.body?.cancel().catch(() => undefined);
      return { reason: 'not_event_stream', status: res.status, detail: `content-type "${contentType.slice(0, 80)}"`, permanent: false, established: false };
    }

    // A 200 alone proves little: a connector that answers and hangs up at once would be redialled every
    // second forever. The backoff resets only once data arrived or the connection held for a while.
    const openedAt = Date.now();
    let sawData = false;
    const proven = () => sawData || Date.now() - openedAt >= t.stableConnectionMs;
    this.setState('connected');
    this.safeHook(() => this.hooks.onConnected?.());

    let idleTimer: NodeJS.Timeout | undefined;
    const armIdle = () => {
      clearTimeout(idleTimer);
      idleTimer = setTimeout(() => controller.abort(new ClientAbort('idle_timeout')), t.idleTimeoutMs);
    };
    const parser = createParser({
      maxBufferSize: t.maxFrameChars,
      onEvent: (message) => this.safeHook(() => this.hooks.onFrame(message)),
      onError: (err) => {
        if (err.type === 'max-buffer-size-exceeded') controller.abort(new ClientAbort('frame_too_large'));
      },
    });
    const decoder = new TextDecoder();
    const reader = res.body.getReader();
    armIdle();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return { reason: 'ended', permanent: false, established: proven() };
        // Any bytes at all (frames, heartbeats, comments) prove the connection is alive.
        if (value && value.length > 0 && !sawData) {
          sawData = true;
          // Proven: health stops reporting flapping now, not when this connection ends.
          this.shortLived = 0;
        }
        armIdle();
        if (!controller.signal.aborted) parser.feed(decoder.decode(value, { stream: true }));
      }
    } catch (err) {
      return this.failed(controller, err, proven());
    } finally {
      clearTimeout(idleTimer);
      if (!controller.signal.aborted) controller.abort(new ClientAbort('ended'));
    }
  }

  private failed(controller: AbortController, err: unknown, established: boolean): AttemptOutcome {
    const why: unknown = controller.signal.aborted ? controller.signal.reason : undefined;
    if (why instanceof ClientAbort && why.reason !== 'stopped') {
      return { reason: why.reason, permanent: false, established };
    }
    const cause = (err as { cause?: { code?: string; message?: string } })?.cause;
    const detail = cause?.code ?? cause?.message ?? (err instanceof Error ? err.message : String(err));
    return { reason: 'network_error', detail: String(detail).slice(0, 200), permanent: false, established };
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }

  private setState(state: StreamState): void {
    if (this.current === state) return;
    this.current = state;
    this.safeHook(() => this.hooks.onStateChange?.(state));
  }

  private safeHook(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      try {
        this.hooks.onHookError?.(err);
      } catch {
        // A failing error reporter must not take the reader down either.
      }
    }
  }
}

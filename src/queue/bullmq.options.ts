import type { MetricsService } from '../observability/metrics.service';
import type { RedisConnectionOptions } from '../redis/redis-connection';

/** Settings of BullMqJobQueue; every one but `connection` has a default suited to production. */
export interface BullMqJobQueueOptions {
  /** REDIS_URL and REDIS_KEY_PREFIX; BullMQ keys go under `<prefix>bull:<queue>:…`. */
  connection: RedisConnectionOptions;
  /** False on a `web`-role replica: it enqueues, and process() only records the handler. Default true. */
  workers?: boolean;
  /** Default jobs of one name running at once in this process (per-name `process` options win). Default 32. */
  concurrency?: number;
  /** Jobs of one name waiting, delayed or running before enqueue refuses ('full'). Default 10,000. */
  maxPending?: number;
  /** How long a backlog count is reused (see BacklogGate). Default 1 s. */
  pendingCacheMs?: number;
  /** How long a completed job (and so its id, for dedupe) is kept. Default 1 h. */
  rememberFinishedSeconds?: number;
  /** At most this many completed jobs kept per name. Default 10,000. */
  maxRemembered?: number;
  /** How long a job that failed for good is kept for inspection (its id keeps deduping meanwhile). Default 24 h. */
  keepFailedSeconds?: number;
  /** At most this many failed jobs kept per name. Default 5,000. */
  maxFailedKept?: number;
  /**
   * A running job's lock lasts this long and is renewed at half of it; when its worker
   * dies, the job is handed to another worker once the lock lapses. Default 30 s.
   */
  lockDurationMs?: number;
  /** How often each worker looks for jobs whose lock lapsed (stalled). Default 30 s. */
  stalledIntervalMs?: number;
  /** Times a job may stall (its worker died) and be retried before it fails. Default 1. */
  maxStalledCount?: number;
  /** enqueue gives up (QueueUnavailableError 'unreachable') after this long. Default 2 s. */
  enqueueTimeoutMs?: number;
  /** drain checks job states this often. Default 50 ms. */
  drainPollMs?: number;
  /** Stored on jobs this process runs (BullMQ worker name). Default `<hostname>:<pid>`. */
  instanceName?: string;
  /** Random source for backoff jitter; injectable so specs are deterministic. */
  random?: () => number;
  metrics?: MetricsService;
}

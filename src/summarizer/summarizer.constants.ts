/** JOB_QUEUE job that writes one session's next rolling summary. */
export const SUMMARY_JOB = 'summary';

/** Payload of a summary job: which session to summarise (its content is read when the job runs). */
export interface SummaryJob {
  productId: string;
  sessionId: string;
}

/** One summary job per session at a time: the queue dedupes on this id. */
export const summaryJobId = (job: SummaryJob): string => `summary:${job.productId}:${job.sessionId}`;

/** Tries per summary job; with the backoff capped at SUMMARY_RETRY_MAX_MS this covers a long provider outage. */
export const SUMMARY_ATTEMPTS = 10;

import { createHash } from 'node:crypto';

/**
 * BullMQ refuses some names and ids: a queue name with `:`, a custom job id with `:`,
 * one that parses as an integer, or `0`. Ours contain anything (`summary:<product>:<session>`,
 * `crisp:<session>:<fingerprint>`), so they are mapped: a safe name passes through as
 * is, any other becomes a readable stand-in plus a hash of the original. `~` never
 * passes through, so a mapped name cannot equal a literal one. The original id travels
 * in the job data (JobContext.jobId is always the caller's id).
 */
const SAFE = /^[A-Za-z0-9._-]{1,200}$/;

function mapped(raw: string): string {
  const readable = raw.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 60);
  const hash = createHash('sha256').update(raw, 'utf8').digest('base64url').slice(0, 22);
  return `${readable}~${hash}`;
}

/** The BullMQ queue name for one of our job names (one queue per name). */
export function bullQueueName(jobName: string): string {
  return SAFE.test(jobName) ? jobName : mapped(jobName);
}

/** The BullMQ job id for one of our job ids. */
export function bullJobId(jobId: string): string {
  return SAFE.test(jobId) && !/^\d+$/.test(jobId) ? jobId : mapped(jobId);
}

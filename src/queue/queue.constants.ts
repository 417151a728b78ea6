export const JOB_QUEUE = Symbol('JOB_QUEUE');

/** Injection token for the DeadLetterStore port (memory or redis, chosen with the queue). */
export const DEAD_LETTER_STORE = Symbol('DEAD_LETTER_STORE');

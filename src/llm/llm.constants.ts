/**
 * LLM_PROVIDER: the provider every caller uses (already wrapped with timeout,
 * retries and circuit breaker). RAW_LLM_PROVIDER: the bare provider chosen from
 * config; override LLM_PROVIDER in tests to swap the whole reply path's model.
 */
export const LLM_PROVIDER = Symbol('LLM_PROVIDER');
export const RAW_LLM_PROVIDER = Symbol('RAW_LLM_PROVIDER');
/**
 * SUMMARY_LLM_PROVIDER: the same bare provider behind its own ResilientLlm, so a burst of
 * summaries hitting a rate limit opens the summaries' breaker, never the one chat replies use.
 */
export const SUMMARY_LLM_PROVIDER = Symbol('SUMMARY_LLM_PROVIDER');

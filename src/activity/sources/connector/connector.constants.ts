/**
 * Optional `Partial<SseClientTimings>` overriding the connector stream's backoff,
 * idle and retry timings (defaults follow the connector's published behaviour).
 */
export const SSE_CLIENT_TIMINGS = Symbol('SSE_CLIENT_TIMINGS');

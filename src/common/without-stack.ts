/**
 * Builds an error without capturing a stack trace. For refusals that are answers, not
 * faults (a full queue's 503 under a flood): their stack is never logged or read, and
 * capturing it was the largest part of what each refused request cost.
 */
export function withoutStack<E extends Error>(make: () => E): E {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return make();
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/** Timeouts for the BullMQ queue: no call that waits on Redis may wait forever. */
export const TIMED_OUT = Symbol('timed out');
/** Upper bound of each shutdown step that only releases resources. */
export const CLOSE_STEP_MS = 5_000;

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Whether `p` settled within ms (the timer is cleared either way, so it holds no process open). */
export async function settlesWithin(p: Promise<void>, ms: number): Promise<boolean> {
  return withTimeout(p.then(() => true), ms).catch((err: unknown) => {
    if (err === TIMED_OUT) return false;
    throw err;
  });
}

/** `p`, or a rejection with TIMED_OUT after ms (the work itself is not cancelled). */
export async function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(TIMED_OUT), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

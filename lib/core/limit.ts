/**
 * A concurrency cap plus a rate cap, for upstreams that document a request
 * rate (Zilliz: 20 requests/second per endpoint): at most `ratePerSecond`
 * starts in any window of one second. A burst up to the rate goes out at once
 * (the 8 region listings of a pass start together), the next waits for the
 * window to slide.
 */
export type Limiter = <T>(task: () => Promise<T>) => Promise<T>;

export interface LimiterOptions {
  concurrency: number;
  ratePerSecond: number;
  /** The rate's window; tests shorten it. */
  windowMs?: number;
}

export function createLimiter({ concurrency, ratePerSecond, windowMs = 1000 }: LimiterOptions): Limiter {
  let active = 0;
  /** Start times within the current window, oldest first. */
  const starts: number[] = [];
  const waiting: Array<() => void> = [];

  // A finishing task hands its slot straight to the next waiter, so a newcomer cannot slip in between.
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else active--;
  };

  return async (task) => {
    if (active >= concurrency) await new Promise<void>((resolve) => waiting.push(resolve));
    else active++;
    // Checked and taken synchronously, against real start times: a stalled event loop cannot release more than the rate.
    for (;;) {
      const now = Date.now();
      while (starts.length && (starts[0] ?? 0) <= now - windowMs) starts.shift();
      if (starts.length < ratePerSecond) break;
      await new Promise((resolve) => setTimeout(resolve, (starts[0] ?? now) + windowMs - now));
    }
    starts.push(Date.now());
    try {
      return await task();
    } finally {
      release();
    }
  };
}

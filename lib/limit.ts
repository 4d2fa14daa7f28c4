/**
 * A concurrency cap plus a start-rate cap: for upstreams that document a
 * request rate (Zilliz: 20 requests/second per endpoint).
 */
export type Limiter = <T>(task: () => Promise<T>) => Promise<T>;

export function createLimiter({ concurrency, ratePerSecond }: { concurrency: number; ratePerSecond: number }): Limiter {
  const interval = 1000 / ratePerSecond;
  let active = 0;
  let lastStart = -Infinity;
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
    // Spacing is measured from the last actual start (checked and taken synchronously),
    // so a stalled event loop cannot release a burst of starts at once.
    for (let wait = lastStart + interval - Date.now(); wait > 0; wait = lastStart + interval - Date.now()) {
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
    lastStart = Date.now();
    try {
      return await task();
    } finally {
      release();
    }
  };
}

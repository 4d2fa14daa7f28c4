/**
 * The one backoff of every retry loop (upstream HTTP, the commit's transaction
 * retries, the pass's re-plans, PutEvents retries, the publish lease wait, the
 * webhook deliveries' redrive): exponential with jitter, a uniform delay in
 * [floor · step, step) where step = min(cap, base · 2^attempt) and floor is 0
 * (full jitter) unless given, so callers that failed together do not retry together.
 */
export const MAX_BACKOFF_MS = 10_000;

export interface BackoffOptions {
  /** The delay scale: attempt 0 waits up to baseMs. */
  baseMs: number;
  capMs?: number;
  /** The share of the step always waited (0: full jitter; ½: the webhook deliveries' equal jitter). */
  floor?: number;
  random?: () => number;
}

/** Milliseconds to wait before retry number `attempt` (0 for the first retry's scale). */
export function jitteredBackoff(attempt: number, { baseMs, capMs = MAX_BACKOFF_MS, floor = 0, random = Math.random }: BackoffOptions): number {
  const step = Math.min(capMs, baseMs * 2 ** attempt);
  return Math.round(floor === 0 ? random() * step : step * (floor + random() * (1 - floor)));
}

/** Resolves after `ms`, or at once when `signal` aborts (never rejects). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * The one backoff of every retry loop (upstream HTTP, the commit's transaction
 * retries, the pass's re-plans, PutEvents retries, the publish lease wait):
 * exponential with full jitter, a uniform delay in [0, min(cap, base · 2^attempt)),
 * so concurrent passes that failed together do not retry together.
 */
export const MAX_BACKOFF_MS = 10_000;

export interface BackoffOptions {
  /** The delay scale: attempt 0 waits up to baseMs. */
  baseMs: number;
  capMs?: number;
  random?: () => number;
}

/** Milliseconds to wait before retry number `attempt` (0 for the first retry's scale). */
export function jitteredBackoff(attempt: number, { baseMs, capMs = MAX_BACKOFF_MS, random = Math.random }: BackoffOptions): number {
  return Math.round(random() * Math.min(capMs, baseMs * 2 ** attempt));
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

/**
 * The retry policy, pure: exponential backoff with jitter, for 24 hours from
 * the first try, then the dead-letter queue.
 *
 * Tries: at once, then after about 30 s, 1 min, 2 min, … doubling up to 1 h
 * between tries (each delay drawn from [½, 1] of its step, so endpoints that
 * failed together do not all come back at once): about 30 tries in 24 hours.
 */
import { jitteredBackoff } from '../core/backoff';

export const RETRY_WINDOW_SECONDS = 24 * 3600;
export const FIRST_DELAY_SECONDS = 30;
export const MAX_DELAY_SECONDS = 3600;

/** The delay before try `attempt + 1`, after `attempt` tries failed (attempt ≥ 1). */
export function backoffSeconds(attempt: number, random: () => number = Math.random): number {
  // The one backoff helper, in seconds here.
  return Math.max(1, jitteredBackoff(Math.min(attempt - 1, 20), { baseMs: FIRST_DELAY_SECONDS, capMs: MAX_DELAY_SECONDS, floor: 0.5, random }));
}

export type NextStep = { kind: 'retry'; delaySeconds: number } | { kind: 'dead' };

/** After a failed try: when to try again, or dead when the 24 hours since the first try are over. */
export function afterFailure(attempt: number, firstTryAt: number, now: number, random: () => number = Math.random): NextStep {
  const left = firstTryAt + RETRY_WINDOW_SECONDS * 1000 - now;
  if (left <= 0) return { kind: 'dead' };
  // The last try falls at the end of the window, not after it.
  return { kind: 'retry', delaySeconds: Math.max(1, Math.min(backoffSeconds(attempt, random), Math.ceil(left / 1000))) };
}

/**
 * The one backoff helper: full jitter in [0, step), a floor keeps a share of
 * the step, the step doubles to its cap; the webhook deliveries' policy is the
 * same helper with equal jitter (30 s doubling to 1 h, each delay in [½, 1] of its step).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jitteredBackoff } from '../../../lib/core/backoff';
import { backoffSeconds } from '../../../lib/deliver/policy';

const unit = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });

describe('jitteredBackoff', () => {
  it('draws within [floor · step, step] of a step that doubles up to the cap', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 30 }), fc.integer({ min: 1, max: 500 }), fc.constantFrom(0, 0.25, 0.5), unit, (attempt, baseMs, floor, r) => {
        const step = Math.min(10_000, baseMs * 2 ** attempt);
        const delay = jitteredBackoff(attempt, { baseMs, floor, random: () => r });
        expect(delay).toBeGreaterThanOrEqual(Math.floor(floor * step));
        expect(delay).toBeLessThanOrEqual(step);
      }),
    );
  });
});

describe("the webhook deliveries' backoff", () => {
  it('waits 15-30 s after the first failure, never more than an hour, and at least half of each step', () => {
    expect(backoffSeconds(1, () => 0)).toBe(15);
    expect(backoffSeconds(1, () => 0.999999)).toBe(30);
    expect(backoffSeconds(3, () => 0)).toBe(60);
    expect(backoffSeconds(40, () => 0.999999)).toBe(3600);
    expect(backoffSeconds(40, () => 0)).toBe(1800);
  });
});

// Retry timing of the upstream HTTP client: Retry-After and full-jitter backoff.
import { describe, expect, it } from 'vitest';
import { backoffDelay, retryAfterMs } from '../../../../lib/sync/sources/http';

const NOW = Date.parse('2026-11-23T10:00:00.000Z');

describe('retryAfterMs', () => {
  it('reads delta-seconds', () => {
    expect(retryAfterMs('0', NOW)).toBe(0);
    expect(retryAfterMs('2', NOW)).toBe(2000);
    expect(retryAfterMs(' 120 ', NOW)).toBe(120_000);
  });

  it('reads an HTTP-date as the time until it', () => {
    expect(retryAfterMs('Mon, 23 Nov 2026 10:00:30 GMT', NOW)).toBe(30_000);
  });

  it('reads an HTTP-date in the past as zero', () => {
    expect(retryAfterMs('Mon, 23 Nov 2026 09:59:00 GMT', NOW)).toBe(0);
  });

  it('gives undefined when absent', () => {
    expect(retryAfterMs(null, NOW)).toBeUndefined();
    expect(retryAfterMs('', NOW)).toBeUndefined();
  });

  it('gives undefined for words', () => {
    expect(retryAfterMs('soon', NOW)).toBeUndefined();
    expect(retryAfterMs('120s', NOW)).toBeUndefined();
  });

  it('gives undefined for values that are neither delta-seconds nor an HTTP-date', () => {
    // Node's lenient Date.parse reads each of these as a date in 2001.
    expect(retryAfterMs('1.5', NOW)).toBeUndefined();
    expect(retryAfterMs('-5', NOW)).toBeUndefined();
    expect(retryAfterMs('Retry 1', NOW)).toBeUndefined();
  });
});

describe('backoffDelay', () => {
  it('uses Retry-After when the server gave one, whatever the attempt', () => {
    expect(backoffDelay(0, 200, 1500, () => 0)).toBe(1500);
    expect(backoffDelay(5, 200, 0, () => 1)).toBe(0);
  });

  it('caps a very long Retry-After at one minute', () => {
    expect(backoffDelay(0, 200, 3_600_000, () => 1)).toBe(60_000);
  });

  it('grows exponentially with the attempt at full jitter', () => {
    expect([0, 1, 2, 3, 4].map((attempt) => backoffDelay(attempt, 200, undefined, () => 1))).toEqual([200, 400, 800, 1600, 3200]);
  });

  it('caps the exponential delay at ten seconds', () => {
    expect(backoffDelay(6, 200, undefined, () => 1)).toBe(10_000);
    expect(backoffDelay(30, 200, undefined, () => 1)).toBe(10_000);
  });

  it('scales the delay by the random draw', () => {
    expect(backoffDelay(2, 200, undefined, () => 0)).toBe(0);
    expect(backoffDelay(2, 200, undefined, () => 0.5)).toBe(400);
    expect(backoffDelay(2, 200, undefined, () => 0.25)).toBe(200);
  });

  it('stays within zero and the cap for any random draw', () => {
    for (let i = 0; i < 200; i++) {
      const r = i / 200;
      const delay = backoffDelay(3, 200, undefined, () => r);
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThanOrEqual(1600);
    }
  });
});

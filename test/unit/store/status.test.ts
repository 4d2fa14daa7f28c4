// The status transitions of lib/store/status.ts (transitionOf), pure, against the contract: Source
// Degraded when a scope fails after succeeding, Source Recovered when a degraded scope succeeds again.
import { describe, expect, it } from 'vitest';
import { transitionOf } from '../../../lib/store/status';

const item = (consecutiveFailures: number, lastSuccessAt?: string) => ({ pk: 'STATUS' as const, sk: 'modelarts/p', source: 'modelarts', consecutiveFailures, ...(lastSuccessAt ? { lastSuccessAt } : {}) });
const at = '2026-12-02T10:00:00.000Z';

describe('status transitions', () => {
  it('degrades a scope that succeeded, once', () => {
    expect(transitionOf(item(0, at), true)).toBe('degraded');
    expect(transitionOf(item(1, at), true)).toBeNull();
  });

  it('recovers a degraded scope, once', () => {
    expect(transitionOf(item(2, at), false)).toBe('recovered');
    expect(transitionOf(item(0, at), false)).toBeNull();
  });

  it('announces nothing for a scope that never succeeded: its first success after failures is no recovery (chaos seed 14)', () => {
    expect(transitionOf(undefined, true)).toBeNull();
    expect(transitionOf(item(3), true)).toBeNull();
    expect(transitionOf(item(3), false)).toBeNull();
    expect(transitionOf(undefined, false)).toBeNull();
  });
});

// The status join of lib/store/read.ts (sourceStatuses), pure: scope and status items to the public source status.
import { describe, expect, it } from 'vitest';
import { sourceStatuses } from '../../../lib/store/read';

describe('source status', () => {
  const scope = (sk: string, extra: object = {}) => ({ pk: 'SCOPE' as const, sk, source: sk.split('/')[0]!, version: 1, hash: 'h', regionCount: 3, ...extra });
  const status = (sk: string, extra: object = {}) => ({ pk: 'STATUS' as const, sk, source: sk.split('/')[0]!, ...extra });

  it('joins scope and status by scope, sorted, with each state', () => {
    const at = '2026-11-23T10:00:00.000Z';
    const lastError = { code: 'http.503', message: 'upstream answered 503', at };
    const result = sourceStatuses(
      [scope('zilliz/gcp', { hold: { regionIds: ['a'], passes: 1, since: at } }), scope('zilliz/aws'), scope('modelarts/p')],
      [
        status('zilliz/aws', { lastAttemptAt: at, lastSuccessAt: at, consecutiveFailures: 0 }),
        status('modelarts/p', { lastAttemptAt: at, lastSuccessAt: at, consecutiveFailures: 2, lastError }),
        status('zilliz/azure', { lastAttemptAt: at, consecutiveFailures: 1, lastError }),
      ],
    );
    expect(result.map((s) => [s.scope, s.status, s.regionCount])).toEqual([
      ['modelarts/p', 'degraded', 3],
      ['zilliz/aws', 'ok', 3],
      ['zilliz/azure', 'degraded', 0],
      ['zilliz/gcp', 'held', 3],
    ]);
    expect(result[0]).toEqual({
      scope: 'modelarts/p',
      source: 'modelarts',
      status: 'degraded',
      lastAttemptAt: at,
      lastSuccessAt: at,
      consecutiveFailures: 2,
      lastError,
      regionCount: 3,
    });
    expect(sourceStatuses([], [status('zilliz/new')])[0]).toMatchObject({ status: 'never-synced', lastError: null, lastAttemptAt: null });
  });

  it('shows a held mass removal as {count, of, since, confirmsAfter} with the passes, and nothing when none is held', () => {
    const since = '2026-11-23T10:00:00.000Z';
    const hold = { regionIds: ['zilliz:a', 'zilliz:b'], passes: 2, since, passesNeeded: 3, confirmsAfter: '2026-11-23T10:30:00.000Z' };
    const [held, fine] = sourceStatuses([scope('zilliz/aws', { hold, regionCount: 3 }), scope('zilliz/gcp')], []);
    expect(held?.held).toEqual({ count: 2, of: 3, since, confirmsAfter: '2026-11-23T10:30:00.000Z', passes: 2, passesNeeded: 3 });
    expect(fine && 'held' in fine).toBe(false);
  });

  it('leaves out a scope that never held data and that the latest pass of its source no longer attempted', () => {
    const [earlier, later] = ['2026-11-23T10:00:00.000Z', '2026-11-23T10:05:00.000Z'];
    const lastError = { code: 'http.503', message: 'upstream answered 503', at: earlier };
    const result = sourceStatuses(
      [scope('zilliz/aws')],
      [
        status('zilliz/aws', { lastAttemptAt: later, lastSuccessAt: later, consecutiveFailures: 0 }),
        // failed its first listing, then its cloud left the provider list: no pass attempts it any more
        status('zilliz/gone', { lastAttemptAt: earlier, consecutiveFailures: 1, lastError }),
        // failing its first listing now, in the latest pass: still a scope, shown degraded
        status('zilliz/new', { lastAttemptAt: later, consecutiveFailures: 3, lastError }),
        // another source's clock does not retire it
        status('modelarts/p', { lastAttemptAt: earlier, consecutiveFailures: 1, lastError }),
      ],
    );
    expect(result.map((s) => [s.scope, s.status])).toEqual([
      ['modelarts/p', 'degraded'],
      ['zilliz/aws', 'ok'],
      ['zilliz/new', 'degraded'],
    ]);
  });
});

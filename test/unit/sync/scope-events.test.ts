// One Source Degraded (and one Source Recovered) per failing upstream call, naming every scope it served.
import { describe, expect, it } from 'vitest';
import { failureKey, scopeEvents, type ScopeTransition } from '../../../lib/sync/scope-events';

const AT = '2026-11-23T10:00:00.000Z';
const outage = { code: 'http.503', message: 'GET /v2/regions answered HTTP 503', at: AT, requestId: 'req-1' };

describe('scopeEvents', () => {
  it('makes one Degraded of the three clouds one Zilliz v2 call served', () => {
    const t = (scope: string): ScopeTransition => ({ scope, source: 'zilliz', transition: 'degraded', error: outage, key: 'call-1' });
    const events = scopeEvents([t('zilliz/gcp'), t('zilliz/aws'), t('zilliz/azure')], AT);
    expect(events).toEqual([
      {
        detailType: 'Source Degraded',
        detail: {
          scope: 'zilliz/aws',
          scopes: ['zilliz/aws', 'zilliz/azure', 'zilliz/gcp'],
          source: 'zilliz',
          at: AT,
          error: { code: 'http.503', message: outage.message, requestId: 'req-1' },
          summary: 'zilliz/aws, zilliz/azure, zilliz/gcp: http.503: GET /v2/regions answered HTTP 503, request id req-1',
        },
      },
    ]);
  });

  it('keeps separate calls (v1, one per cloud) and separate sources apart', () => {
    const events = scopeEvents(
      [
        { scope: 'zilliz/aws', source: 'zilliz', transition: 'degraded', error: outage, key: 'a' },
        { scope: 'zilliz/gcp', source: 'zilliz', transition: 'degraded', error: outage, key: 'b' },
        { scope: 'modelarts/p', source: 'modelarts', transition: 'degraded', error: outage, key: 'a' },
      ],
      AT,
    );
    expect(events.map((e) => e.detail.scopes)).toEqual([['zilliz/aws'], ['zilliz/gcp'], ['modelarts/p']]);
  });

  it('makes one Recovered of the scopes that failed by the same call, and never mixes it with a Degraded', () => {
    const key = failureKey(outage);
    const events = scopeEvents(
      [
        { scope: 'zilliz/aws', source: 'zilliz', transition: 'recovered', error: outage, key },
        { scope: 'zilliz/gcp', source: 'zilliz', transition: 'recovered', error: outage, key },
        { scope: 'zilliz/azure', source: 'zilliz', transition: 'degraded', error: outage, key },
      ],
      AT,
    );
    expect(events.map((e) => [e.detailType, e.detail.scopes])).toEqual([
      ['Source Recovered', ['zilliz/aws', 'zilliz/gcp']],
      ['Source Degraded', ['zilliz/azure']],
    ]);
    expect(events[0]?.detail.summary).toBe('zilliz/aws, zilliz/gcp: syncing again');
  });

  it('tells failures apart by code, message, time and request id', () => {
    expect(failureKey(outage)).toBe(failureKey({ ...outage }));
    expect(failureKey(outage)).not.toBe(failureKey({ ...outage, requestId: 'req-2' }));
    expect(failureKey(outage)).not.toBe(failureKey({ ...outage, at: '2026-11-23T10:01:00.000Z' }));
  });
});

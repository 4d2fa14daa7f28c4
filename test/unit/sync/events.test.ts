// EventBridge entries for changes, and PutEvents batching.
import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { batches, changeEntry, entrySize, MAX_BATCH_BYTES, MAX_BATCH_ENTRIES } from '../../../lib/sync/events';
import type { Change, Region } from '../../../lib/core/region';

const T0 = '2026-11-23T10:00:00.000Z';
const T1 = '2026-11-23T10:15:00.000Z';
const target = { busName: 'region-sync-local', source: 'region-sync' };

const region: Region = {
  id: 'zilliz:aws-us-west-2',
  source: 'zilliz',
  cloudId: 'aws',
  regionId: 'aws-us-west-2',
  name: 'aws-us-west-2',
  localizedNames: {},
  apiBaseUrl: 'https://api.aws-us-west-2.zillizcloud.com',
  attributes: { domain: '*.api.aws-us-west-2.zillizcloud.com' },
  firstSeenAt: T0,
  updatedAt: T0,
};

function change(type: Change['type']): Change {
  return {
    id: '01JDQ8Z4Y3K3V0W7N2C5R8T6AB',
    type,
    regionKey: region.id,
    source: 'zilliz',
    scope: 'zilliz/aws',
    regionId: region.regionId,
    before: type === 'region.added' ? null : region,
    after: type === 'region.removed' ? null : { ...region, apiBaseUrl: 'https://api2.aws-us-west-2.zillizcloud.com', updatedAt: T1 },
    changedFields: type === 'region.changed' ? ['apiBaseUrl'] : [],
    detectedAt: T1,
    summary: 'x',
  };
}

describe('changeEntry', () => {
  it.each([
    ['region.added', 'Region Added'],
    ['region.removed', 'Region Removed'],
    ['region.changed', 'Region Changed'],
  ] as const)('puts a %s change on the bus as %s', (type, detailType) => {
    const c = change(type);
    const entry = changeEntry(c, target);
    expect(entry.DetailType).toBe(detailType);
    expect(entry.EventBusName).toBe('region-sync-local');
    expect(entry.Source).toBe('region-sync');
    expect(JSON.parse(entry.Detail ?? '')).toEqual(c);
    expect(entry.Time?.toISOString()).toBe(T1);
  });
});

describe('entrySize', () => {
  it('counts Source, DetailType and Detail in UTF-8 bytes plus 14 for Time', () => {
    const entry: PutEventsRequestEntry = { Source: 'src', DetailType: 'Region Added', Detail: '{"n":"华北"}', Time: new Date(T1), EventBusName: 'not-counted' };
    expect(entrySize(entry)).toBe(3 + 12 + Buffer.byteLength('{"n":"华北"}') + 14);
  });

  it('counts no Time bytes when Time is absent and adds Resources', () => {
    expect(entrySize({ Source: 'a', DetailType: 'b', Detail: 'c', Resources: ['arn:x'] })).toBe(3 + 5);
  });
});

const sized = (bytes: number): PutEventsRequestEntry => ({ Source: 's', DetailType: 'd', Detail: 'x'.repeat(Math.max(0, bytes - 2)) });

describe('batches', () => {
  it('puts at most 10 entries in a batch', () => {
    const out = batches(Array.from({ length: 23 }, (_, i) => i), () => sized(100));
    expect(out.map((b) => b.length)).toEqual([10, 10, 3]);
  });

  it('keeps a batch within 256 KB', () => {
    const out = batches([100_000, 100_000, 100_000, 10], sized);
    expect(out).toEqual([[100_000, 100_000], [100_000, 10]]);
  });

  it('fills a batch to exactly 256 KB', () => {
    expect(batches([MAX_BATCH_BYTES - 1000, 1000, 1], sized)).toEqual([[MAX_BATCH_BYTES - 1000, 1000], [1]]);
  });

  it('gives nothing for nothing', () => {
    expect(batches([], sized)).toEqual([]);
  });

  it('keeps order, loses nothing and respects both limits for any sizes', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 2, max: 120_000 }), { maxLength: 60 }), (sizes) => {
        const out = batches(sizes, sized);
        expect(out.flat()).toEqual(sizes);
        for (const batch of out) {
          expect(batch.length).toBeGreaterThan(0);
          expect(batch.length).toBeLessThanOrEqual(MAX_BATCH_ENTRIES);
          expect(batch.reduce((n, s) => n + entrySize(sized(s)), 0)).toBeLessThanOrEqual(MAX_BATCH_BYTES);
        }
      }),
      { numRuns: 200 },
    );
  });
});

// The pure diff of one scope: stored regions against a fresh upstream answer.
import { describe, expect, it } from 'vitest';
import { changedFields, diffScope } from '../../../lib/sync/diff';
import type { Region, RegionContent } from '../../../lib/core/region';

const T0 = '2026-11-23T10:00:00.000Z';
const T1 = '2026-11-23T10:15:00.000Z';
const SCOPE = 'zilliz/aws';

/** A normalised Zilliz region as lib/sync/sources/zilliz.ts yields it (canonical: sorted keys and lists). */
function content(regionId: string, overrides: Partial<RegionContent> = {}): RegionContent {
  return {
    id: `zilliz:${regionId}`,
    source: 'zilliz',
    cloudId: 'aws',
    regionId,
    name: regionId,
    localizedNames: {},
    apiBaseUrl: `https://api.${regionId}.zillizcloud.com`,
    attributes: { domain: `*.api.${regionId}.zillizcloud.com`, supportedClusterTypes: ['dedicated', 'free', 'serverless'] },
    ...overrides,
  };
}

function stored(regionId: string, overrides: Partial<RegionContent> = {}): Region {
  return { ...content(regionId, overrides), firstSeenAt: T0, updatedAt: T0 };
}

function ids() {
  let n = 0;
  return () => `change-${++n}`;
}

const run = (previous: Region[], next: RegionContent[]) => diffScope({ scope: SCOPE, previous, next, now: T1, newId: ids() });

describe('diffScope', () => {
  it('reports every region as added on the first pass, stamped with now', () => {
    const changes = run([], [content('aws-us-west-2'), content('aws-us-east-1')]);
    expect(changes.map((c) => [c.type, c.regionKey])).toEqual([
      ['region.added', 'zilliz:aws-us-east-1'],
      ['region.added', 'zilliz:aws-us-west-2'],
    ]);
    for (const change of changes) {
      expect(change.before).toBeNull();
      expect(change.changedFields).toEqual([]);
      expect(change.after?.firstSeenAt).toBe(T1);
      expect(change.after?.updatedAt).toBe(T1);
      expect(change.scope).toBe(SCOPE);
      expect(change.source).toBe('zilliz');
      expect(change.detectedAt).toBe(T1);
    }
    expect(changes[0]?.after).toEqual({ ...content('aws-us-east-1'), firstSeenAt: T1, updatedAt: T1 });
  });

  it('emits nothing when the answer equals the stored regions', () => {
    expect(run([stored('aws-us-west-2'), stored('aws-us-east-1')], [content('aws-us-east-1'), content('aws-us-west-2')])).toEqual([]);
  });

  it('emits nothing for an empty scope answered empty', () => {
    expect(run([], [])).toEqual([]);
  });

  it('reports one added region with before null and after the new record', () => {
    const changes = run([stored('aws-us-east-1')], [content('aws-us-east-1'), content('aws-ca-central-1')]);
    expect(changes).toHaveLength(1);
    expect(changes[0]).toEqual({
      id: 'change-1',
      type: 'region.added',
      regionKey: 'zilliz:aws-ca-central-1',
      source: 'zilliz',
      scope: SCOPE,
      regionId: 'aws-ca-central-1',
      before: null,
      after: { ...content('aws-ca-central-1'), firstSeenAt: T1, updatedAt: T1 },
      changedFields: [],
      detectedAt: T1,
      summary: `aws-ca-central-1, ${content('aws-ca-central-1').apiBaseUrl ?? 'no API base URL'}`,
    });
  });

  it('reports one removed region with after null and before the stored record', () => {
    const gone = stored('aws-ap-east-1');
    const changes = run([stored('aws-us-east-1'), gone], [content('aws-us-east-1')]);
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({ type: 'region.removed', regionKey: 'zilliz:aws-ap-east-1', regionId: 'aws-ap-east-1', before: gone, after: null, changedFields: [] });
  });

  it('reports a new apiBaseUrl as one change naming apiBaseUrl', () => {
    const before = stored('aws-us-west-2');
    const next = content('aws-us-west-2', { apiBaseUrl: 'https://api2.aws-us-west-2.zillizcloud.com' });
    const changes = run([before], [next]);
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({ type: 'region.changed', before, changedFields: ['apiBaseUrl'] });
    expect(changes[0]?.after?.apiBaseUrl).toBe('https://api2.aws-us-west-2.zillizcloud.com');
  });

  it('keeps firstSeenAt and sets updatedAt to now on a change', () => {
    const before = { ...stored('aws-us-west-2'), firstSeenAt: '2025-01-01T00:00:00.000Z', updatedAt: '2025-06-01T00:00:00.000Z' };
    const [change] = run([before], [content('aws-us-west-2', { name: 'US West (Oregon)' })]);
    expect(change?.after).toEqual({ ...content('aws-us-west-2', { name: 'US West (Oregon)' }), firstSeenAt: '2025-01-01T00:00:00.000Z', updatedAt: T1 });
  });

  it('names name, localizedNames and attribute keys that changed, sorted', () => {
    const before = stored('cn-north-9', { source: 'modelarts', id: 'modelarts:cn-north-9', cloudId: 'huaweicloud', apiBaseUrl: null, name: 'CN North-Ulanqab1', localizedNames: { en_us: 'CN North-Ulanqab1', zh_cn: '华北-乌兰察布一' }, attributes: { tier: 'a' } });
    const next = content('cn-north-9', {
      source: 'modelarts',
      id: 'modelarts:cn-north-9',
      cloudId: 'huaweicloud',
      apiBaseUrl: null,
      name: 'CN North-Ulanqab 1',
      localizedNames: { en_us: 'CN North-Ulanqab 1', zh_cn: '华北-乌兰察布一' },
      attributes: { tier: 'b', zone: 'x' },
    });
    expect(run([before], [next])[0]?.changedFields).toEqual(['attributes.tier', 'attributes.zone', 'localizedNames', 'name']);
  });

  it('names attributes.domain when only the domain changed', () => {
    const next = content('aws-us-west-2', { attributes: { domain: '*.new.zillizcloud.com', supportedClusterTypes: ['dedicated', 'free', 'serverless'] } });
    expect(run([stored('aws-us-west-2')], [next]).map((c) => c.changedFields)).toEqual([['attributes.domain']]);
  });

  it('names an attribute that disappeared', () => {
    const next = content('aws-us-west-2', { attributes: { supportedClusterTypes: ['dedicated', 'free', 'serverless'] } });
    expect(run([stored('aws-us-west-2')], [next])[0]?.changedFields).toEqual(['attributes.domain']);
  });

  it('names cloudId when the region moved to another cloud', () => {
    expect(run([stored('aws-us-west-2')], [content('aws-us-west-2', { cloudId: 'aws-china' })])[0]?.changedFields).toEqual(['cloudId']);
  });

  it('orders changes added, changed, removed, each by id, whatever the input order', () => {
    const previous = [stored('b-changed'), stored('z-removed'), stored('a-changed'), stored('y-removed'), stored('same')];
    const next = [content('same'), content('n-added'), content('b-changed', { name: 'B' }), content('m-added'), content('a-changed', { name: 'A' })];
    const expected = [
      ['region.added', 'zilliz:m-added'],
      ['region.added', 'zilliz:n-added'],
      ['region.changed', 'zilliz:a-changed'],
      ['region.changed', 'zilliz:b-changed'],
      ['region.removed', 'zilliz:y-removed'],
      ['region.removed', 'zilliz:z-removed'],
    ];
    expect(run(previous, next).map((c) => [c.type, c.regionKey])).toEqual(expected);
    expect(run([...previous].reverse(), [...next].reverse()).map((c) => [c.type, c.regionKey])).toEqual(expected);
  });

  it('gives each change its own id from newId, in output order', () => {
    const changes = run([stored('gone')], [content('new-1'), content('new-2')]);
    expect(changes.map((c) => c.id)).toEqual(['change-1', 'change-2', 'change-3']);
  });

  it('never reports a change for attribute key order alone', () => {
    const before = stored('aws-us-west-2', { attributes: { domain: 'd', nested: { a: 1, b: 2 }, supportedClusterTypes: ['free'] } });
    const next = content('aws-us-west-2', { attributes: { supportedClusterTypes: ['free'], nested: { b: 2, a: 1 }, domain: 'd' } });
    expect(run([before], [next])).toEqual([]);
  });
});

describe('changedFields', () => {
  it('is empty for equal content', () => {
    expect(changedFields(content('aws-us-east-1'), content('aws-us-east-1'))).toEqual([]);
  });

  it('ignores firstSeenAt and updatedAt', () => {
    const later: Region = { ...stored('aws-us-east-1'), firstSeenAt: T1, updatedAt: T1 };
    expect(changedFields(stored('aws-us-east-1'), later)).toEqual([]);
  });

  it('treats a null apiBaseUrl and a URL as different', () => {
    expect(changedFields(content('r', { apiBaseUrl: null }), content('r'))).toEqual(['apiBaseUrl']);
  });

  it('treats an attribute set to null and an absent attribute as different', () => {
    expect(changedFields(content('r', { attributes: {} }), content('r', { attributes: { domain: null } }))).toEqual(['attributes.domain']);
  });
});

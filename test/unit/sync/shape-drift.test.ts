// The pure half of `Schema Changed`: which upstream fields a region shows, and what a pass's observation changes.
import { describe, expect, it } from 'vitest';
import type { RegionContent } from '../../../lib/core/region';
import { compareShapes, observe, schemaEvents, upstreamFields } from '../../../lib/sync/shape-drift';

const zilliz = (id: string, attributes: Record<string, string> = {}, extra: Partial<RegionContent> = {}): RegionContent => ({
  id: `zilliz:${id}`, source: 'zilliz', cloudId: 'aws', regionId: id, name: id, localizedNames: {}, apiBaseUrl: `https://api.${id}`, attributes, ...extra,
});

describe('upstreamFields', () => {
  it('names Zilliz fields as upstream does, mapped ones only when given', () => {
    expect([...upstreamFields(zilliz('aws-a', { domain: 'd' }, { name: 'US West' })).keys()].sort()).toEqual(['apiBaseUrl', 'description', 'domain', 'regionId']);
    expect([...upstreamFields(zilliz('aws-a', {}, { apiBaseUrl: null })).keys()]).toEqual(['regionId']);
  });

  it('does not read an apiBaseUrl that today\'s plain-host domain gave as an upstream apiBaseUrl field', () => {
    const v2 = zilliz('aws-a', { domain: 'api.cloud.zilliz.com' }, { apiBaseUrl: 'https://api.cloud.zilliz.com' });
    expect([...upstreamFields(v2).keys()].sort()).toEqual(['domain', 'regionId']);
  });

  it('names ModelArts fields as upstream does', () => {
    const region: RegionContent = { id: 'modelarts:cn-north-4', source: 'modelarts', cloudId: 'huaweicloud', regionId: 'cn-north-4', name: 'x', localizedNames: { en_us: 'x' }, apiBaseUrl: null, attributes: { endpoint: 'e' } };
    expect([...upstreamFields(region).keys()].sort()).toEqual(['endpoint', 'locales', 'region_id']);
  });
});

describe('compareShapes', () => {
  const base = observe([zilliz('aws-a', { domain: 'a' }), zilliz('aws-b', { domain: 'b' })]);
  const stored = compareShapes(undefined, base, true).next;

  it('takes the first observation as the baseline, announcing nothing', () => {
    expect(compareShapes(undefined, base, true)).toEqual({ next: { fields: ['apiBaseUrl', 'domain', 'regionId'], universal: ['apiBaseUrl', 'domain', 'regionId'] }, added: [], removed: [] });
  });

  it('announces a field that appears in every region, or in one where none had it', () => {
    const all = observe([zilliz('aws-a', { domain: 'a', zone: '1' }), zilliz('aws-b', { domain: 'b', zone: '2' })]);
    expect(compareShapes(stored, all, true)).toMatchObject({ added: ['zone'], removed: [] });
    const one = observe([zilliz('aws-a', { domain: 'a', zone: '1' }), zilliz('aws-b', { domain: 'b' })]);
    expect(compareShapes(stored, one, true)).toMatchObject({ added: ['zone'], removed: [], next: { universal: ['apiBaseUrl', 'domain', 'regionId'] } });
  });

  it('announces a field that vanishes from every region, and never one missing from a single region', () => {
    const single = observe([zilliz('aws-a', {}), zilliz('aws-b', { domain: 'b' })]);
    const once = compareShapes(stored, single, true);
    expect(once).toMatchObject({ added: [], removed: [], next: { fields: ['apiBaseUrl', 'domain', 'regionId'], universal: ['apiBaseUrl', 'regionId'] } });
    // No longer carried by all: its vanishing later is not announced either.
    expect(compareShapes(once.next, observe([zilliz('aws-a'), zilliz('aws-b')]), true)).toMatchObject({ added: [], removed: [] });
    expect(compareShapes(stored, observe([zilliz('aws-a'), zilliz('aws-b')]), true)).toMatchObject({ added: [], removed: ['domain'] });
  });

  it('announces nothing twice: the next state holds what was announced', () => {
    const gained = observe([zilliz('aws-a', { domain: 'a', zone: '1' }), zilliz('aws-b', { domain: 'b', zone: '2' })]);
    const first = compareShapes(stored, gained, true);
    expect(compareShapes(first.next, gained, true)).toEqual({ next: first.next, added: [], removed: [] });
  });

  it('keeps what failed scopes may still carry on a partial pass', () => {
    const partial = observe([zilliz('aws-a', { zone: '1' })]);
    const decision = compareShapes(stored, partial, false);
    expect(decision).toMatchObject({ added: ['zone'], removed: ['domain'] });
    expect(decision.next.fields).toEqual(['apiBaseUrl', 'regionId', 'zone']);
  });

  it('announces at most maxEvents at once and leaves the rest for the next pass', () => {
    const many = observe([zilliz('aws-a', { f1: '1', f2: '2', f3: '3' })]);
    const first = compareShapes(stored, many, true, 2);
    expect(first.added).toEqual(['f1', 'f2']);
    const second = compareShapes(first.next, many, true, 2);
    expect(second.added).toEqual(['f3']);
    expect(second.removed).toEqual(['domain']);
    expect(compareShapes(second.next, many, true, 2)).toMatchObject({ added: [], removed: [] });
  });
});

it('builds one outbox event per field and direction, an example only for an added field', () => {
  const seen = observe([zilliz('aws-a', { zone: 'z1' })]);
  let n = 0;
  const events = schemaEvents('zilliz', { next: { fields: [], universal: [] }, added: ['zone'], removed: ['domain'] }, seen, '2026-11-23T10:00:00.000Z', () => `id${n++}`, 99);
  expect(events.map((e) => [e.sk, e.detailType, JSON.parse(e.detail)])).toEqual([
    ['id0', 'Schema Changed', { source: 'zilliz', field: 'zone', change: 'added', example: 'z1', detectedAt: '2026-11-23T10:00:00.000Z' }],
    ['id1', 'Schema Changed', { source: 'zilliz', field: 'domain', change: 'removed', detectedAt: '2026-11-23T10:00:00.000Z' }],
  ]);
});

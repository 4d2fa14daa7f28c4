// The lines people read (lib/core/summary.ts): the values, cut at 80 characters, and safe inside a JSON string.
import { describe, expect, it } from 'vitest';
import { changeSummary, degradedSummary, displayValue, heldSummary, initialSummary, oneLine, valueChanges } from '../../../lib/core/summary';
import type { Change, Region } from '../../../lib/core/region';

const T = '2026-11-23T10:00:00.000Z';
const region = (over: Partial<Region> = {}): Region => ({
  id: 'zilliz:aws-us-east-1', source: 'zilliz', cloudId: 'aws', regionId: 'aws-us-east-1', name: 'aws-us-east-1', localizedNames: {},
  apiBaseUrl: 'https://api.cloud.zilliz.com', attributes: { status: 'active' }, firstSeenAt: T, updatedAt: T, ...over,
});
const change = (type: Change['type'], before: Region | null, after: Region | null, changedFields: string[] = []): Change => ({
  id: 'c1', type, regionKey: 'zilliz:aws-us-east-1', source: 'zilliz', scope: 'zilliz/aws', regionId: 'aws-us-east-1', before, after, changedFields, detectedAt: T, summary: '',
});

describe('changeSummary', () => {
  it('names each changed value before → after, sorted as changedFields', () => {
    const c = change('region.changed', region(), region({ name: 'N. Virginia', attributes: { status: 'deprecated' } }), ['attributes.status', 'name']);
    expect(changeSummary(c)).toBe('attributes.status: active → deprecated; name: aws-us-east-1 → N. Virginia');
  });

  it('gives the name and API base URL of an added or removed region', () => {
    expect(changeSummary(change('region.added', null, region({ name: 'aws-sa-east-1' })))).toBe('aws-sa-east-1, https://api.cloud.zilliz.com');
    expect(changeSummary(change('region.removed', region({ apiBaseUrl: null }), null))).toBe('aws-us-east-1, no API base URL');
  });

  it('opens localizedNames per locale instead of showing two JSON objects', () => {
    const before = region({ localizedNames: { en_us: 'East China', zh_cn: '华东' } });
    const after = region({ localizedNames: { en_us: 'East China', zh_cn: '华东二', ja_jp: '華東' } });
    const c = change('region.changed', before, after, ['localizedNames']);
    expect(valueChanges(c).map((v) => v.field)).toEqual(['localizedNames.ja_jp', 'localizedNames.zh_cn']);
    expect(changeSummary(c)).toBe('localizedNames.ja_jp: none → 華東; localizedNames.zh_cn: 华东 → 华东二');
  });

  it('cuts a value over 80 characters with …, counting characters not bytes', () => {
    const long = 'x'.repeat(100);
    expect(displayValue(long)).toBe(`${'x'.repeat(79)}…`);
    expect([...displayValue('华'.repeat(81))]).toHaveLength(80);
    expect(displayValue('y'.repeat(80))).toBe('y'.repeat(80));
  });

  it('is safe inside a JSON string whatever the upstream sent', () => {
    const nasty = region({ name: 'a "quoted"\\ name\nwith a newline\u0007' });
    const line = changeSummary(change('region.changed', region(), nasty, ['name']));
    // eslint-disable-next-line no-control-regex
    expect(line).not.toMatch(/["\\\n\u0000-\u001f]/);
    expect(JSON.parse(`{"text": "${line}"}`).text).toBe(line);
    expect(oneLine('a"b\\c')).toBe("a'b∖c");
  });

  it('shows objects and lists as compact JSON without double quotes', () => {
    const c = change('region.changed', region(), region({ attributes: { status: 'active', zones: ['a', 'b'] } }), ['attributes.zones']);
    expect(changeSummary(c)).toBe("attributes.zones: none → ['a','b']");
  });
});

describe('operational lines', () => {
  it('tell a first sync once, with the count', () => {
    expect(initialSummary('zilliz/aws', 13)).toBe('zilliz/aws: first sync, 13 regions');
    expect(initialSummary('zilliz/x', 1)).toBe('zilliz/x: first sync, 1 region');
  });

  it('say how many of how many removals are held, and when they may confirm', () => {
    expect(heldSummary({ scope: 'zilliz/aws', count: 13, of: 13, confirmsAfter: '2026-12-02T13:30:00.000Z', passesNeeded: 3 })).toBe(
      'zilliz/aws: removal of 13 of 13 regions held; they are removed only if still absent from 3 consecutive passes, the last at or after 2026-12-02 13:30 UTC',
    );
  });

  it('name every scope of a failing call, the error and the request id', () => {
    expect(degradedSummary(['zilliz/aws', 'zilliz/gcp'], { code: 'upstream.http', message: 'HTTP 503 from GET /v2/regions', requestId: 'req-7' })).toBe(
      'zilliz/aws, zilliz/gcp: upstream.http: HTTP 503 from GET /v2/regions, request id req-7',
    );
  });
});

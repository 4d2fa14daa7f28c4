// Query and path parameter validation (lib/catalog/params.ts).
import { describe, expect, it } from 'vitest';
import { START } from '../../../lib/catalog/cursor';
import { filterKey, parseLimit, parseRegionFilter, parseRegionPath, parseSince } from '../../../lib/catalog/params';
import { HttpProblem } from '../../../lib/catalog/problem';

describe('parameters', () => {
  const detailOf = (fn: () => unknown) => {
    try {
      fn();
    } catch (error) {
      if (error instanceof HttpProblem) return `${error.status} ${error.detail}`;
      throw error;
    }
    return 'no error';
  };

  it('normalises filters so equal filters give equal keys', () => {
    const a = parseRegionFilter({ source: 'zilliz,modelarts', cloudId: 'gcp, aws,aws' });
    const b = parseRegionFilter({ cloudId: 'aws,gcp', source: 'modelarts,zilliz', other: 'ignored' });
    expect(a).toEqual({ source: ['modelarts', 'zilliz'], cloudId: ['aws', 'gcp'] });
    expect(filterKey(a)).toBe(filterKey(b));
    expect(parseRegionFilter(undefined)).toEqual({ source: [], cloudId: [] });
  });

  it.each([
    [() => parseRegionFilter({ source: 'foo' }), "400 source: unknown source 'foo'; expected zilliz or modelarts"],
    [() => parseRegionFilter({ cloudId: 'AWS' }), /^400 cloudId: invalid value 'AWS'/],
    [() => parseRegionFilter({ cloudId: Array.from({ length: 21 }, (_, i) => `c${i}`).join(',') }), '400 cloudId: at most 20 values'],
    [() => parseRegionPath({ source: 'foo', regionId: 'x' }), /^400 source:/],
    [() => parseRegionPath({ source: 'zilliz', regionId: '..%2F..%2Fetc' }), /^400 regionId:/],
    [() => parseRegionPath({ source: 'zilliz', regionId: '%E0%A4%A' }), '400 regionId: malformed percent-encoding'],
    [() => parseRegionPath({ source: 'zilliz', regionId: 'x'.repeat(129) }), /^400 regionId:/],
    [() => parseLimit('0'), /^400 limit:/],
    [() => parseLimit('501'), /^400 limit:/],
    [() => parseLimit('abc'), /^400 limit:/],
    [() => parseLimit('1.5'), /^400 limit:/],
    [() => parseLimit('-1'), /^400 limit:/],
    [() => parseSince('garbage'), /^400 since:/],
  ])('%# refuses with a detail naming the parameter', (fn, expected) => {
    const detail = detailOf(fn);
    if (typeof expected === 'string') expect(detail).toBe(expected);
    else expect(detail).toMatch(expected);
  });

  it('accepts the edges', () => {
    expect(parseLimit(undefined)).toBe(100);
    expect(parseLimit('1')).toBe(1);
    expect(parseLimit('500')).toBe(500);
    expect(parseRegionPath({ source: 'modelarts', regionId: 'cn-north-4' })).toEqual({ source: 'modelarts', regionId: 'cn-north-4' });
    expect(parseSince(undefined)).toEqual(START);
  });
});

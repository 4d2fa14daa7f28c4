// The pure half of `GET /regions?at=`: parsing the point, and undoing changes newest first from the current catalog.
import { describe, expect, it } from 'vitest';
import { isSettled, parsePoint, rebuildAt, SETTLE_MS, type CurrentCatalog } from '../../../lib/catalog/at';
import { encodeCursor, START } from '../../../lib/catalog/cursor';
import { HttpProblem } from '../../../lib/catalog/problem';
import type { Change, Region } from '../../../lib/core/region';
import type { DatedChangeset } from '../../../lib/store/read';

const NOW = Date.parse('2026-11-30T00:00:00.000Z');
const region = (id: string, name = id): Region => ({
  id: `zilliz:${id}`, source: 'zilliz', cloudId: 'aws', regionId: id, name, localizedNames: {}, apiBaseUrl: null, attributes: {}, firstSeenAt: 'x', updatedAt: 'x',
});
const change = (type: Change['type'], before: Region | null, after: Region | null): Change => ({
  id: `${type}:${(after ?? before)!.id}`, type, regionKey: (after ?? before)!.id, source: 'zilliz', scope: 'zilliz/aws', regionId: (after ?? before)!.regionId,
  before, after, changedFields: [], detectedAt: 'x', summary: 'x',
});

// seq 1: add a, b; seq 2: rename a, add c; seq 3: remove b.
const history: DatedChangeset[] = [
  { seq: 1, committedAt: '2026-11-20T00:00:00.000Z', expiresAtMs: Infinity, changes: [change('region.added', null, region('a')), change('region.added', null, region('b'))] },
  { seq: 2, committedAt: '2026-11-21T00:00:00.000Z', expiresAtMs: Infinity, changes: [change('region.changed', region('a'), region('a', 'A')), change('region.added', null, region('c'))] },
  { seq: 3, committedAt: '2026-11-22T00:00:00.000Z', expiresAtMs: Infinity, changes: [change('region.removed', region('b'), null)] },
];
const current: CurrentCatalog = { version: 3, syncedAt: history[2]!.committedAt, regions: [region('a', 'A'), region('c')] };
async function* newestFirst(from: number, drop: number[] = []): AsyncGenerator<DatedChangeset> {
  for (const cs of [...history].reverse()) if (cs.seq >= from && !drop.includes(cs.seq)) yield cs;
}
const names = (r: Awaited<ReturnType<typeof rebuildAt>>) => (r.kind === 'ok' ? r.catalog.regions.map((x) => `${x.regionId}=${x.name}`) : r.kind);

describe('parsePoint', () => {
  it('reads a cursor and an RFC 3339 time, offsets and fractions included', () => {
    expect(parsePoint(encodeCursor({ seq: 2, index: 0 }), NOW)).toEqual({ kind: 'cursor', position: { seq: 2, index: 0 } });
    expect(parsePoint('2026-11-21T01:00:00+01:00', NOW)).toEqual({ kind: 'time', ms: Date.parse('2026-11-21T00:00:00Z') });
    expect(parsePoint('2026-11-21t00:00:00.123456z', NOW)).toEqual({ kind: 'time', ms: Date.parse('2026-11-21T00:00:00.123Z') });
  });

  it.each(['yesterday', '2026-11-21', '2026-11-21 00:00:00Z', '2026-02-30T00:00:00Zx', '1700000000'])('refuses %j naming at', (raw) => {
    expect(() => parsePoint(raw, NOW)).toThrow(HttpProblem);
    expect(() => parsePoint(raw, NOW)).toThrow(/^at: /);
  });

  it('refuses a time in the future', () => {
    expect(() => parsePoint('2026-12-01T00:00:00Z', NOW)).toThrow(/^at: the time lies in the future/);
  });

  it('settles cursors at once and times after the settle window', () => {
    expect(isSettled({ kind: 'cursor', position: START }, NOW)).toBe(true);
    expect(isSettled({ kind: 'time', ms: NOW - SETTLE_MS }, NOW)).toBe(true);
    expect(isSettled({ kind: 'time', ms: NOW - 1000 }, NOW)).toBe(false);
  });
});

describe('rebuildAt', () => {
  it('undoes the changes after a cursor, mid-changeset included', async () => {
    expect(names(await rebuildAt(current, { kind: 'cursor', position: START }, newestFirst(1)))).toEqual([]);
    expect(names(await rebuildAt(current, { kind: 'cursor', position: { seq: 1, index: 0 } }, newestFirst(1)))).toEqual(['a=a']);
    expect(names(await rebuildAt(current, { kind: 'cursor', position: { seq: 2, index: 0 } }, newestFirst(2)))).toEqual(['a=A', 'b=b']);
    expect(names(await rebuildAt(current, { kind: 'cursor', position: { seq: 3, index: 0 } }, newestFirst(3)))).toEqual(['a=A', 'c=c']);
  });

  it('stands at the newest commit stamped at or before a time', async () => {
    const at = (iso: string) => rebuildAt(current, { kind: 'time', ms: Date.parse(iso) }, newestFirst(1));
    expect(names(await at('2026-11-19T00:00:00Z'))).toEqual([]);
    const mid = await at('2026-11-21T12:00:00Z');
    expect(names(mid)).toEqual(['a=A', 'b=b', 'c=c']);
    expect(mid.kind === 'ok' && [mid.catalog.version, mid.catalog.syncedAt, mid.catalog.position]).toEqual([2, '2026-11-21T00:00:00.000Z', { seq: 2, index: 1 }]);
  });

  it('is expired when a changeset it needs is gone, and ahead past the current version', async () => {
    expect(await rebuildAt(current, { kind: 'cursor', position: START }, newestFirst(1, [1]))).toEqual({ kind: 'expired' });
    expect(await rebuildAt(current, { kind: 'cursor', position: { seq: 1, index: 1 } }, newestFirst(1, [1]))).toEqual({ kind: 'expired' });
    expect(await rebuildAt(current, { kind: 'time', ms: Date.parse('2026-11-19T00:00:00Z') }, newestFirst(1, [1]))).toEqual({ kind: 'expired' });
    // Whether the lost changeset was stamped before the time is unknown: expired, not a guess.
    expect(await rebuildAt(current, { kind: 'time', ms: Date.parse('2026-11-20T12:00:00Z') }, newestFirst(1, [1]))).toEqual({ kind: 'expired' });
    expect(names(await rebuildAt(current, { kind: 'time', ms: Date.parse('2026-11-21T12:00:00Z') }, newestFirst(1, [1])))).toEqual(['a=A', 'b=b', 'c=c']);
    expect(await rebuildAt(current, { kind: 'cursor', position: { seq: 4, index: 0 } }, newestFirst(1))).toEqual({ kind: 'ahead' });
  });
});

// Planning one scope's write: diff, hold and the head that follows.
import { describe, expect, it } from 'vitest';
import type { StoredRegion } from '../../../lib/store/plans';
import { answerHash, isUnchanged, planScope, type PlanInput } from '../../../lib/sync/plan';
import type { Region, RegionContent } from '../../../lib/core/region';
import type { ScopeItem } from '../../../lib/store/items';

const T0 = '2026-11-23T10:00:00.000Z';
const T1 = '2026-11-23T10:15:00.000Z';
const SCOPE = 'modelarts/0123456789abcdef0123456789abcdef';

function content(regionId: string, en = regionId): RegionContent {
  return {
    id: `modelarts:${regionId}`,
    source: 'modelarts',
    cloudId: 'huaweicloud',
    regionId,
    name: en,
    localizedNames: { en_us: en, zh_cn: `区域 ${regionId}` },
    apiBaseUrl: null,
    attributes: {},
  };
}

const stored = (regionId: string, seq: number): StoredRegion => ({ region: { ...content(regionId), firstSeenAt: T0, updatedAt: T0 } as Region, seq });

function head(regions: readonly RegionContent[], overrides: Partial<ScopeItem> = {}): ScopeItem {
  return { pk: 'SCOPE', sk: SCOPE, source: 'modelarts', version: 7, hash: answerHash(regions), regionCount: regions.length, ...overrides };
}

const IDS = ['cn-east-4', 'cn-north-12', 'cn-north-9', 'cn-southwest-2', 'ap-southeast-1', 'ap-southeast-3'];

function input(regions: RegionContent[], storedRegions: StoredRegion[], h: ScopeItem | undefined, holdPasses = 3): PlanInput {
  let n = 0;
  return { scope: SCOPE, source: 'modelarts', regions, state: { head: h, regions: storedRegions }, holdPasses, now: T1, newId: () => `id-${++n}` };
}

describe('answerHash', () => {
  it('does not depend on the order of the answer', () => {
    const regions = IDS.map((id) => content(id));
    expect(answerHash([...regions].reverse())).toBe(answerHash(regions));
  });

  it('changes when any region content changes', () => {
    const regions = IDS.map((id) => content(id));
    const renamed = regions.map((r, i) => (i === 2 ? content(r.regionId, 'Renamed') : r));
    expect(answerHash(renamed)).not.toBe(answerHash(regions));
  });

  it('does not depend on key order inside a region', () => {
    const a = content('cn-east-4');
    const b: RegionContent = { attributes: {}, apiBaseUrl: null, localizedNames: { zh_cn: '区域 cn-east-4', en_us: 'cn-east-4' }, name: 'cn-east-4', regionId: 'cn-east-4', cloudId: 'huaweicloud', source: 'modelarts', id: 'modelarts:cn-east-4' };
    expect(answerHash([b])).toBe(answerHash([a]));
  });
});

describe('isUnchanged', () => {
  it('is true only with a head of the same hash and no hold', () => {
    const regions = IDS.map((id) => content(id));
    const h = head(regions);
    expect(isUnchanged(h, h.hash)).toBe(true);
    expect(isUnchanged(undefined, h.hash)).toBe(false);
    expect(isUnchanged(h, 'other')).toBe(false);
    expect(isUnchanged({ ...h, hold: { regionIds: ['modelarts:x'], passes: 1, since: T0 } }, h.hash)).toBe(false);
  });
});

describe('planScope', () => {
  it('plans nothing for an answer equal to the stored head, in any order', () => {
    const regions = IDS.map((id) => content(id));
    const storedRegions = IDS.map((id) => stored(id, 3));
    expect(planScope(input([...regions].reverse(), storedRegions, head(regions)))).toBeNull();
  });

  it('plans every region as added on a first pass, with a head that did not exist', () => {
    const regions = IDS.map((id) => content(id));
    const plan = planScope(input(regions, [], undefined));
    expect(plan?.changes.map((c) => c.type)).toEqual(Array(6).fill('region.added'));
    expect(plan?.expected).toEqual({ exists: false, version: 0 });
    expect(plan?.head).toEqual({ hash: answerHash(regions), regionCount: 6, hold: undefined });
    expect(plan?.previousCount).toBe(0);
    expect(plan?.holdStarted).toBe(false);
    // The first successful pass of a scope: every change initial, the first one carrying the one line people get.
    expect(plan?.changes.every((c) => c.initial === true)).toBe(true);
    expect(plan?.changes.map((c) => c.initialSummary)).toEqual([`${SCOPE}: first sync, 6 regions`, ...Array(5).fill(undefined)]);
  });

  it('marks nothing initial once the scope has a head', () => {
    const regions = IDS.map((id) => content(id));
    const first = planScope(input(regions.slice(0, 5), [], undefined));
    expect(first?.changes.every((c) => c.initial)).toBe(true);
    const head: ScopeItem = { pk: 'SCOPE', sk: SCOPE, source: 'modelarts', version: 1, hash: 'h', regionCount: 5 };
    const stored = (first?.changes ?? []).map((c, i) => ({ region: c.after!, seq: i + 1 }));
    const next = planScope(input(regions, stored, head));
    expect(next?.changes.map((c) => [c.type, c.initial, c.initialSummary])).toEqual([['region.added', undefined, undefined]]);
  });

  it('plans a head-only write for a first, empty answer', () => {
    const plan = planScope(input([], [], undefined));
    expect(plan?.changes).toEqual([]);
    expect(plan?.head.regionCount).toBe(0);
  });

  it('fills priorSeq with the stored sequence of every region and expects the head version', () => {
    const storedRegions = [stored('cn-east-4', 4), stored('cn-north-9', 7)];
    const plan = planScope(input([content('cn-east-4', 'CN East2')], storedRegions, head(storedRegions.map((s) => content(s.region.regionId)))));
    expect(plan?.priorSeq).toEqual({ 'modelarts:cn-east-4': 4, 'modelarts:cn-north-9': 7 });
    expect(plan?.expected).toMatchObject({ exists: true, version: 7, hash: expect.any(String) });
    expect(plan?.changes.map((c) => [c.type, c.regionKey])).toEqual([
      ['region.changed', 'modelarts:cn-east-4'],
      ['region.removed', 'modelarts:cn-north-9'],
    ]);
  });

  it('counts the regions after adds and removals', () => {
    const storedRegions = IDS.slice(0, 4).map((id) => stored(id, 1));
    const regions = [...IDS.slice(0, 3), 'la-north-2', 'la-south-2'].map((id) => content(id));
    const plan = planScope(input(regions, storedRegions, head(IDS.slice(0, 4).map((id) => content(id)))));
    expect(plan?.head.regionCount).toBe(5);
  });

  it('holds a mass removal: removals stay out of changes, adds and changes still go', () => {
    const storedRegions = IDS.map((id) => stored(id, 2));
    const regions = [content('cn-east-4', 'CN East2'), content('cn-north-12'), content('la-north-2')];
    const plan = planScope(input(regions, storedRegions, head(IDS.map((id) => content(id)))));
    expect(plan?.changes.map((c) => [c.type, c.regionKey])).toEqual([
      ['region.added', 'modelarts:la-north-2'],
      ['region.changed', 'modelarts:cn-east-4'],
    ]);
    expect(plan?.holdStarted).toBe(true);
    expect(plan?.head.hold).toEqual({ regionIds: ['modelarts:ap-southeast-1', 'modelarts:ap-southeast-3', 'modelarts:cn-north-9', 'modelarts:cn-southwest-2'], passes: 1, since: T1, passesNeeded: 3, confirmsAfter: T1 });
    // Held regions stay stored: 6 + 1 added.
    expect(plan?.head.regionCount).toBe(7);
  });

  it('counts a held removal on the next identical answer as a head-only plan', () => {
    const storedRegions = IDS.map((id) => stored(id, 2));
    const regions = [content('cn-east-4')];
    const first = planScope(input(regions, storedRegions, head(IDS.map((id) => content(id)))));
    const afterFirst = head(IDS.map((id) => content(id)), { hash: first?.head.hash ?? '', hold: first?.head.hold });
    const second = planScope(input(regions, storedRegions, afterFirst));
    expect(second?.changes).toEqual([]);
    expect(second?.holdStarted).toBe(false);
    expect(second?.head.hold?.passes).toBe(2);
    expect(second?.head.regionCount).toBe(6);
  });

  it('commits the held removals once the configured passes are reached', () => {
    const storedRegions = IDS.map((id) => stored(id, 2));
    const regions = [content('cn-east-4')];
    const removed = IDS.filter((id) => id !== 'cn-east-4').map((id) => `modelarts:${id}`).sort();
    const h = head(IDS.map((id) => content(id)), { hash: answerHash(regions), hold: { regionIds: removed, passes: 2, since: T0 } });
    const plan = planScope(input(regions, storedRegions, h, 3));
    expect(plan?.changes.map((c) => c.type)).toEqual(Array(5).fill('region.removed'));
    expect(plan?.head).toEqual({ hash: answerHash(regions), regionCount: 1, hold: undefined });
    expect(plan?.holdStarted).toBe(false);
  });

  it('removes a minority of regions at once', () => {
    const storedRegions = IDS.map((id) => stored(id, 2));
    const plan = planScope(input(IDS.slice(0, 3).map((id) => content(id)), storedRegions, head(IDS.map((id) => content(id)))));
    expect(plan?.changes.filter((c) => c.type === 'region.removed')).toHaveLength(3);
    expect(plan?.head.hold).toBeUndefined();
    expect(plan?.head.regionCount).toBe(3);
  });
});

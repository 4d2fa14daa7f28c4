// The warm snapshot cache's pure parts: applying committed changes, finding each change's SEQ, and the version key.
import { describe, expect, it } from 'vitest';
import type { Region, RegionContent } from '../../../lib/core/region';
import type { ScopeItem } from '../../../lib/store/items';
import type { ScopePlan, StoredRegion } from '../../../lib/store/plans';
import { packTransactions } from '../../../lib/store/transactions';
import { answerHash, planScope } from '../../../lib/sync/plan';
import { noteCommitted, type CommittedScope } from '../../../lib/store/commit';
import { applyChanges, createSnapshotCache } from '../../../lib/sync/snapshot-cache';

const T0 = '2026-11-23T10:00:00.000Z';
const T1 = '2026-11-23T10:15:00.000Z';

function content(scope: string, regionId: string, name = regionId): RegionContent {
  return { id: `zilliz:${scope}:${regionId}`, source: 'zilliz', cloudId: scope, regionId, name, localizedNames: {}, apiBaseUrl: null, attributes: { n: 1 } };
}
const stored = (c: RegionContent, seq: number): StoredRegion => ({ region: { ...c, firstSeenAt: T0, updatedAt: T0 } as Region, seq });
const head = (scope: string, regions: RegionContent[], version: number): ScopeItem => ({ pk: 'SCOPE', sk: scope, source: 'zilliz', version, hash: answerHash(regions), regionCount: regions.length });

let ids = 0;
function plan(scope: string, before: StoredRegion[], next: RegionContent[], version: number): ScopePlan {
  const prev = before.map((s) => s.region as RegionContent);
  const p = planScope({ scope, source: 'zilliz', regions: next, state: { head: before.length ? head(scope, prev, version) : undefined, regions: before }, holdPasses: 3, now: T1, newId: () => `c${++ids}` });
  if (!p) throw new Error('expected a plan');
  return p;
}

const ids_ = (regions: readonly StoredRegion[]) => regions.map((r) => `${r.region.regionId}@${r.seq}:${r.region.name}`).sort();

describe('applyChanges', () => {
  it('puts added and changed regions with their seq, deletes removed ones, leaves the rest as they were', () => {
    const a = content('s', 'a');
    const b = content('s', 'b');
    const c = content('s', 'c');
    const before = [stored(a, 3), stored(b, 3), stored(c, 5)];
    const p = plan('s', before, [a, { ...b, name: 'B2' }, content('s', 'd')], 5);
    expect(p.changes.map((x) => x.type).sort()).toEqual(['region.added', 'region.changed', 'region.removed']);
    const after = applyChanges(before, p.changes.map((change) => ({ change, seq: 6 })));
    expect(ids_(after)).toEqual(['a@3:a', 'b@6:B2', 'd@6:d']);
    // The input is not modified.
    expect(ids_(before)).toEqual(['a@3:a', 'b@3:b', 'c@5:c']);
  });

  it('stores the region as its JSON comes back from the table (no shared object with the change)', () => {
    const a = content('s', 'a');
    const p = plan('s', [], [a], 0);
    const [entry] = applyChanges([], [{ change: p.changes[0]!, seq: 1 }]);
    expect(entry!.region).toEqual(p.changes[0]!.after);
    expect(entry!.region).not.toBe(p.changes[0]!.after);
  });
});

describe('noteCommitted (what the commit returns per scope)', () => {
  it('gives each change the SEQ of its transaction and each scope the SEQ of its last part', () => {
    // 60 additions do not fit one transaction with another scope (2 items each): the second scope is split.
    const big = Array.from({ length: 60 }, (_, i) => content('big', `r${String(i).padStart(2, '0')}`));
    const small = [content('small', 'x')];
    const plans = [plan('small', [], small, 0), plan('big', [], big, 0)];
    const txs = packTransactions(plans);
    expect(txs.length).toBe(2);
    const out = new Map<string, CommittedScope>();
    txs.forEach((tx, i) => noteCommitted(out, tx, 41 + i));
    expect(out.get('small')!.version).toBe(41);
    expect(out.get('big')!.version).toBe(42);
    const seqs = new Set(out.get('big')!.changes.map((c) => c.seq));
    expect([...seqs].sort()).toEqual([41, 42]);
    expect(out.get('big')!.changes.length).toBe(60);
  });
});

describe('createSnapshotCache', () => {
  it('answers only for the version an entry reflects, and forgets dropped and retired scopes', () => {
    const cache = createSnapshotCache();
    const regions = [stored(content('s', 'a'), 4)];
    cache.set('s', { version: 4, regions });
    cache.set('t', { version: 2, regions: [] });
    expect(cache.get('s', 4)).toBe(regions);
    expect(cache.get('s', 5)).toBeUndefined();
    expect(cache.get('u', 4)).toBeUndefined();
    expect(cache.regionCount()).toBe(1);
    cache.retain(new Set(['t']));
    expect(cache.get('s', 4)).toBeUndefined();
    expect(cache.get('t', 2)).toEqual([]);
    cache.drop('t');
    expect(cache.get('t', 2)).toBeUndefined();
  });
});

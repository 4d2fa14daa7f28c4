/**
 * `GET /regions?at=<time>` when commits are stamped out of sequence order: a
 * commit is stamped with its pass's start, so a slow pass that commits after a
 * quicker, later one carries an earlier stamp than the sequence before it.
 * At a time T the catalog is what a reader could have seen then: the changes
 * of the longest run of commits, from the first, all stamped at or before T
 * (a commit stamped later than T had not landed at T, nor had any commit after
 * it). The truth is that rule applied to the feed as GET /changes serves it:
 * no answer holds a change detected after T, and none leaves out one of that run.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createCatalogHandler } from '../../lib/catalog/handler';
import type { Change, Region } from '../../lib/core/region';
import { call, type TestHandler } from '../support/catalog-event';
import { freshTable, type FreshTable } from '../support/db';
import { readWholeFeed, replay } from '../support/history';
import { commit, makeChange, makeRegion } from '../support/seed';

const MINUTE = 60_000;
const T0 = Math.floor(Date.now() / MINUTE) * MINUTE - 2 * 86_400_000;
const iso = (minutes: number) => new Date(T0 + minutes * MINUTE).toISOString();

let table: FreshTable;
let api: TestHandler;

beforeAll(async () => {
  table = await freshTable();
  api = createCatalogHandler({ store: { doc: table.doc, table: table.tableName }, corsOrigins: ['*'], revalidateMs: 0, maxAgeSeconds: 0 }) as TestHandler;
});
afterAll(() => table?.drop());

it('at every minute, the catalog holds the changes of the longest run of commits stamped by then, and nothing later', async () => {
  const r = (id: string, overrides: Partial<Region> = {}) => makeRegion('zilliz', id, overrides);
  // Commit order (sequence) and stamps: 1 at 0', 2 at 20', 3 at 12' (a slow pass, landing after 2), 4 at 40', 5 at 35'.
  const plan: [number, Change[]][] = [
    [0, [makeChange('region.added', r('aws-a'), null, iso(0)), makeChange('region.added', r('aws-b'), null, iso(0))]],
    [20, [makeChange('region.added', r('aws-c'), null, iso(20))]],
    [12, [makeChange('region.removed', r('aws-a'), r('aws-a'), iso(12)), makeChange('region.added', r('aws-d'), null, iso(12))]],
    [40, [makeChange('region.added', r('aws-e'), null, iso(40))]],
    [35, [makeChange('region.removed', r('aws-b'), r('aws-b'), iso(35))]],
  ];
  for (const [minute, changes] of plan) await commit(table.doc, table.tableName, changes, iso(minute));

  const feed = await readWholeFeed(api);
  expect(feed.map((c) => c.detectedAt)).toEqual(plan.flatMap(([minute, changes]) => changes.map(() => iso(minute))));
  for (let minute = -1; minute <= 45; minute++) {
    const t = T0 + minute * MINUTE;
    // The truth: the feed up to the first change detected after T.
    const cut = feed.findIndex((c) => Date.parse(c.detectedAt) > t);
    const want = replay(cut < 0 ? feed : feed.slice(0, cut)).map((x) => x.id);
    const res = await call(api, 'GET', `/regions?at=${iso(minute)}`);
    expect(res.status, res.text).toBe(200);
    expect((res.json as { regions: Region[] }).regions.map((x) => x.id), `at ${minute}'`).toEqual(want);
  }
});

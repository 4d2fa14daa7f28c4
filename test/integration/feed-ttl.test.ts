/**
 * The feed and every other reader of changesets under DynamoDB's real TTL,
 * which deletes expired items late and in no particular order. Each scenario
 * gives every changeset one of three states: live, expired but still stored
 * (TTL has not run yet: its `expiresAt` is past by the reader's clock, which
 * runs ten days ahead of DynamoDB Local's, so Local's own TTL leaves it alone),
 * or deleted (never written, as TTL would leave it). The answers are checked
 * against a model that knows every change that was ever committed, deleted ones
 * included: a cursor from which a change would be missed is a 410, anything
 * else serves exactly the changes after it; an expired changeset is never
 * served by the feed, `?at=`, history, Atom or the page, stored or not.
 */
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { createCatalogHandler } from '../../lib/catalog/handler';
import { encodeCursor, START, type FeedPosition } from '../../lib/catalog/cursor';
import type { Change, Region } from '../../lib/core/region';
import { historyItem } from '../../lib/store/transactions';
import { call, type TestHandler } from '../support/catalog-event';
import { freshTable, type FreshTable } from '../support/db';
import { makeChange, makeRegion, seed } from '../support/seed';

type State = 'live' | 'expired' | 'deleted';

interface Feed {
  changes: Change[];
  next: string;
}

/** The reader's clock: ten days ahead of the real one (and of DynamoDB Local's TTL). */
const NOW = Math.floor(Date.now() / 1000) * 1000 + 10 * 86_400_000;
const HOUR = 3_600_000;
const stamp = (seq: number) => new Date(NOW - 5 * 86_400_000 + seq * HOUR).toISOString();
/** In the real future (DynamoDB Local keeps the item) but an hour before the reader's now. */
const EXPIRED = Math.floor((NOW - HOUR) / 1000);
const LIVE = Math.floor((NOW + 20 * 86_400_000) / 1000);

/** Changes per changeset 1..6 (head 6): sizes vary so that cursors sit mid-changeset too. */
const SIZES = [2, 1, 3, 1, 2, 3];
const HEAD = SIZES.length;

/** The whole story, as committed: adds, then a change and a removal of earlier regions. */
function story(): Change[][] {
  const current = new Map<string, Region>();
  return SIZES.map((size, k) =>
    Array.from({ length: size }, (_, i) => {
      const seq = k + 1;
      if (seq === 4 && i === 0) {
        const before = current.get('zilliz:aws-s1-0')!;
        const after = { ...before, name: 'renamed in 4' };
        current.set(after.id, after);
        return { ...makeChange('region.changed', after, before, stamp(seq)), regionKey: after.id };
      }
      if (seq === 6 && i === 2) {
        const before = current.get('zilliz:aws-s2-0')!;
        current.delete(before.id);
        return makeChange('region.removed', before, before, stamp(seq));
      }
      const region = makeRegion('zilliz', `aws-s${seq}-${i}`, { firstSeenAt: stamp(seq), updatedAt: stamp(seq) });
      current.set(region.id, region);
      return makeChange('region.added', region, null, stamp(seq));
    }),
  );
}

interface World {
  table: FreshTable;
  handler: TestHandler;
  changesets: Change[][];
  states: State[];
  clock: { now: number };
}

const tables: FreshTable[] = [];
afterAll(async () => {
  await Promise.all(tables.map((t) => t.drop()));
});

/** A table holding the story with each changeset (and its history items) in its state; the regions are the whole story's result. */
async function world(states: State[], expiries: Partial<Record<number, number>> = {}): Promise<World> {
  const table = await freshTable();
  tables.push(table);
  const changesets = story();
  const regions = fold(changesets.flat());
  const kept = changesets.map((changes, k) => ({ seq: k + 1, changes, state: states[k]! })).filter((c) => c.state !== 'deleted');
  const expiresAt = (seq: number, state: State) => expiries[seq] ?? (state === 'expired' ? EXPIRED : LIVE);
  await seed(table.doc, table.tableName, {
    seq: { value: HEAD, committedAt: stamp(HEAD) },
    regions: [...regions.values()],
    changesets: kept.map(({ seq, changes, state }) => ({ seq, changes, committedAt: stamp(seq), expiresAt: expiresAt(seq, state) })),
  });
  const history = kept.flatMap(({ seq, changes, state }) => changes.map((c) => historyItem(c, seq, expiresAt(seq, state))));
  for (let i = 0; i < history.length; i += 25) {
    await table.doc.send(new BatchWriteCommand({ RequestItems: { [table.tableName]: history.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) } }));
  }
  const clock = { now: NOW };
  const handler = createCatalogHandler({
    store: { doc: table.doc, table: table.tableName },
    corsOrigins: ['*'],
    revalidateMs: 0,
    maxAgeSeconds: 30,
    now: () => clock.now,
  }) as TestHandler;
  return { table, handler, changesets, states, clock };
}

// ---- The model: it knows every change ever committed, and which changesets a reader may still see.

interface Position {
  seq: number;
  index: number;
}

function fold(changes: readonly Change[]): Map<string, Region> {
  const regions = new Map<string, Region>();
  for (const c of changes) {
    if (c.after) regions.set(c.regionKey, c.after);
    else regions.delete(c.regionKey);
  }
  return regions;
}

const positions = (changesets: Change[][]): (Position & { change: Change })[] =>
  changesets.flatMap((changes, k) => changes.map((change, index) => ({ seq: k + 1, index, change })));

const after = (p: Position, c: FeedPosition) => p.seq > c.seq || (p.seq === c.seq && p.index > c.index);

/** What GET /changes must answer from cursor `c`: 410 when a change after it is out of reach, else every change after it. */
function expectedFeed(w: World, c: FeedPosition): Change[] | 410 {
  const visible = (seq: number) => w.states[seq - 1] === 'live';
  const all = positions(w.changesets);
  if (c.seq === 0) {
    // From the start: the changes of the unbroken run of visible changesets that ends at the head.
    let floor = HEAD + 1;
    while (floor > 1 && visible(floor - 1)) floor--;
    return all.filter((p) => p.seq >= floor).map((p) => p.change);
  }
  const rest = all.filter((p) => after(p, c));
  if (rest.some((p) => !visible(p.seq))) return 410;
  // The cursor's own changeset out of reach: only a cursor that says it had read it to its end may go on.
  if (!visible(c.seq) && !c.last) return 410;
  return rest.map((p) => p.change);
}

/** Every cursor a client could hold: the start, and each change of each changeset (the last with and without its flag). */
function cursors(): FeedPosition[] {
  const out: FeedPosition[] = [START];
  SIZES.forEach((size, k) => {
    for (let index = 0; index < size; index++) {
      out.push({ seq: k + 1, index });
      if (index === size - 1) out.push({ seq: k + 1, index, last: true });
    }
  });
  return out;
}

const ids = (changes: readonly Change[]) => changes.map((c) => c.id);
const label = (c: FeedPosition) => `cursor ${c.seq}.${c.index}${c.last ? ' (last)' : ''}`;

async function poll(w: World, since: FeedPosition | string, limit = 500) {
  const token = typeof since === 'string' ? since : encodeCursor(since);
  return call(w.handler, 'GET', `/changes?limit=${limit}${since === START ? '' : `&since=${token}`}`);
}

const SCENARIOS: Record<string, State[]> = {
  'every changeset live': ['live', 'live', 'live', 'live', 'live', 'live'],
  'a middle changeset deleted before older ones': ['live', 'live', 'deleted', 'live', 'live', 'live'],
  'a middle changeset expired, not yet deleted': ['live', 'live', 'expired', 'live', 'live', 'live'],
  'the oldest expired but stored, the next deleted first': ['expired', 'deleted', 'live', 'live', 'live', 'live'],
  'two holes, one of them a gap of exactly one': ['live', 'deleted', 'live', 'expired', 'live', 'live'],
  'a gap of one just after a mid-size changeset': ['live', 'live', 'live', 'live', 'deleted', 'live'],
  'everything expired, some deleted (a quiet month)': ['deleted', 'expired', 'deleted', 'expired', 'expired', 'expired'],
};

describe.each(Object.entries(SCENARIOS))('%s', (_name, states) => {
  let w: World;
  it('GET /changes from every cursor: 410 exactly when a change would be missed, else every change after it', async () => {
    w = await world(states);
    for (const c of cursors()) {
      const res = await poll(w, c);
      const want = expectedFeed(w, c);
      if (want === 410) {
        expect(res.status, label(c)).toBe(410);
        expect(res.json, label(c)).toMatchObject({ status: 410, detail: expect.stringMatching(/^since:/) });
      } else {
        expect(res.status, `${label(c)}: ${res.text}`).toBe(200);
        expect(ids((res.json as Feed).changes), label(c)).toEqual(ids(want));
      }
    }
  });

  it('paging one change at a time from the start never meets a 410 and ends with the model’s changes', async () => {
    const seen: Change[] = [];
    let since: string | typeof START = START;
    for (let i = 0; i < 30; i++) {
      const res = await poll(w, since, 1);
      expect(res.status, res.text).toBe(200);
      const feed = res.json as Feed;
      if (feed.changes.length === 0) break;
      seen.push(...feed.changes);
      since = feed.next;
    }
    expect(ids(seen)).toEqual(ids(expectedFeed(w, START) as Change[]));
  });

  it('?at= every cursor: the catalog the feed folds up to it, or 410 when a changeset it needs is out of reach', async () => {
    const all = positions(w.changesets);
    for (const c of cursors().filter((p) => !p.last)) {
      const res = await call(w.handler, 'GET', `/regions?at=${encodeCursor(c)}`);
      const needed = Array.from({ length: HEAD - Math.max(c.seq, 1) + 1 }, (_, i) => Math.max(c.seq, 1) + i);
      if (needed.some((seq) => states[seq - 1] !== 'live')) {
        expect(res.status, label(c)).toBe(410);
        continue;
      }
      expect(res.status, `${label(c)}: ${res.text}`).toBe(200);
      const want = [...fold(all.filter((p) => !after(p, c)).map((p) => p.change)).keys()].sort();
      expect((res.json as { regions: Region[] }).regions.map((r) => r.id), label(c)).toEqual(want);
    }
    // A time: the state after the commit stamped then; every changeset from that one to the head is needed.
    for (let seq = 1; seq <= HEAD; seq++) {
      const res = await call(w.handler, 'GET', `/regions?at=${stamp(seq)}`);
      const reachable = states.slice(seq - 1).every((s) => s === 'live');
      expect(res.status, `at commit ${seq}`).toBe(reachable ? 200 : 410);
    }
  });

  it('history, Atom and the page list only the changes of live changesets', async () => {
    const visible = positions(w.changesets).filter((p) => states[p.seq - 1] === 'live');
    for (const key of new Set(positions(w.changesets).map((p) => p.change.regionKey))) {
      const regionId = key.slice('zilliz:'.length);
      const res = await call(w.handler, 'GET', `/regions/zilliz/${regionId}/history`);
      const want = visible.filter((p) => p.change.regionKey === key).map((p) => p.change.id);
      if (res.status === 404) expect(want, key).toEqual([]);
      else expect(ids((res.json as { changes: Change[] }).changes), key).toEqual(want);
    }
    const newestFirst = [...visible].reverse();
    const atom = await call(w.handler, 'GET', '/changes.atom?limit=500');
    expect([...atom.text.matchAll(/<id>urn:region-sync:change:([^<]+)<\/id>/g)].map((m) => m[1])).toEqual(newestFirst.map((p) => p.change.id));
    const page = await call(w.handler, 'GET', '/');
    const listed = [...page.text.matchAll(/<li class="k-(?:added|changed|removed)">.*?<a href="[^"]*">(zilliz:[^<]+)<\/a>/g)].map((m) => m[1]);
    // The page lists the live changes of the day before the newest one (the contract's "last 24 hours").
    const newest = Date.parse(newestFirst[0]?.change.detectedAt ?? '');
    const ofTheDay = newestFirst.filter((p) => Date.parse(p.change.detectedAt) >= newest - 24 * 3600_000);
    expect(listed).toEqual(ofTheDay.map((p) => p.change.regionKey));
  });
});

describe('a changeset expiring while no commit comes', () => {
  it('drops out of Atom, the page and a remembered ?at= answer at its expiry time, with a new ETag', async () => {
    // Changeset 1 expires in an hour by the reader's clock; nothing else changes meanwhile.
    const w = await world(['live', 'live', 'live', 'live', 'live', 'live'], { 1: Math.floor((NOW + HOUR) / 1000) });
    const first = w.changesets[0]!.map((c) => c.id);
    const atom1 = await call(w.handler, 'GET', '/changes.atom?limit=500');
    const page1 = await call(w.handler, 'GET', '/');
    const cursor = encodeCursor({ seq: 1, index: 0 });
    expect((await call(w.handler, 'GET', `/regions?at=${cursor}`)).status).toBe(200);
    expect(first.every((id) => atom1.text.includes(id))).toBe(true);

    w.clock.now = NOW + HOUR;
    const atom2 = await call(w.handler, 'GET', '/changes.atom?limit=500', { 'if-none-match': atom1.headers.etag! });
    expect(atom2.status).toBe(200);
    expect(atom2.headers.etag).not.toBe(atom1.headers.etag);
    expect(first.some((id) => atom2.text.includes(id))).toBe(false);
    const page2 = await call(w.handler, 'GET', '/', { 'if-none-match': page1.headers.etag! });
    expect(page2.status).toBe(200);
    // Each change the page's change list shows: a line of its own, or a region of a first sync (folded per scope, all added).
    const listed = (html: string) => {
      const from = html.indexOf('<section id="changes"');
      const section = html.slice(from, html.indexOf('</section>', from));
      const word = { added: 'Added', changed: 'Changed', removed: 'Removed' } as Record<string, string>;
      return [...section.matchAll(/<li class="k-(added|changed|removed)">.*?<a href="[^"]*">(zilliz:[^<]+)<\/a>|<li><a href="[^"]*">(zilliz:[^<]+)<\/a> <span class="summary">/g)].map((m) =>
        m[1] ? `Region ${word[m[1]]} ${m[2]}` : `Region Added ${m[3]}`,
      );
    };
    expect(listed(page1.text)).toContain('Region Added zilliz:aws-s1-1');
    expect(listed(page2.text)).toEqual(listed(page1.text).filter((line) => !line.startsWith('Region Added zilliz:aws-s1-')));
    expect((await call(w.handler, 'GET', `/regions?at=${cursor}`)).status).toBe(410);
    expect((await poll(w, { seq: 1, index: 0 })).status).toBe(410);
    expect((await poll(w, { seq: 1, index: 1, last: true })).status).toBe(200);
  });
});

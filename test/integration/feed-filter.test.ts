/**
 * The filtered change feed. Pollers following `next` with a filter while real
 * sync passes commit see every matching change exactly once, in commit order
 * (checked against the changesets read afterwards); a filter that matches
 * nothing still moves `next`; bad filter values are a 400 naming the parameter.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCatalogHandler } from '../../lib/catalog/handler';
import { MAX_SCANNED } from '../../lib/catalog/feed';
import type { Change } from '../../lib/core/region';
import { call, type TestHandler } from '../support/catalog-event';
import { freshTable } from '../support/db';
import { createHarness, type Harness } from '../support/harness';
import { makeChange, makeRegion, seed } from '../support/seed';

interface Feed {
  changes: Change[];
  next: string;
}

const handlerOn = (doc: Harness['table']['doc'], tableName: string) =>
  createCatalogHandler({ store: { doc, table: tableName }, corsOrigins: ['*'], revalidateMs: 0, maxAgeSeconds: 30 }) as TestHandler;

/** Follows `next` from the start with `query` until told to stop and a poll comes back empty. */
function poller(handler: TestHandler, query: string, stop: () => boolean) {
  const seen: Change[] = [];
  let cursor = '';
  const read = async () => {
    const res = await call(handler, 'GET', `/changes?${query}${cursor ? `&since=${cursor}` : ''}`);
    expect(res.status).toBe(200);
    const body = res.json as Feed;
    expect(body.next).toBeTruthy();
    seen.push(...body.changes);
    const moved = body.next !== cursor;
    cursor = body.next;
    return moved;
  };
  const done = (async () => {
    while (!stop()) if (!(await read())) await new Promise((r) => setTimeout(r, 5));
    while (await read());
  })();
  return { seen, done };
}

describe('filtered feed while passes commit', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  it('gives every matching change exactly once, for each filter', async () => {
    const handler = handlerOn(h.table.doc, h.table.tableName);
    let finished = false;
    const filters: Record<string, (c: Change) => boolean> = {
      'type=region.removed&limit=1': (c) => c.type === 'region.removed',
      'source=modelarts&type=region.changed,region.added&limit=2': (c) => c.source === 'modelarts' && c.type !== 'region.removed',
      'source=zilliz&limit=3': (c) => c.source === 'zilliz',
    };
    const pollers = Object.keys(filters).map((q) => ({ q, p: poller(handler, q, () => finished) }));

    for (let i = 0; i < 6; i++) {
      h.zilliz.addRegion('gcp', { cloudId: 'gcp', regionId: `gcp-test-${i}` });
      h.modelarts.updateRegion('cn-east-4', { locales: { en_us: `CN East ${i}` } });
      if (i % 2) h.zilliz.removeRegion('gcp', `gcp-test-${i - 1}`);
      await h.pass();
    }
    finished = true;
    await Promise.all(pollers.map(({ p }) => p.done));

    const committed = await h.committedChanges();
    expect(committed.filter((c) => c.type === 'region.removed')).toHaveLength(3);
    for (const { q, p } of pollers) {
      const expected = committed.filter(filters[q]!).map((c) => c.id);
      expect(expected.length, q).toBeGreaterThan(0);
      expect(p.seen.map((c) => c.id), q).toEqual(expected);
    }
  });
});

describe('filter parameters and the scan bound', () => {
  let table: Awaited<ReturnType<typeof freshTable>>;
  let handler: TestHandler;
  const zillizAdds = Array.from({ length: MAX_SCANNED + 300 }, (_, i) => makeChange('region.added', makeRegion('zilliz', `aws-r${i}`)));
  const removal = makeChange('region.removed', makeRegion('modelarts', 'cn-north-4'));

  beforeAll(async () => {
    table = await freshTable();
    const changesets = [];
    for (let i = 0; i < zillizAdds.length; i += 400) changesets.push(zillizAdds.slice(i, i + 400));
    changesets[changesets.length - 1]!.push(removal);
    await seed(table.doc, table.tableName, {
      seq: { value: changesets.length },
      changesets: changesets.map((changes, i) => ({ seq: i + 1, changes })),
    });
    handler = handlerOn(table.doc, table.tableName);
  });
  afterAll(async () => {
    await table.drop();
  });

  it('answers a page that matched nothing with next past what it scanned, then the match', async () => {
    const first = await call(handler, 'GET', '/changes?type=region.removed');
    expect(first.status).toBe(200);
    const page = first.json as Feed;
    expect(page.changes).toEqual([]);
    const second = (await call(handler, 'GET', `/changes?type=region.removed&since=${page.next}`)).json as Feed;
    expect(second.changes.map((c) => c.id)).toEqual([removal.id]);
    const third = (await call(handler, 'GET', `/changes?type=region.removed&since=${second.next}`)).json as Feed;
    expect(third).toEqual({ changes: [], next: second.next });
  });

  it('leaves the unfiltered feed as it was', async () => {
    const page = (await call(handler, 'GET', '/changes?limit=500')).json as Feed;
    expect(page.changes.map((c) => c.id)).toEqual(zillizAdds.slice(0, 500).map((c) => c.id));
  });

  it.each([
    ['type=region.renamed', 'type'],
    ['type=region.added,bogus', 'type'],
    ['source=aws', 'source'],
  ])('refuses %s with a 400 naming %s', async (query, name) => {
    const res = await call(handler, 'GET', `/changes?${query}`);
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toBe('application/problem+json');
    expect((res.json as { detail: string }).detail.startsWith(`${name}:`)).toBe(true);
  });
});

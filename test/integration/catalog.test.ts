// The catalog HTTP function end to end against DynamoDB Local: every route and
// filter, ETag/304, compression, the change feed, the warm cache's reads and the
// local HTTP adapter over a real socket.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCatalogHandler } from '../../lib/catalog/handler';
import { decodeCursor, encodeCursor } from '../../lib/catalog/cursor';
import type { Change, Region } from '../../lib/core/region';
import { createDocumentClient } from '../../lib/store/client';
import { startHttpAdapter } from '../../local/http-adapter';
import { call, type TestHandler } from '../support/catalog-event';
import { freshTable } from '../support/db';
import { T0, commit, makeChange, makeRegion, seed } from '../support/seed';

type Table = Awaited<ReturnType<typeof freshTable>>;

const regions: Region[] = [
  makeRegion('zilliz', 'aws-us-west-2'),
  makeRegion('zilliz', 'aws-eu-central-1'),
  makeRegion('zilliz', 'gcp-us-west1'),
  makeRegion('zilliz', 'azure-eastus'),
  makeRegion('modelarts', 'cn-north-4'),
  makeRegion('modelarts', 'ap-southeast-1', { attributes: { note: 'x'.repeat(2_000) } }),
];
const sortedIds = regions.map((r) => r.id).sort();

interface RegionList {
  regions: Region[];
  count: number;
  version: string;
  syncedAt: string | null;
}
interface Feed {
  changes: Change[];
  next: string;
}

function handlerFor(table: Table, extra: Partial<Parameters<typeof createCatalogHandler>[0]> = {}): TestHandler {
  return createCatalogHandler({ store: { doc: table.doc, table: table.tableName }, corsOrigins: ['*'], revalidateMs: 0, maxAgeSeconds: 30, ...extra }) as TestHandler;
}

describe('catalog routes', () => {
  let table: Table;
  let handler: TestHandler;

  beforeAll(async () => {
    table = await freshTable();
    await seed(table.doc, table.tableName, {
      seq: { value: 3, committedAt: T0 },
      regions,
      scopes: [
        { sk: 'zilliz/aws', regionCount: 2 },
        { sk: 'zilliz/gcp', regionCount: 1, hold: { regionIds: ['gcp-us-east4'], passes: 1, since: T0 } },
        { sk: 'zilliz/azure', regionCount: 1 },
        { sk: 'modelarts/0123456789abcdef0123456789abcdef', regionCount: 2 },
      ],
      statuses: [
        { sk: 'zilliz/aws', lastAttemptAt: T0, lastSuccessAt: T0, consecutiveFailures: 0 },
        { sk: 'zilliz/gcp', lastAttemptAt: T0, lastSuccessAt: T0, consecutiveFailures: 0 },
        { sk: 'zilliz/azure', lastAttemptAt: T0, lastSuccessAt: T0, consecutiveFailures: 2, lastError: { code: 'http.503', message: 'upstream answered 503', at: T0 } },
        { sk: 'modelarts/0123456789abcdef0123456789abcdef', lastAttemptAt: T0, lastSuccessAt: T0, consecutiveFailures: 0 },
        { sk: 'zilliz/oracle', lastAttemptAt: T0, consecutiveFailures: 1, lastError: { code: 'timeout', message: 'no answer in 10 s', at: T0 } },
        { sk: 'zilliz/oci' },
      ],
    });
    handler = handlerFor(table);
  });
  afterAll(() => table?.drop());

  it('GET /regions lists every region sorted by id with version and syncedAt', async () => {
    const res = await call(handler, 'GET', '/regions');
    expect(res.status).toBe(200);
    const body = res.json as RegionList;
    expect(body.regions.map((r) => r.id)).toEqual(sortedIds);
    expect(body).toMatchObject({ count: 6, version: '3', syncedAt: T0 });
    expect(body.regions.find((r) => r.id === 'zilliz:aws-us-west-2')).toEqual(regions[0]);
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.headers.etag).toMatch(/^"v3-[0-9a-f]{12}"$/);
    expect(res.headers['cache-control']).toBe('public, max-age=30');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['access-control-allow-origin']).toBe('*');
    expect(res.headers.server).toBeUndefined();
    expect(res.headers['x-powered-by']).toBeUndefined();
  });

  it.each([
    ['source=modelarts', ['modelarts:ap-southeast-1', 'modelarts:cn-north-4']],
    ['source=zilliz&cloudId=aws', ['zilliz:aws-eu-central-1', 'zilliz:aws-us-west-2']],
    ['cloudId=gcp,azure', ['zilliz:azure-eastus', 'zilliz:gcp-us-west1']],
    ['cloudId=gcp&cloudId=huaweicloud', ['modelarts:ap-southeast-1', 'modelarts:cn-north-4', 'zilliz:gcp-us-west1']],
    ['source=modelarts&cloudId=aws', []],
    ['source=zilliz,modelarts&unknown=1', sortedIds],
  ])('GET /regions?%s filters', async (query, ids) => {
    const res = await call(handler, 'GET', `/regions?${query}`);
    expect(res.status).toBe(200);
    expect((res.json as RegionList).regions.map((r) => r.id)).toEqual(ids);
    expect((res.json as RegionList).count).toBe(ids.length);
  });

  it('gives each filter its own tag and equal filters the same one', async () => {
    const all = await call(handler, 'GET', '/regions');
    const a = await call(handler, 'GET', '/regions?source=zilliz&cloudId=aws,gcp');
    const b = await call(handler, 'GET', '/regions?cloudId=gcp,aws&source=zilliz');
    expect(a.headers.etag).toBe(b.headers.etag);
    expect(a.headers.etag).not.toBe(all.headers.etag);
  });

  it('answers 304 with no body to If-None-Match with the current tag, weak or listed', async () => {
    const first = await call(handler, 'GET', '/regions?source=zilliz');
    const tag = first.headers.etag!;
    for (const inm of [tag, `W/${tag}`, `"other", ${tag}`, '*']) {
      const res = await call(handler, 'GET', '/regions?source=zilliz', { 'If-None-Match': inm });
      expect(res.status, inm).toBe(304);
      expect(res.raw.body ?? '').toBe('');
      expect(res.headers.etag).toBe(tag);
      expect(res.headers['cache-control']).toBe(first.headers['cache-control']);
    }
    const other = await call(handler, 'GET', '/regions?source=modelarts', { 'If-None-Match': tag });
    expect(other.status).toBe(200);
  });

  it('sends gzip and br that decode to the same JSON, tagged per encoding', async () => {
    const plain = await call(handler, 'GET', '/regions');
    const gzip = await call(handler, 'GET', '/regions', { 'Accept-Encoding': 'gzip' });
    const br = await call(handler, 'GET', '/regions', { 'Accept-Encoding': 'gzip, deflate, br' });
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(br.headers['content-encoding']).toBe('br');
    expect(gzip.raw.isBase64Encoded).toBe(true);
    expect(gzip.json).toEqual(plain.json);
    expect(br.json).toEqual(plain.json);
    expect(br.headers.vary).toContain('Accept-Encoding');
    expect(br.headers.etag).toBe(`${plain.headers.etag!.slice(0, -1)}-br"`);
    expect(Buffer.from(br.raw.body!, 'base64').length).toBeLessThan(plain.text.length / 2);
    // The tag of either representation validates the other.
    const revalidated = await call(handler, 'GET', '/regions', { 'Accept-Encoding': 'gzip', 'If-None-Match': br.headers.etag! });
    expect(revalidated.status).toBe(304);
    expect(revalidated.headers.etag).toBe(`${plain.headers.etag!.slice(0, -1)}-gzip"`);
  });

  it('answers HEAD with the GET headers and no body', async () => {
    const get = await call(handler, 'GET', '/regions');
    const head = await call(handler, 'HEAD', '/regions');
    expect(head.status).toBe(200);
    expect(head.raw.body).toBe('');
    expect(head.headers.etag).toBe(get.headers.etag);
  });

  it('GET /regions/{source}/{regionId} answers one region with its own tag, 304 and 404', async () => {
    const res = await call(handler, 'GET', '/regions/modelarts/cn-north-4');
    expect(res.status).toBe(200);
    expect(res.json).toEqual(regions[4]);
    expect(res.headers.etag).toMatch(/^"v3-/);
    const other = await call(handler, 'GET', '/regions/zilliz/aws-us-west-2');
    expect(other.headers.etag).not.toBe(res.headers.etag);
    expect((await call(handler, 'GET', '/regions/modelarts/cn-north-4', { 'if-none-match': res.headers.etag! })).status).toBe(304);
    const missing = await call(handler, 'GET', '/regions/zilliz/aws-mars-1');
    expect(missing.status).toBe(404);
    expect(missing.headers['content-type']).toBe('application/problem+json');
    expect(missing.json).toMatchObject({ status: 404, detail: 'region zilliz:aws-mars-1 not found' });
  });

  it('GET /sources joins scope and status per scope, sorted', async () => {
    const res = await call(handler, 'GET', '/sources');
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('public, max-age=5');
    const { sources } = res.json as { sources: { scope: string; status: string; regionCount: number; source: string }[] };
    expect(sources.map((s) => [s.scope, s.source, s.status, s.regionCount])).toEqual([
      ['modelarts/0123456789abcdef0123456789abcdef', 'modelarts', 'ok', 2],
      ['zilliz/aws', 'zilliz', 'ok', 2],
      ['zilliz/azure', 'zilliz', 'degraded', 1],
      ['zilliz/gcp', 'zilliz', 'held', 1],
      ['zilliz/oci', 'zilliz', 'never-synced', 0],
      ['zilliz/oracle', 'zilliz', 'degraded', 0],
    ]);
    expect(sources[2]).toEqual({
      scope: 'zilliz/azure',
      source: 'zilliz',
      status: 'degraded',
      lastAttemptAt: T0,
      lastSuccessAt: T0,
      consecutiveFailures: 2,
      lastError: { code: 'http.503', message: 'upstream answered 503', at: T0 },
      regionCount: 1,
    });
  });

  it('GET /openapi.json serves the document', async () => {
    const res = await call(handler, 'GET', '/openapi.json', { 'accept-encoding': 'br' });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ openapi: '3.1.0' });
    expect(Object.keys((res.json as { paths: object }).paths).sort()).toEqual([
      '/',
      '/assets/page.css',
      '/assets/page.js',
      '/changes',
      '/changes.atom',
      '/openapi.json',
      '/regions',
      '/regions/{source}/{regionId}',
      '/regions/{source}/{regionId}/history',
      '/schemas',
      '/schemas/{detailType}',
      '/sources',
    ]);
  });

  it('a new commit changes the version and the tag', async () => {
    const before = await call(handler, 'GET', '/regions');
    const added = makeRegion('zilliz', 'aws-ap-south-1');
    await commit(table.doc, table.tableName, [makeChange('region.added', added)]);
    const after = await call(handler, 'GET', '/regions', { 'If-None-Match': before.headers.etag! });
    expect(after.status).toBe(200);
    expect(after.headers.etag).not.toBe(before.headers.etag);
    expect(after.json).toMatchObject({ version: '4', count: 7 });
    expect((await call(handler, 'GET', '/regions/zilliz/aws-ap-south-1')).status).toBe(200);
  });
});

describe('empty table', () => {
  let table: Table;
  beforeAll(async () => {
    table = await freshTable();
  });
  afterAll(() => table?.drop());

  it('serves an empty catalog at version 0, no sources and an empty feed', async () => {
    const handler = handlerFor(table);
    expect((await call(handler, 'GET', '/regions')).json).toEqual({ regions: [], count: 0, version: '0', syncedAt: null });
    expect((await call(handler, 'GET', '/sources')).json).toEqual({ sources: [], fields: {} });
    const feed = (await call(handler, 'GET', '/changes')).json as Feed;
    expect(feed.changes).toEqual([]);
    expect(decodeCursor(feed.next)).toEqual({ seq: 0, index: -1 });
  });
});

describe('change feed', () => {
  let table: Table;
  let handler: TestHandler;
  const changesets: Change[][] = [];

  beforeAll(async () => {
    table = await freshTable();
    handler = handlerFor(table);
    const r = (id: string) => makeRegion('zilliz', id);
    changesets.push([makeChange('region.added', r('aws-a')), makeChange('region.added', r('aws-b')), makeChange('region.added', r('aws-c'))]);
    changesets.push([makeChange('region.changed', r('aws-a'))]);
    changesets.push([makeChange('region.removed', r('aws-b')), makeChange('region.added', r('aws-d'))]);
    for (const changes of changesets) await commit(table.doc, table.tableName, changes);
  });
  afterAll(() => table?.drop());

  const poll = async (since: string | undefined, limit: number) => {
    const q = new URLSearchParams({ limit: String(limit), ...(since ? { since } : {}) });
    const res = await call(handler, 'GET', `/changes?${q}`);
    expect(res.status, res.text).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    return res.json as Feed;
  };

  it('without since starts from the oldest retained change', async () => {
    const feed = await poll(undefined, 100);
    expect(feed.changes.map((c) => c.id)).toEqual(changesets.flat().map((c) => c.id));
    expect(decodeCursor(feed.next)).toEqual({ seq: 3, index: 1, last: true });
  });

  it('paged with limit=1 across changesets returns every change exactly once, then keeps next', async () => {
    const seen: string[] = [];
    let since: string | undefined;
    for (let i = 0; i < 20; i++) {
      const feed = await poll(since, 1);
      if (feed.changes.length === 0) {
        expect(feed.next).toBe(since);
        break;
      }
      expect(feed.changes).toHaveLength(1);
      seen.push(feed.changes[0]!.id);
      since = feed.next;
    }
    expect(seen).toEqual(changesets.flat().map((c) => c.id));
    const again = await poll(since, 10);
    expect(again).toEqual({ changes: [], next: since });
  });

  it('a cursor ahead of the last commit is a 400 naming since', async () => {
    const res = await call(handler, 'GET', `/changes?since=${encodeCursor({ seq: 99, index: 0 })}`);
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ status: 400, detail: expect.stringMatching(/^since:/) });
  });

  it('holds every change exactly once while another pass commits', async () => {
    const start = (await poll(undefined, 500)).next;
    const committed: string[] = [];
    let done = false;
    const writer = (async () => {
      for (let i = 0; i < 15; i++) {
        const changes = Array.from({ length: 1 + (i % 3) }, (_, k) => makeChange('region.added', makeRegion('zilliz', `gcp-c${i}-${k}`)));
        await commit(table.doc, table.tableName, changes);
        committed.push(...changes.map((c) => c.id));
      }
      done = true;
    })();
    const seen: string[] = [];
    let since = start;
    for (let idle = 0; idle < 3; ) {
      const feed = await poll(since, 1);
      seen.push(...feed.changes.map((c) => c.id));
      since = feed.next;
      if (done && feed.changes.length === 0) idle++;
    }
    await writer;
    expect(seen).toEqual(committed);
  });
});

describe('retention', () => {
  it('a cursor whose changesets expired answers 410; one at the end of the changeset just before the oldest is still fine', async () => {
    const table = await freshTable();
    try {
      const handler = handlerFor(table);
      const change = () => makeChange('region.added', makeRegion('zilliz', `aws-${Math.random().toString(36).slice(2, 8)}`));
      // Changesets 1-4 were deleted by TTL; 5 and 6 remain.
      await seed(table.doc, table.tableName, {
        seq: { value: 6 },
        changesets: [
          { seq: 5, changes: [change(), change()] },
          { seq: 6, changes: [change()] },
        ],
      });
      const expired = await call(handler, 'GET', `/changes?since=${encodeCursor({ seq: 2, index: 0 })}`);
      expect(expired.status).toBe(410);
      expect(expired.headers['content-type']).toBe('application/problem+json');
      expect(expired.json).toMatchObject({ status: 410, detail: expect.stringContaining('cursor expired; restart from the beginning') });
      // At the end of changeset 4 (as `next` says when it was the last change): nothing of it is missed.
      const edge = await call(handler, 'GET', `/changes?since=${encodeCursor({ seq: 4, index: 7, last: true })}`);
      expect(edge.status).toBe(200);
      expect((edge.json as Feed).changes).toHaveLength(3);
      // In the middle of changeset 4, or with no word of its end: its rest would be missed.
      expect((await call(handler, 'GET', `/changes?since=${encodeCursor({ seq: 4, index: 7 })}`)).status).toBe(410);
      const fresh = await call(handler, 'GET', '/changes');
      expect((fresh.json as Feed).changes).toHaveLength(3);
    } finally {
      await table.drop();
    }
  });
});

describe('warm cache', () => {
  it('a warm GET /regions reads nothing within the revalidate window, then one GetItem of SEQ', async () => {
    const table = await freshTable();
    try {
      await seed(table.doc, table.tableName, { seq: { value: 1 }, regions });
      const doc = createDocumentClient({ region: 'us-east-1', endpoint: table.endpoint });
      const reads: string[] = [];
      doc.middlewareStack.add(
        (next, context) => async (args) => {
          reads.push(String(context.commandName));
          return next(args);
        },
        { step: 'initialize', name: 'countReads' },
      );
      let now = 1_000_000;
      const handler = handlerFor(table, { store: { doc, table: table.tableName }, revalidateMs: 2_000, now: () => now });

      await call(handler, 'GET', '/regions');
      expect(reads).toEqual(['GetItemCommand', 'QueryCommand', 'GetItemCommand']);
      reads.length = 0;
      for (let i = 0; i < 25; i++) {
        await call(handler, 'GET', '/regions', { 'accept-encoding': 'br' });
        await call(handler, 'GET', '/regions/zilliz/aws-us-west-2');
        now += 50;
      }
      expect(reads).toEqual([]);
      now += 2_000;
      await call(handler, 'GET', '/regions');
      expect(reads).toEqual(['GetItemCommand']);
    } finally {
      await table.drop();
    }
  });
});

describe('local HTTP adapter', () => {
  it('serves the same handler over a real socket', async () => {
    const table = await freshTable();
    const adapter = await startHttpAdapter({ handler: handlerFor(table) });
    try {
      await seed(table.doc, table.tableName, { seq: { value: 2 }, regions });
      expect(adapter.port).toBeGreaterThan(0);
      const res = await fetch(`${adapter.url}/regions?source=zilliz&source=modelarts`, { headers: { 'accept-encoding': 'br' } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-encoding')).toBe('br');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('server')).toBeNull();
      const body = (await res.json()) as RegionList;
      expect(body.regions.map((r) => r.id)).toEqual(sortedIds);
      const etag = res.headers.get('etag')!;
      const cached = await fetch(`${adapter.url}/regions?source=modelarts,zilliz`, { headers: { 'if-none-match': etag, 'accept-encoding': 'br' } });
      expect(cached.status).toBe(304);
      expect(await cached.text()).toBe('');
      const head = await fetch(`${adapter.url}/regions`, { method: 'HEAD' });
      expect(head.status).toBe(200);
      const wrong = await fetch(`${adapter.url}/regions`, { method: 'DELETE' });
      expect(wrong.status).toBe(405);
      expect(wrong.headers.get('allow')).toBe('GET, HEAD');
      expect(wrong.headers.get('content-type')).toBe('application/problem+json');
      const missing = await fetch(`${adapter.url}/nope`);
      expect(missing.status).toBe(404);
      expect(await missing.json()).toMatchObject({ status: 404 });
    } finally {
      await adapter.close();
      await table.drop();
    }
  });
});

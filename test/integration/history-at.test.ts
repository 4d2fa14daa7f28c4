/**
 * `GET /regions?at=` against random histories committed through the real
 * planning and commit path on DynamoDB Local: at every feed cursor, and at
 * every commit's time, the answer equals the catalog built by replaying the
 * feed from the start up to that point (an independent fold over the changes
 * as the feed serves them). Plus the 400 and 410 answers, and the cache headers.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { createCatalogHandler } from '../../lib/catalog/handler';
import { encodeCursor, START, type FeedPosition } from '../../lib/catalog/cursor';
import type { Region, RegionContent, SourceName } from '../../lib/core/region';
import { changesKey } from '../../lib/store/items';
import { call, type TestHandler } from '../support/catalog-event';
import { freshTable } from '../support/db';
import { answerOf, commitPass, committedChanges, content, readWholeFeed, replay } from '../support/history';

type Table = Awaited<ReturnType<typeof freshTable>>;

interface RegionList {
  regions: Region[];
  count: number;
  version: string;
  syncedAt: string | null;
}

const SCOPES: { scope: string; source: SourceName; cloudId: string; universe: number }[] = [
  { scope: 'zilliz/aws', source: 'zilliz', cloudId: 'aws', universe: 60 },
  { scope: 'zilliz/gcp', source: 'zilliz', cloudId: 'gcp', universe: 6 },
  { scope: 'modelarts/0123456789abcdef0123456789abcdef', source: 'modelarts', cloudId: 'huaweicloud', universe: 4 },
];

// Recent enough that DynamoDB Local's TTL (30 days from each commit) deletes nothing during the test.
const T_BASE = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 5 * 86_400_000;
const at = (pass: number) => new Date(T_BASE + pass * 3_600_000).toISOString();

const handlerFor = (table: Table) =>
  createCatalogHandler({ store: { doc: table.doc, table: table.tableName }, corsOrigins: ['*'], revalidateMs: 0, maxAgeSeconds: 30 }) as TestHandler;

const passArb = fc.array(
  fc.record({
    aws: fc.array(fc.tuple(fc.nat(59), fc.nat(2)), { maxLength: 60 }),
    gcp: fc.option(fc.array(fc.tuple(fc.nat(5), fc.nat(2)), { maxLength: 6 }), { nil: undefined }),
    modelarts: fc.array(fc.tuple(fc.nat(3), fc.nat(2)), { maxLength: 4 }),
  }),
  { minLength: 1, maxLength: 5 },
);

describe('GET /regions?at= equals the replayed feed', () => {
  it('at every cursor and at every commit time, for random histories', async () => {
    await fc.assert(
      fc.asyncProperty(passArb, async (passes) => {
        const table = await freshTable();
        try {
          const store = { doc: table.doc, table: table.tableName };
          for (const [n, pass] of passes.entries()) {
            const answers = new Map<string, RegionContent[]>();
            answers.set(SCOPES[0]!.scope, answerOf(SCOPES[0]!, pass.aws));
            if (pass.gcp) answers.set(SCOPES[1]!.scope, answerOf(SCOPES[1]!, pass.gcp));
            answers.set(SCOPES[2]!.scope, answerOf(SCOPES[2]!, pass.modelarts));
            await commitPass(store, SCOPES, answers, at(n + 1));
          }
          const handler = handlerFor(table);
          const all = await committedChanges({ doc: table.doc, table: table.tableName });
          const feed = await readWholeFeed(handler);
          // The feed serves exactly the committed changes in this order: the replay below folds the feed.
          expect(feed.map((c) => c.id)).toEqual(all.map((p) => p.change.id));

          const points: { position: FeedPosition; upto: number }[] = [{ position: START, upto: 0 }, ...all.map((p, i) => ({ position: p.position, upto: i + 1 }))];
          for (const { position, upto } of points) {
            const res = await call(handler, 'GET', `/regions?at=${encodeCursor(position)}`);
            expect(res.status, `${JSON.stringify(position)} ${res.text}`).toBe(200);
            const body = res.json as RegionList;
            expect(body.regions).toEqual(replay(feed.slice(0, upto)));
            expect(body.count).toBe(body.regions.length);
            expect(body.version).toBe(String(position.seq));
          }
          // By time: each pass's stamp (and a minute before the first) gives the state after that pass.
          for (let n = 0; n <= passes.length; n++) {
            const time = n === 0 ? new Date(T_BASE).toISOString() : at(n);
            const upto = all.filter((p) => Date.parse(p.committedAt) <= Date.parse(time)).length;
            const res = await call(handler, 'GET', `/regions?at=${encodeURIComponent(time)}`);
            expect(res.status, `${time} ${res.text}`).toBe(200);
            expect((res.json as RegionList).regions).toEqual(replay(feed.slice(0, upto)));
          }
        } finally {
          await table.drop();
        }
      }),
      { numRuns: 8 },
    );
  }, 120_000);
});

describe('GET /regions?at= errors and headers', () => {
  let table: Table;
  let handler: TestHandler;
  const store = () => ({ doc: table.doc, table: table.tableName });
  const aws = SCOPES[0]!;

  beforeAll(async () => {
    table = await freshTable();
    await commitPass(store(), SCOPES, new Map([[aws.scope, [content(aws, 1, 0), content(aws, 2, 0)]]]), at(1));
    await commitPass(store(), SCOPES, new Map([[aws.scope, [content(aws, 1, 1), content(aws, 2, 0), content(aws, 3, 0)]]]), at(2));
    await commitPass(store(), SCOPES, new Map([[aws.scope, [content(aws, 1, 1), content(aws, 3, 2)]]]), at(3));
    handler = handlerFor(table);
  });
  afterAll(async () => {
    await table.drop();
  });

  const detail = (res: { json: unknown }) => (res.json as { detail: string }).detail;

  it.each(['garbage', '2026-13-01T00:00:00Z', '2026-11-01', '2026-11-01T00:00:00', ''])('answers 400 naming at for %j', async (value) => {
    const res = await call(handler, 'GET', `/regions?at=${encodeURIComponent(value)}`);
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toBe('application/problem+json');
    expect(detail(res)).toMatch(/^at: /);
  });

  it('answers 400 for a time in the future and a cursor ahead of the last commit', async () => {
    const future = await call(handler, 'GET', `/regions?at=${new Date(Date.now() + 3_600_000).toISOString()}`);
    expect(future.status).toBe(400);
    expect(detail(future)).toMatch(/^at: .*future/);
    const ahead = await call(handler, 'GET', `/regions?at=${encodeCursor({ seq: 9, index: 0 })}`);
    expect(ahead.status).toBe(400);
    expect(detail(ahead)).toMatch(/^at: .*ahead/);
  });

  it('serves a past version with a strong ETag, immutable caching and 304, and filters it', async () => {
    const url = `/regions?at=${encodeCursor({ seq: 1, index: 1 })}&source=zilliz&cloudId=aws`;
    const res = await call(handler, 'GET', url);
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(res.headers.etag).toMatch(/^"a1\.1-[0-9a-f]{12}"$/);
    expect((res.json as RegionList).regions.map((r) => r.id)).toEqual(['zilliz:aws-r1', 'zilliz:aws-r2']);
    expect((res.json as RegionList).version).toBe('1');
    expect((res.json as RegionList).syncedAt).toBe(at(1));
    const again = await call(handler, 'GET', url, { 'if-none-match': res.headers.etag! });
    expect(again.status).toBe(304);
    const other = await call(handler, 'GET', `/regions?at=${encodeCursor({ seq: 1, index: 1 })}&source=modelarts`);
    expect((other.json as RegionList).regions).toEqual([]);
    expect(other.headers.etag).not.toBe(res.headers.etag);
  });

  it('answers 410 for a time older than the retention, whatever TTL still holds', async () => {
    const old = new Date(Date.now() - 31 * 86_400_000).toISOString();
    const res = await call(handler, 'GET', `/regions?at=${old}`);
    expect(res.status).toBe(410);
    expect(detail(res)).toMatch(/^at: older than the change retention/);
    const longer = createCatalogHandler({ store: { doc: table.doc, table: table.tableName }, corsOrigins: ['*'], revalidateMs: 0, maxAgeSeconds: 30, retentionDays: 60 }) as TestHandler;
    expect((await call(longer, 'GET', `/regions?at=${old}`)).json).toMatchObject({ regions: [], version: '0' });
  });

  it('answers 410 once the changesets after the point are gone, by cursor and by time', async () => {
    // Retention (TTL) deletes the oldest changeset first.
    await table.doc.send(new DeleteCommand({ TableName: table.tableName, Key: changesKey(1) }));
    const fresh = handlerFor(table);
    for (const point of [encodeCursor(START), encodeCursor({ seq: 1, index: 0 }), new Date(T_BASE).toISOString(), at(1)]) {
      const res = await call(fresh, 'GET', `/regions?at=${encodeURIComponent(point)}`);
      expect(res.status, point).toBe(410);
      expect(detail(res)).toMatch(/^at: /);
    }
    // The points still held answer as before.
    const kept = await call(fresh, 'GET', `/regions?at=${encodeURIComponent(at(2))}`);
    expect(kept.status).toBe(200);
    expect((kept.json as RegionList).regions.map((r) => [r.id, r.name])).toEqual([
      ['zilliz:aws-r1', 'aws-r1 renamed'],
      ['zilliz:aws-r2', 'aws-r2'],
      ['zilliz:aws-r3', 'aws-r3'],
    ]);
  });
});

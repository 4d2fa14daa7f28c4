/**
 * `GET /regions?at=` from the archive (issue 20): for random histories
 * committed through the real planner and commit on DynamoDB Local, with the
 * catalog files written after each commit to a real S3 API (s3rver), and then
 * every changeset gone from the table (as its retention would have it), the
 * answer at every feed cursor and at every commit's time equals the catalog
 * replayed from the feed read before the table lost it.
 */
import fc from 'fast-check';
import { monotonicFactory } from 'ulid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeleteCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import { createCatalogHandler } from '../../lib/catalog/handler';
import { encodeCursor, START, type FeedPosition } from '../../lib/catalog/cursor';
import { createLogger } from '../../lib/core/log';
import type { Change, Region, RegionContent, SourceName } from '../../lib/core/region';
import { createArchiveReader } from '../../lib/store/archive';
import { commitPlans } from '../../lib/store/commit';
import type { StoreDeps } from '../../lib/store/deps';
import { changesKey, PK } from '../../lib/store/items';
import type { ScopePlan } from '../../lib/store/plans';
import { createS3Client } from '../../lib/store/s3';
import { loadScopeHeads, loadScopeRegions } from '../../lib/store/scope-reads';
import { writeCatalogFiles } from '../../lib/sync/catalog-files';
import { planScope } from '../../lib/sync/plan';
import { startLocalS3, type LocalS3 } from '../../local/s3';
import { call, type TestHandler } from '../support/catalog-event';
import { freshTable } from '../support/db';

const SCOPES: { scope: string; source: SourceName; cloudId: string }[] = [
  { scope: 'zilliz/aws', source: 'zilliz', cloudId: 'aws' },
  { scope: 'modelarts/0123456789abcdef0123456789abcdef', source: 'modelarts', cloudId: 'huaweicloud' },
];

function content(spec: (typeof SCOPES)[number], index: number, variant: number): RegionContent {
  const regionId = `${spec.cloudId}-r${index}`;
  return {
    id: `${spec.source}:${regionId}`,
    source: spec.source,
    cloudId: spec.cloudId,
    regionId,
    name: variant === 1 ? `${regionId} renamed` : regionId,
    localizedNames: spec.source === 'modelarts' ? { en_us: regionId } : {},
    apiBaseUrl: spec.source === 'zilliz' ? `https://api${variant === 2 ? '2' : ''}.${regionId}.example.com` : null,
    attributes: variant === 2 ? { domain: `${regionId}.example.com` } : {},
  };
}

// A year and more ago: far beyond the 30-day retention, so every time point is answered from the archive.
const T_BASE = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 400 * 86_400_000;
const at = (pass: number) => new Date(T_BASE + pass * 86_400_000).toISOString();

async function commitPass(store: StoreDeps, answers: Map<string, RegionContent[]>, now: string): Promise<void> {
  const newId = monotonicFactory();
  const heads = await loadScopeHeads(store);
  const plans: ScopePlan[] = [];
  for (const spec of SCOPES) {
    const regions = answers.get(spec.scope);
    if (!regions) continue;
    const state = { head: heads.get(spec.scope), regions: await loadScopeRegions(store, spec.scope) };
    const plan = planScope({ scope: spec.scope, source: spec.source, regions, state, holdPasses: 1, now, newId });
    if (plan) plans.push(plan);
  }
  // A long retention: DynamoDB Local's TTL must not take them before the test does.
  await commitPlans(store, plans, { now, retentionDays: 3650, newId });
}

function replay(changes: readonly Change[]): Region[] {
  const regions = new Map<string, Region>();
  for (const c of changes) {
    if (c.type === 'region.removed') regions.delete(c.regionKey);
    else regions.set(c.regionKey, c.after!);
  }
  return [...regions.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
}

let s3: LocalS3;
let client: S3Client;
beforeAll(async () => {
  s3 = await startLocalS3({ bucket: 'region-sync-archive' });
  client = await createS3Client({ region: 'us-east-1', endpoint: s3.endpoint });
});
afterAll(async () => {
  client?.destroy();
  await s3?.stop();
});

const passArb = fc.array(
  fc.record({
    aws: fc.array(fc.tuple(fc.nat(11), fc.nat(2)), { maxLength: 12 }),
    modelarts: fc.array(fc.tuple(fc.nat(3), fc.nat(2)), { maxLength: 4 }),
    // Some passes write no files (an S3 outage): the next one catches up.
    files: fc.boolean(),
  }),
  { minLength: 1, maxLength: 6 },
);

describe('GET /regions?at= from the archive equals the replayed feed', () => {
  it('at every cursor and every commit time, once the table no longer holds the changes', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(passArb, async (passes) => {
        const table = await freshTable();
        const bucket = { s3: client, bucket: s3.bucket };
        // Each run its own folder of the bucket would need another layout: empty it instead.
        run += 1;
        const { DeleteObjectsCommand, ListObjectsV2Command } = await import('@aws-sdk/client-s3');
        const listed = await client.send(new ListObjectsV2Command({ Bucket: s3.bucket }));
        if (listed.Contents?.length) await client.send(new DeleteObjectsCommand({ Bucket: s3.bucket, Delete: { Objects: listed.Contents.map((o) => ({ Key: o.Key! })) } }));
        try {
          const store = { doc: table.doc, table: table.tableName };
          const log = createLogger({ run }, () => undefined, 'error');
          const files = (now: string) => writeCatalogFiles({ store, bucket, log, newId: monotonicFactory(), now, retentionDays: 30 });
          for (const [n, pass] of passes.entries()) {
            const build = (spec: (typeof SCOPES)[number], picks: [number, number][]) => [...new Map(picks).entries()].map(([i, v]) => content(spec, i, v));
            await commitPass(store, new Map([[SCOPES[0]!.scope, build(SCOPES[0]!, pass.aws)], [SCOPES[1]!.scope, build(SCOPES[1]!, pass.modelarts)]]), at(n + 1));
            if (pass.files || n === passes.length - 1) expect((await files(at(n + 1))).outcome).not.toBe('failed');
          }
          // The feed as committed, then the table loses every changeset (retention).
          const items = ((await table.doc.send(new QueryCommand({ TableName: table.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': PK.changes }, ConsistentRead: true }))).Items ?? []) as { seq: number; body: string; committedAt: string }[];
          const all = items.flatMap((item) => (JSON.parse(item.body) as Change[]).map((change, index) => ({ position: { seq: item.seq, index } as FeedPosition, change, committedAt: item.committedAt })));
          for (const item of items) await table.doc.send(new DeleteCommand({ TableName: table.tableName, Key: changesKey(item.seq) }));

          const handler = createCatalogHandler({ store: { doc: table.doc, table: table.tableName }, corsOrigins: ['*'], revalidateMs: 0, maxAgeSeconds: 30, archive: createArchiveReader(bucket) }) as TestHandler;
          const points: { position: FeedPosition; upto: number }[] = [{ position: START, upto: 0 }, ...all.map((p, i) => ({ position: p.position, upto: i + 1 }))];
          for (const { position, upto } of points) {
            const res = await call(handler, 'GET', `/regions?at=${encodeCursor(position)}`);
            expect(res.status, `${JSON.stringify(position)} ${res.text}`).toBe(200);
            const body = res.json as { regions: Region[]; version: string; count: number };
            expect(body.regions).toEqual(replay(all.slice(0, upto).map((p) => p.change)));
            expect(body.version).toBe(String(position.seq));
          }
          for (let n = 0; n <= passes.length; n++) {
            const time = n === 0 ? new Date(T_BASE).toISOString() : at(n);
            const upto = all.filter((p) => Date.parse(p.committedAt) <= Date.parse(time)).length;
            const res = await call(handler, 'GET', `/regions?at=${encodeURIComponent(time)}`);
            expect(res.status, `${time} ${res.text}`).toBe(200);
            expect((res.json as { regions: Region[] }).regions).toEqual(replay(all.slice(0, upto).map((p) => p.change)));
          }
          // Without the archive, the same points are gone.
          const tableOnly = createCatalogHandler({ store: { doc: table.doc, table: table.tableName }, corsOrigins: ['*'], revalidateMs: 0, maxAgeSeconds: 30 }) as TestHandler;
          expect((await call(tableOnly, 'GET', `/regions?at=${encodeURIComponent(at(1))}`)).status).toBe(410);
        } finally {
          await table.drop();
        }
      }),
      { numRuns: 8 },
    );
  }, 180_000);
});

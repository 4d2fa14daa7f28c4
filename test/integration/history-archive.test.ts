/**
 * A region's history beyond the table's retention (issue 20: "region history
 * reaches as far"): for random histories committed through the real planner
 * and commit on DynamoDB Local, with the catalog files written to a real S3
 * API (s3rver) after the passes, and then the table's oldest changesets and
 * their history items gone (as the retention would have it: all of them, or
 * those before a random commit), `GET /regions/{source}/{regionId}/history`
 * of every region ever seen equals that region's changes in the feed read
 * before the table lost them. The page's `?region=` lists the same changes.
 */
import fc from 'fast-check';
import { monotonicFactory } from 'ulid';
import { describe, expect, it } from 'vitest';
import { DeleteCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { createCatalogHandler } from '../../lib/catalog/handler';
import { createLogger } from '../../lib/core/log';
import type { Change } from '../../lib/core/region';
import { createArchiveReader } from '../../lib/store/archive';
import { changesKey, historyPartition } from '../../lib/store/items';
import { writeCatalogFiles } from '../../lib/sync/catalog-files';
import { call, type TestHandler } from '../support/catalog-event';
import { useArchiveBucket } from '../support/archive-bucket';
import { freshTable } from '../support/db';
import { answerOf, commitPass, committedChanges, readWholeFeed, archiveEra, TWO_SCOPES } from '../support/history';

const SCOPES = TWO_SCOPES;

// A year and more ago: every time point is answered from the archive.
const at = archiveEra();

const archive = useArchiveBucket('region-sync-history');

const passArb = fc.array(
  fc.record({
    aws: fc.array(fc.tuple(fc.nat(7), fc.nat(2)), { maxLength: 8 }),
    modelarts: fc.array(fc.tuple(fc.nat(3), fc.nat(2)), { maxLength: 4 }),
    // Some passes write no files (an S3 outage): a later one catches up.
    files: fc.boolean(),
  }),
  { minLength: 1, maxLength: 6 },
);

describe('a region history from the archive equals its changes in the feed', () => {
  it('for random histories, once the table has lost all or the oldest of its changesets', async () => {
    await fc.assert(
      fc.asyncProperty(passArb, fc.double({ min: 0, max: 1, noNaN: true }), async (passes, cutShare) => {
        const table = await freshTable();
        await archive.empty();
        try {
          const store = { doc: table.doc, table: table.tableName };
          const bucket = archive.files;
          const log = createLogger({ test: 'history-archive' }, () => undefined, 'error');
          for (const [n, pass] of passes.entries()) {
            await commitPass(store, SCOPES, new Map([[SCOPES[0]!.scope, answerOf(SCOPES[0]!, pass.aws)], [SCOPES[1]!.scope, answerOf(SCOPES[1]!, pass.modelarts)]]), at(n + 1), 3650);
            if (pass.files || n === passes.length - 1) {
              expect((await writeCatalogFiles({ store, bucket, log, newId: monotonicFactory(), now: at(n + 1), retentionDays: 3650 })).outcome).not.toBe('failed');
            }
          }
          const tableOnly = createCatalogHandler({ store: { doc: table.doc, table: table.tableName }, corsOrigins: ['*'], revalidateMs: 0, maxAgeSeconds: 30 }) as TestHandler;
          // The truth, read before the table loses anything: the feed as a client reads it.
          const feed = await readWholeFeed(tableOnly);
          const committed = await committedChanges(store);
          expect(feed.map((c) => c.id)).toEqual(committed.map((c) => c.change.id));
          const regionKeys = [...new Set(feed.map((c) => c.regionKey))];

          // Retention takes the changesets up to a cut (all of them when the cut is the last), with their history items.
          const seqs = [...new Set(committed.map((c) => c.position.seq))];
          const cut = seqs[Math.min(seqs.length - 1, Math.floor(cutShare * seqs.length))] ?? 0;
          for (const seq of seqs.filter((s) => s <= cut)) await table.doc.send(new DeleteCommand({ TableName: table.tableName, Key: changesKey(seq) }));
          for (const key of regionKeys) {
            const items = (await table.doc.send(new QueryCommand({ TableName: table.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': historyPartition(key) } }))).Items ?? [];
            for (const item of items.filter((i) => Number(i.seq) <= cut)) await table.doc.send(new DeleteCommand({ TableName: table.tableName, Key: { pk: item.pk, sk: item.sk } }));
          }

          const handler = createCatalogHandler({ store: { doc: table.doc, table: table.tableName }, corsOrigins: ['*'], revalidateMs: 0, maxAgeSeconds: 30, archive: createArchiveReader(bucket) }) as TestHandler;
          for (const key of regionKeys) {
            const [source, regionId] = key.split(':') as [string, string];
            const want = feed.filter((c) => c.regionKey === key);
            const res = await call(handler, 'GET', `/regions/${source}/${regionId}/history`);
            expect(res.status, `${key} ${res.text}`).toBe(200);
            expect((res.json as { changes: Change[] }).changes, key).toEqual(want);
            // The table alone has lost the oldest of them.
            const lost = want.filter((c) => committed.find((x) => x.change.id === c.id)!.position.seq <= cut);
            if (lost.length) {
              const alone = await call(tableOnly, 'GET', `/regions/${source}/${regionId}/history`);
              const kept = alone.status === 200 ? (alone.json as { changes: Change[] }).changes : [];
              expect(kept.map((c) => c.id)).toEqual(want.filter((c) => !lost.includes(c)).map((c) => c.id));
            }
            // The page tells the same story: each change's region key appears once per change of it.
            const page = await call(handler, 'GET', `/?region=${encodeURIComponent(key)}`);
            expect(page.status).toBe(200);
            const section = /<section id="history"[\s\S]*?<\/section>/.exec(page.text)?.[0] ?? '';
            expect(section.match(/<li class=/g)?.length ?? 0, key).toBe(want.length);
          }
        } finally {
          await table.drop();
        }
      }),
      { numRuns: 8 },
    );
  }, 240_000);
});

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
import { describe, expect, it } from 'vitest';
import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { createCatalogHandler } from '../../lib/catalog/handler';
import { encodeCursor, START, type FeedPosition } from '../../lib/catalog/cursor';
import { createLogger } from '../../lib/core/log';
import type { Region } from '../../lib/core/region';
import { createArchiveReader } from '../../lib/store/archive';
import { changesKey } from '../../lib/store/items';
import { writeCatalogFiles } from '../../lib/sync/catalog-files';
import { call, type TestHandler } from '../support/catalog-event';
import { useArchiveBucket } from '../support/archive-bucket';
import { freshTable } from '../support/db';
import { answerOf, commitPass, committedChanges, replay, archiveEra, TWO_SCOPES } from '../support/history';

const SCOPES = TWO_SCOPES;

// A year and more ago: every time point is answered from the archive.
const at = archiveEra();

const archive = useArchiveBucket('region-sync-archive');

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
        const bucket = archive.files;
        // Each run its own folder of the bucket would need another layout: empty it instead.
        run += 1;
        await archive.empty();
        try {
          const store = { doc: table.doc, table: table.tableName };
          const log = createLogger({ run }, () => undefined, 'error');
          const files = (now: string) => writeCatalogFiles({ store, bucket, log, newId: monotonicFactory(), now, retentionDays: 30 });
          for (const [n, pass] of passes.entries()) {
            // A long retention: DynamoDB Local's TTL must not take them before the test does.
            await commitPass(store, SCOPES, new Map([[SCOPES[0]!.scope, answerOf(SCOPES[0]!, pass.aws)], [SCOPES[1]!.scope, answerOf(SCOPES[1]!, pass.modelarts)]]), at(n + 1), 3650);
            if (pass.files || n === passes.length - 1) expect((await files(at(n + 1))).outcome).not.toBe('failed');
          }
          // The feed as committed, then the table loses every changeset (retention).
          const all = await committedChanges(store);
          for (const seq of new Set(all.map((p) => p.position.seq))) await table.doc.send(new DeleteCommand({ TableName: table.tableName, Key: changesKey(seq) }));

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
            const time = at(n);
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

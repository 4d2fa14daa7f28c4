/**
 * The race rule of latest.json against S3's own conditional-write semantics,
 * in moto's S3 (server mode; s3rver ignores If-Match / If-None-Match): many
 * writers of random versions at once, on a versioned bucket. Every version of
 * the object S3 kept, oldest first, names a strictly newer catalog version than
 * the one before (it never moved back), and the last is the newest written.
 *
 * moto's threaded server is not atomic where S3 is (the second describe shows
 * it): a conditional PutObject is checked, stored, then given its metadata,
 * with no lock. Under it latest.json once moved 30 → 7 → 38 (seed -1147773130,
 * path "10": writers [7, 30, 38, 14, 7]) with putLatest doing what S3 requires.
 * So the race runs against moto serving one request at a time: the writers'
 * requests still interleave freely, and each write is atomic, as in S3.
 * Skipped with a line when moto is not installed; `.ci/run` runs it.
 */
import { CreateBucketCommand, HeadObjectCommand, ListObjectVersionsCommand, PutBucketVersioningCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { putLatest } from '../../lib/store/catalog-files';
import { LATEST_KEY, catalogFile, parseLatestMetadata } from '../../lib/store/catalog-layout';
import { httpStatusOf } from '../../lib/store/s3';
import { motoAvailable, startMoto, type Moto, type MotoOptions } from './notifications-moto';

const available = motoAvailable();
if (!available) console.log('moto not installed: the latest.json race test against S3 conditional writes is skipped (.ci/run runs it)');

const s3Of = (moto: Moto) =>
  new S3Client({ region: 'us-east-1', endpoint: moto.url, forcePathStyle: true, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });

/** A moto server and its S3 client for one describe, stopped by its PID after it. */
function motoS3(options: MotoOptions & { skip?: boolean }): { s3: () => S3Client } {
  let moto: Moto | undefined;
  let s3: S3Client | undefined;
  beforeAll(async () => {
    if (!available || options.skip) return;
    moto = await startMoto(options);
    s3 = s3Of(moto);
  }, 60_000);
  afterAll(() => {
    s3?.destroy();
    moto?.stop();
  });
  return { s3: () => s3! };
}

describe.skipIf(!available)('latest.json in S3 (moto, one request at a time) with racing writers', () => {
  const { s3 } = motoS3({ serial: true });

  it('never moves back: every kept version is newer than the one before, the last the newest written', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 2, maxLength: 12 }), async (versions) => {
        const bucket = `race-${++run}`;
        await s3().send(new CreateBucketCommand({ Bucket: bucket }));
        await s3().send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }));
        const deps = { s3: s3(), bucket };
        const outcomes = await Promise.allSettled(versions.map((version) => putLatest(deps, catalogFile({ version, syncedAt: null, regions: [] }), 20)));
        expect(outcomes.filter((o) => o.status === 'rejected')).toEqual([]);
        const listed = await s3().send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: LATEST_KEY }));
        // S3 lists a key's versions newest first (LastModified has only whole seconds).
        const kept = [...(listed.Versions ?? [])].reverse();
        expect(kept.at(-1)?.IsLatest).toBe(true);
        const held: number[] = [];
        for (const v of kept) {
          const head = await s3().send(new HeadObjectCommand({ Bucket: bucket, Key: LATEST_KEY, VersionId: v.VersionId }));
          held.push(parseLatestMetadata(head.Metadata)!.version);
        }
        for (let i = 1; i < held.length; i++) expect(held[i], `kept versions ${held.join(', ')}`).toBeGreaterThan(held[i - 1]!);
        expect(held.at(-1)).toBe(Math.max(...versions));
      }),
      // The writers of the failure seen under threaded moto, and the smallest one it shrank to since, first.
      { numRuns: 15, examples: [[[7, 30, 38, 14, 7]], [[34, 33]]] },
    );
  }, 120_000);
});

/** What one round of concurrent writes on one key showed: S3 allows neither. */
interface Round {
  /** More than one of the PutObjects conditioned on the same ETag (If-Match) succeeded. */
  doubleIfMatch: boolean;
  /** More than one `If-None-Match: *` PutObject of a new key succeeded. */
  doubleIfNoneMatch: boolean;
  /** A HeadObject saw the key without the metadata every write of it carries. */
  bareHead: boolean;
}

const WRITERS = 8;

async function round(s3: S3Client, bucket: string, n: number): Promise<Round> {
  const key = `k-${n}`;
  const base = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'base', Metadata: { writer: 'base' } }));
  const settled = await Promise.allSettled([
    ...Array.from({ length: WRITERS }, (_, i) =>
      s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: `writer ${i}`, Metadata: { writer: String(i) }, IfMatch: base.ETag })),
    ),
    ...Array.from({ length: WRITERS }, () => s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }))),
    ...Array.from({ length: WRITERS }, (_, i) => s3.send(new PutObjectCommand({ Bucket: bucket, Key: `${key}-new`, Body: `writer ${i}`, IfNoneMatch: '*' }))),
  ]);
  for (const s of settled) {
    // The losers of a conditional write get 412 (or 409 for a concurrent one); anything else is the harness's fault.
    if (s.status === 'rejected' && ![409, 412].includes(httpStatusOf(s.reason) ?? 0)) throw s.reason;
  }
  const ok = (from: number) => settled.slice(from, from + WRITERS).filter((s) => s.status === 'fulfilled').length;
  const heads = settled.slice(WRITERS, 2 * WRITERS);
  return {
    doubleIfMatch: ok(0) > 1,
    doubleIfNoneMatch: ok(2 * WRITERS) > 1,
    bareHead: heads.some((h) => h.status === 'fulfilled' && !(h.value as { Metadata?: Record<string, string> }).Metadata?.writer),
  };
}

/**
 * The threaded server's race shows after 12 to 280 rounds (15 s to over 3 minutes on a loaded
 * 2-core machine): too slow and too uneven for every run, so it runs on request
 * (`MOTO_RACE_DEMO=1`); the serial server's check, a few seconds, always runs.
 */
const demo = process.env.MOTO_RACE_DEMO === '1';
if (available && !demo) console.log("moto's threaded S3 race demonstration skipped (MOTO_RACE_DEMO=1 runs it)");

describe.skipIf(!available)("moto's threaded S3 writes are not atomic (why the race above runs moto one request at a time)", () => {
  // A tiny thread switch interval only makes the interleavings moto already allows frequent.
  const threaded = motoS3(demo ? { switchInterval: 1e-6 } : { skip: true });
  const serial = motoS3({ serial: true });

  it.runIf(demo)('threaded: two PutObjects with If-Match on the same ETag both succeed, and a HeadObject sees the object without its metadata', async () => {
    await threaded.s3().send(new CreateBucketCommand({ Bucket: 'atomicity' }));
    const seen: Round = { doubleIfMatch: false, doubleIfNoneMatch: false, bareHead: false };
    let rounds = 0;
    // 600 rounds without both is a moto that became atomic.
    while (!(seen.doubleIfMatch && seen.bareHead) && rounds < 600) {
      const r = await round(threaded.s3(), 'atomicity', rounds++);
      for (const k of Object.keys(seen) as (keyof Round)[]) seen[k] ||= r[k];
    }
    console.log(`threaded moto, ${rounds} rounds of ${WRITERS} concurrent writers:`, seen);
    expect(seen, `after ${rounds} rounds`).toMatchObject({ doubleIfMatch: true, bareHead: true });
  }, 600_000);

  it('serial: at most one conditional write per ETag succeeds, and every HeadObject sees the metadata', async () => {
    await serial.s3().send(new CreateBucketCommand({ Bucket: 'atomicity' }));
    for (let n = 0; n < 10; n++) {
      expect(await round(serial.s3(), 'atomicity', n), `round ${n}`).toEqual({ doubleIfMatch: false, doubleIfNoneMatch: false, bareHead: false });
    }
  }, 120_000);
});

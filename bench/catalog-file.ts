/**
 * Issue 20's figures: the catalog as a file on S3 (a local S3 API, s3rver,
 * as `npm start` runs it).
 *
 * - `writeOverheadRatio`: a committing pass's catalog-files step
 *   (lib/sync/catalog-files: the bookkeeping reads, the catalog read, the
 *   archived changeset, `catalog/v/<version>.json`, the HeadObject and the
 *   conditional PutObject of latest.json, the bookkeeping writes) against the
 *   same PutObject calls alone (the same keys, bytes and headers, captured from
 *   the step's own calls and sent again: the immutable objects at once, then
 *   latest.json, as the step orders them). Sample catalog; each round commits
 *   one change through a real pass first; median of the per-round ratios,
 *   the order of the two alternating. The step's calls are timed one by one
 *   (bench/timeline): where the difference goes.
 * - `latestBytesSample`, `latestBytesLarge`: the bytes of latest.json at the
 *   sample catalog (the object as stored) and at 10,000 regions (the body the
 *   writer puts, from the same function).
 * - `archiveAtRatio`: `GET /regions?at=<1 year back>` answered from the archive
 *   at 10,000 regions (100 scopes of 100), one change a day in each scope for
 *   365 days, against the current `GET /regions` (a fresh handler, one Query
 *   of every region). The archive is the writer's layout (one
 *   `catalog/v/<version>.json` per daily pass, a `changes/<seq>.json` per
 *   changeset), its changes planned by the real planner (planScope) and packed
 *   into changesets as the commit packs them (packTransactions), written with
 *   the writer's serialisers: committing a year through DynamoDB Local would
 *   take the bench most of an hour. The table of that handler holds the SEQ
 *   the archive ends at, and no changeset (retention took them), so the
 *   point is answered from the bucket, as after a year of production.
 *   Both requests go through a fresh handler each time (nothing memoised).
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { monotonicFactory } from 'ulid';
import { createCatalogHandler } from '../lib/catalog/handler';
import { createLogger } from '../lib/core/log';
import type { Region, RegionContent } from '../lib/core/region';
import { createArchiveReader } from '../lib/store/archive';
import { putImmutable, type BucketDeps } from '../lib/store/catalog-files';
import { catalogFile, changesetBody, changesetKey, LATEST_KEY, versionKey } from '../lib/store/catalog-layout';
import { createDocumentClient } from '../lib/store/client';
import { SEQ_KEY, type ScopeItem } from '../lib/store/items';
import type { StoredRegion } from '../lib/store/plans';
import { packTransactions } from '../lib/store/transactions';
import { createS3Client } from '../lib/store/s3';
import { writeCatalogFiles } from '../lib/sync/catalog-files';
import { planScope } from '../lib/sync/plan';
import { startLocalS3, type LocalS3 } from '../local/s3';
import { apiEvent, lambdaContext, read } from '../test/support/catalog-event';
import { upstreamEnv, type BenchContext } from './context';
import { largeCatalog } from './large-catalog';
import { createSyncBench, createTimeline, freshTable, log, median, REGION, round, touchRegions, traceClient, type Span, type Timeline } from './support';

const ROUNDS = 15;
const SCOPES = 100;
const PER_SCOPE = 100;
const DAYS = 365;
const DAY_MS = 86_400_000;

export interface CatalogFileDetails {
  rounds: number;
  /** Medians (ms) of the step and of its PutObject calls alone. */
  stepMs: number;
  putsMs: number;
  ratios: number[];
  /** Median ms per call kind inside the step (summed per round), and the call count per round. */
  phases: Record<string, { ms: number; calls: number }>;
  /** The step's wall time outside its S3 calls and DynamoDB calls (median ms): serialising, hashing. */
  ownMs: number;
  sampleRegions: number;
  largeRegions: number;
  archive: {
    regions: number;
    scopes: number;
    days: number;
    changesets: number;
    versions: number;
    /** ms to write the archive (not a figure). */
    writtenInMs: number;
    atMs: number;
    currentMs: number;
    atRuns: number[];
    currentRuns: number[];
    /** The S3 calls of one `?at=` request. */
    atCalls: Record<string, number>;
  };
}

const shortName = (span: Span) => span.command.replace(/Command$/, '');

type Puts = Array<{ Key: string; Body: string; ContentType?: string; CacheControl?: string; Metadata?: Record<string, string> }>;

interface Traced {
  timeline: Timeline;
  doc: DynamoDBDocumentClient;
  s3: S3Client;
  tableName: string;
  bucket: string;
}

/** The step once, through traced clients; the PutObject inputs it sent, for the replay. */
async function timedStep(t: Traced): Promise<{ ms: number; spans: Span[]; puts: Puts }> {
  const deps = { store: { doc: t.doc, table: t.tableName }, bucket: { s3: t.s3, bucket: t.bucket }, log: createLogger({ bench: 'catalog-file' }, () => undefined, 'error'), newId: monotonicFactory(), now: new Date().toISOString(), retentionDays: 30 };
  t.timeline.reset();
  const t0 = performance.now();
  const result = await writeCatalogFiles(deps);
  const ms = performance.now() - t0;
  if (result.outcome !== 'written') throw new Error(`catalog files step: ${result.outcome}, expected written`);
  const puts = t.timeline.spans
    .filter((s) => s.command === 'PutObjectCommand')
    .map((s) => {
      const input = s.input as Puts[number];
      return { Key: input.Key, Body: input.Body, ...(input.ContentType ? { ContentType: input.ContentType } : {}), ...(input.CacheControl ? { CacheControl: input.CacheControl } : {}), ...(input.Metadata ? { Metadata: input.Metadata } : {}) };
    });
  const spans = [...t.timeline.spans];
  t.timeline.reset();
  return { ms, spans, puts };
}

/** The same PutObject calls alone: the immutable objects at once, then latest.json. */
async function timedPuts(s3: S3Client, bucket: string, puts: Puts): Promise<number> {
  const { PutObjectCommand } = await import('@aws-sdk/client-s3');
  const send = (p: (typeof puts)[number]) => s3.send(new PutObjectCommand({ Bucket: bucket, ...p }));
  const t0 = performance.now();
  await Promise.all(puts.filter((p) => p.Key !== LATEST_KEY).map(send));
  for (const p of puts.filter((x) => x.Key === LATEST_KEY)) await send(p);
  return performance.now() - t0;
}

async function writeOverhead(ctx: BenchContext, s3: LocalS3) {
  const bench = await createSyncBench({ endpoint: ctx.endpoint, env: upstreamEnv(ctx.upstream) });
  // The step's clients, traced (the timeline keeps the PutObject inputs); another client for the puts alone.
  const timeline = createTimeline(true);
  const traced: Traced = {
    timeline,
    doc: traceClient(createDocumentClient({ region: REGION, endpoint: ctx.endpoint }), timeline),
    s3: traceClient(await createS3Client({ region: REGION, endpoint: s3.endpoint }), timeline),
    tableName: bench.table.tableName,
    bucket: s3.bucket,
  };
  const plain = await createS3Client({ region: REGION, endpoint: s3.endpoint });
  try {
    const first = await bench.pass();
    if (!first.ok) throw new Error('catalog file: the filling pass failed a scope');
    // The first files (every changeset so far) are written once, untimed, and replayed once (warm connections for both):
    // each round then archives one commit.
    await timedPuts(plain, s3.bucket, (await timedStep(traced)).puts);
    const stepMs: number[] = [];
    const putsMs: number[] = [];
    const ratios: number[] = [];
    const perRound: Array<Record<string, { ms: number; calls: number }>> = [];
    const own: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      touchRegions(bench.zilliz.data, 1, `catalog-file ${r}`);
      const summary = await bench.pass();
      if (!summary.ok) throw new Error('catalog file: a committing pass failed a scope');
      // The puts alone need the step's inputs, so they follow it: the same bytes to the same keys.
      const step = await timedStep(traced);
      const puts = await timedPuts(plain, s3.bucket, step.puts);
      if (step.puts.length < 3) throw new Error(`catalog file: the step wrote ${step.puts.length} objects, expected the changeset, the version and latest.json`);
      stepMs.push(step.ms);
      putsMs.push(puts);
      ratios.push(step.ms / puts);
      const phases: Record<string, { ms: number; calls: number }> = {};
      for (const span of step.spans) {
        const p = (phases[shortName(span)] ??= { ms: 0, calls: 0 });
        p.ms += span.end - span.start;
        p.calls += 1;
      }
      perRound.push(phases);
      // Calls can overlap: the time covered by any call, subtracted from the wall time, is the step's own work.
      const sorted = [...step.spans].sort((a, b) => a.start - b.start);
      let covered = 0;
      let reach = -Infinity;
      for (const s of sorted) {
        if (s.end <= reach) continue;
        covered += s.end - Math.max(s.start, reach);
        reach = s.end;
      }
      own.push(step.ms - covered);
    }
    const names = [...new Set(perRound.flatMap((p) => Object.keys(p)))];
    const phases = Object.fromEntries(
      names.map((n) => [n, { ms: round(median(perRound.map((p) => p[n]?.ms ?? 0)), 2), calls: round(median(perRound.map((p) => p[n]?.calls ?? 0)), 1) }]),
    );
    const { HeadObjectCommand } = await import('@aws-sdk/client-s3');
    const latest = await plain.send(new HeadObjectCommand({ Bucket: s3.bucket, Key: LATEST_KEY }));
    const sampleRegions = first.scopes.reduce((n, s) => n + s.regions, 0);
    return {
      ratio: round(median(ratios), 3),
      latestBytes: latest.ContentLength ?? 0,
      details: { rounds: ROUNDS, stepMs: round(median(stepMs), 2), putsMs: round(median(putsMs), 2), ratios: ratios.map((r) => round(r, 3)), phases, ownMs: round(median(own), 2), sampleRegions },
    };
  } finally {
    plain.destroy();
    traced.s3.destroy();
    traced.doc.destroy();
    await bench.close();
  }
}

function content(scope: number, index: number, day: number): RegionContent {
  const cloudId = `c${String(scope).padStart(3, '0')}`;
  const regionId = `${cloudId}-r${String(index).padStart(3, '0')}`;
  return {
    id: `zilliz:${regionId}`,
    source: 'zilliz',
    cloudId,
    regionId,
    // Region r000 of each scope changes every day: one change a day per scope.
    name: index === 0 && day > 0 ? `${regionId} (revision ${day})` : regionId,
    localizedNames: {},
    apiBaseUrl: 'https://api.cloud.zilliz.com',
    attributes: { domain: 'api.cloud.zilliz.com', supportedClusterTypes: ['serverless', 'dedicated'] },
  };
}

/** Objects of the archive written at once. */
const ARCHIVE_PUTS = 8;

/** A year of daily passes as the writer archives them; returns the last seq. */
async function writeArchive(bucket: BucketDeps, start: number): Promise<{ head: number; changesets: number; versions: number }> {
  const newId = monotonicFactory();
  const heads = new Map<string, ScopeItem>();
  const stored = new Map<string, StoredRegion[]>();
  const catalog = new Map<string, Region>();
  // Every put is awaited, failed or not, before this returns: the server must not be stopped under a write.
  const pending = new Set<Promise<void>>();
  const failures: unknown[] = [];
  const put = async (key: string, body: string) => {
    while (pending.size >= ARCHIVE_PUTS) await Promise.race(pending);
    const p: Promise<void> = putImmutable(bucket, key, body)
      .catch((error: unknown) => void failures.push(error))
      .finally(() => pending.delete(p));
    pending.add(p);
  };
  let seq = 0;
  let versions = 0;
  for (let day = 0; day <= DAYS && failures.length === 0; day++) {
    const now = new Date(start + day * DAY_MS).toISOString();
    const plans = [];
    for (let s = 0; s < SCOPES; s++) {
      const scope = `zilliz/c${String(s).padStart(3, '0')}`;
      const regions = day === 0 ? Array.from({ length: PER_SCOPE }, (_, i) => content(s, i, 0)) : (stored.get(scope) ?? []).map((r, i) => (i === 0 ? content(s, 0, day) : (r.region as RegionContent)));
      const plan = planScope({ scope, source: 'zilliz', regions, state: { head: heads.get(scope), regions: stored.get(scope) ?? [] }, holdPasses: 1, now, newId });
      if (plan) plans.push(plan);
    }
    for (const tx of packTransactions(plans)) {
      seq += 1;
      const changes = tx.flatMap((part) => part.changes);
      for (const c of changes) {
        if (c.type === 'region.removed') catalog.delete(c.regionKey);
        else catalog.set(c.regionKey, c.after!);
      }
      await put(changesetKey(seq), changesetBody({ seq, committedAt: now, changes }));
    }
    for (const plan of plans) {
      const scopeRegions = [...catalog.values()].filter((r) => `zilliz/${r.cloudId}` === plan.scope);
      stored.set(plan.scope, scopeRegions.sort((a, b) => (a.id < b.id ? -1 : 1)).map((region) => ({ region, seq })));
      heads.set(plan.scope, { pk: 'SCOPE', sk: plan.scope, source: 'zilliz', version: seq, hash: plan.head.hash, regionCount: plan.head.regionCount } as ScopeItem);
    }
    const file = catalogFile({ version: seq, syncedAt: now, regions: [...catalog.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)) });
    await put(versionKey(seq), file.body);
    versions += 1;
  }
  await Promise.all(pending);
  if (failures.length) throw new Error(`catalog file: ${failures.length} archive writes failed`, { cause: failures[0] });
  return { head: seq, changesets: seq, versions };
}

async function timedGet(handler: ReturnType<typeof createCatalogHandler>, url: string): Promise<number> {
  const t0 = performance.now();
  const res = read((await handler(apiEvent('GET', url, { 'accept-encoding': 'identity' }), lambdaContext)) as never);
  const ms = performance.now() - t0;
  if (res.status !== 200) throw new Error(`GET ${url}: ${res.status} ${res.text.slice(0, 200)}`);
  return ms;
}

async function archiveAt(ctx: BenchContext, s3: LocalS3, client: S3Client) {
  const large = await largeCatalog(ctx);
  // Writing a year's archive loads the local server far beyond a pass's writes: a client without the writer's tight timeouts.
  const { S3Client: Client } = await import('@aws-sdk/client-s3');
  const writer = new Client({ region: REGION, endpoint: s3.endpoint, forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }, requestHandler: { connectionTimeout: 60_000, requestTimeout: 300_000 } });
  const bucket = { s3: client, bucket: s3.bucket };
  // The archive of its own: the bucket is emptied of the write-overhead rounds' objects first.
  const { DeleteObjectsCommand, ListObjectsV2Command } = await import('@aws-sdk/client-s3');
  for (;;) {
    const listed = await client.send(new ListObjectsV2Command({ Bucket: s3.bucket }));
    if (!listed.Contents?.length) break;
    await client.send(new DeleteObjectsCommand({ Bucket: s3.bucket, Delete: { Objects: listed.Contents.map((o) => ({ Key: o.Key! })) } }));
  }
  const now = Date.now();
  const start = now - (DAYS + 0.5) * DAY_MS;
  const t0 = performance.now();
  const written = await writeArchive({ s3: writer, bucket: s3.bucket }, start).finally(() => writer.destroy());
  const writtenInMs = performance.now() - t0;
  log(`catalog file: archive of ${written.changesets} changesets and ${written.versions} versions written in ${round(writtenInMs / 1000, 1)} s`);
  // A table a year on: SEQ at the archive's head, every changeset gone with its retention.
  const past = await freshTable(ctx.endpoint);
  try {
    await past.doc.send(new PutCommand({ TableName: past.tableName, Item: { ...SEQ_KEY, value: written.head, committedAt: new Date(start + DAYS * DAY_MS).toISOString() } }));
    const calls = createTimeline();
    const atHandler = () => createCatalogHandler({ store: { doc: past.doc, table: past.tableName }, corsOrigins: ['*'], revalidateMs: 60_000, maxAgeSeconds: 30, retentionDays: 30, archive: createArchiveReader(bucket) });
    const currentHandler = () => createCatalogHandler({ store: { doc: large.table.doc, table: large.table.tableName }, corsOrigins: ['*'], revalidateMs: 60_000, maxAgeSeconds: 30 });
    const atRuns: number[] = [];
    const currentRuns: number[] = [];
    // A year back, half a day after that day's pass; a new millisecond each time.
    const point = (i: number) => new Date(start + DAY_MS / 2 + i).toISOString();
    await timedGet(atHandler(), `/regions?at=${point(0)}`);
    await timedGet(currentHandler(), '/regions');
    for (let i = 1; i <= 7; i++) {
      if (i % 2) {
        atRuns.push(await timedGet(atHandler(), `/regions?at=${point(i)}`));
        currentRuns.push(await timedGet(currentHandler(), '/regions'));
      } else {
        currentRuns.push(await timedGet(currentHandler(), '/regions'));
        atRuns.push(await timedGet(atHandler(), `/regions?at=${point(i)}`));
      }
    }
    // The S3 calls of one request, counted on one more through a traced client.
    const counted = traceClient(await createS3Client({ region: REGION, endpoint: s3.endpoint }), calls);
    await timedGet(createCatalogHandler({ store: { doc: past.doc, table: past.tableName }, corsOrigins: ['*'], revalidateMs: 60_000, maxAgeSeconds: 30, retentionDays: 30, archive: createArchiveReader({ s3: counted, bucket: s3.bucket }) }), `/regions?at=${point(9)}`);
    counted.destroy();
    const atCalls: Record<string, number> = {};
    for (const s of calls.spans) atCalls[shortName(s)] = (atCalls[shortName(s)] ?? 0) + 1;
    return {
      regions: large.regions,
      scopes: SCOPES,
      days: DAYS,
      changesets: written.changesets,
      versions: written.versions,
      writtenInMs: round(writtenInMs, 0),
      atMs: round(median(atRuns), 1),
      currentMs: round(median(currentRuns), 1),
      atRuns: atRuns.map((x) => round(x, 1)),
      currentRuns: currentRuns.map((x) => round(x, 1)),
      atCalls,
    };
  } finally {
    await past.drop();
  }
}

export async function runCatalogFile(ctx: BenchContext): Promise<{ values: Record<string, number>; details: CatalogFileDetails }> {
  const s3 = await startLocalS3({ bucket: 'region-sync-bench' });
  const client = await createS3Client({ region: REGION, endpoint: s3.endpoint });
  try {
    const overhead = await writeOverhead(ctx, s3);
    log(`catalog file: step ${overhead.details.stepMs} ms vs PutObject alone ${overhead.details.putsMs} ms (ratio ${overhead.ratio})`);
    const large = await largeCatalog(ctx);
    const { loadCatalog } = await import('../lib/store/read');
    const largeFile = catalogFile(await loadCatalog({ doc: large.table.doc, table: large.table.tableName }));
    const archive = await archiveAt(ctx, s3, client);
    log(`catalog file: ?at= a year back ${archive.atMs} ms vs current ${archive.currentMs} ms`);
    return {
      values: {
        'catalogFile.writeOverheadRatio': overhead.ratio,
        'catalogFile.latestBytesSample': overhead.latestBytes,
        'catalogFile.latestBytesLarge': Buffer.byteLength(largeFile.body),
        'catalogFile.archiveAtRatio': round(archive.atMs / archive.currentMs, 2),
      },
      details: { ...overhead.details, largeRegions: large.regions, archive },
    };
  } finally {
    client.destroy();
    await s3.stop();
  }
}

/**
 * The catalog files on a real S3 API (s3rver, behind the S3 fault proxy),
 * written by real passes on DynamoDB Local (issue 20):
 * - latest.json is byte for byte the catalog API's `GET /regions`, and
 *   catalog/v/<version>.json the same; `Catalog Published` carries the SHA-256
 *   of those bytes (computed here, from what an anonymous GET returns);
 * - every changes/<seq>.json equals the table's changeset;
 * - a pass that commits nothing makes no S3 request; one whose latest file is
 *   behind the table catches up;
 * - an S3 outage, timeouts, and writes applied whose answer was lost fail no
 *   scope and lose nothing: latest.json always equals the table's catalog at
 *   some committed version (rebuilt independently by `GET /regions?at=`),
 *   never an older one than it held, and the files catch up.
 */
import { createHash } from 'node:crypto';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createCatalogHandler } from '../../lib/catalog/handler';
import { encodeCursor } from '../../lib/catalog/cursor';
import { CATALOG_PUBLISHED } from '../../lib/core/detail-types';
import type { Change } from '../../lib/core/api-records';
import { CatalogPublishedSchema } from '../../lib/core/api-schemas';
import { putLatest } from '../../lib/store/catalog-files';
import { LATEST_KEY, catalogFile, changesetKey, versionKey } from '../../lib/store/catalog-layout';
import { readFilesState } from '../../lib/store/files-state';
import { PK, type ChangesItem, type OutboxItem } from '../../lib/store/items';
import { createS3Client } from '../../lib/store/s3';
import { startLocalS3, type LocalS3 } from '../../local/s3';
import { startS3FaultProxy, type S3FaultProxy } from '../../local/s3-fault-proxy';
import { call, type TestHandler } from '../support/catalog-event';
import { createHarness, type Harness } from '../support/harness';

let h: Harness;
let s3: LocalS3;
let proxy: S3FaultProxy;
let client: S3Client;
let api: TestHandler;

beforeAll(async () => {
  s3 = await startLocalS3({ bucket: 'region-sync-test' });
  proxy = await startS3FaultProxy(s3.endpoint);
  client = await createS3Client({ region: 'us-east-1', endpoint: proxy.endpoint, requestTimeoutMs: 400 });
  // The pass writes the files itself (its publish stage), through the fault proxy.
  h = await createHarness({ env: { CATALOG_BUCKET: s3.bucket, S3_ENDPOINT: proxy.endpoint }, s3: client });
  api = createCatalogHandler({ store: { doc: h.table.doc, table: h.table.tableName }, corsOrigins: ['*'], revalidateMs: 0, maxAgeSeconds: 30 }) as TestHandler;
}, 60_000);

afterAll(async () => {
  client?.destroy();
  await proxy?.close();
  await s3?.stop();
  await h?.close();
});

beforeEach(() => proxy.clear());

const store = () => ({ doc: h.table.doc, table: h.table.tableName });

/** A pass: its publish stage writes the files after the commit. */
async function sync() {
  const summary = await h.pass();
  const files = summary.published.files!;
  return { summary, files };
}

/** An object as anyone reads it: an anonymous GET on the server itself (no fault proxy). */
async function object(key: string): Promise<string | undefined> {
  const res = await fetch(s3.url(key));
  return res.status === 200 ? res.text() : undefined;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

async function tableChangesets(): Promise<ChangesItem[]> {
  const out = await h.table.doc.send(
    new QueryCommand({ TableName: h.table.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': PK.changes }, ConsistentRead: true }),
  );
  return (out.Items ?? []) as ChangesItem[];
}

async function outbox(): Promise<OutboxItem[]> {
  const out = await h.table.doc.send(
    new QueryCommand({ TableName: h.table.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': PK.outbox }, ConsistentRead: true }),
  );
  return (out.Items ?? []) as OutboxItem[];
}

/** The catalog at the end of commit `seq`, as the API rebuilds it from the table (independently of the files). */
async function catalogAt(seq: number): Promise<string> {
  const changesets = await tableChangesets();
  const item = changesets.find((c) => c.seq === seq);
  const index = item ? (JSON.parse(item.body) as Change[]).length - 1 : -1;
  const res = await call(api, 'GET', `/regions?at=${encodeCursor({ seq, index })}`);
  expect(res.status).toBe(200);
  return res.text;
}

async function expectArchiveEqualsTable(): Promise<void> {
  for (const item of await tableChangesets()) {
    const archived = await object(changesetKey(item.seq));
    expect(archived, `changes/${item.seq}.json`).toBeDefined();
    expect(JSON.parse(archived!)).toEqual({ seq: item.seq, committedAt: item.committedAt, changes: JSON.parse(item.body) });
  }
}

describe('the catalog files', () => {
  it('after a commit: latest.json is the very body of GET /regions, its version immutable beside it, the archive the table, and Catalog Published names its bytes', async () => {
    const { summary, files } = await sync();
    expect(summary.scopes.filter((s) => s.outcome === 'failed')).toEqual([]);
    expect(files.outcome).toBe('written');
    const current = await call(api, 'GET', '/regions');
    const latest = await object(LATEST_KEY);
    expect(latest).toBe(current.text);
    const version = (current.json as { version: string }).version;
    expect(files.latest).toBe(Number(version));
    expect(await object(versionKey(Number(version)))).toBe(latest);
    const head = await fetch(s3.url(versionKey(Number(version))), { method: 'HEAD' });
    expect(head.headers.get('content-type')).toBe('application/json');
    await expectArchiveEqualsTable();

    // Through the outbox, published by the same pass, once; nothing left waiting.
    expect((await outbox()).filter((o) => o.detailType === CATALOG_PUBLISHED)).toEqual([]);
    const events = h.receiver.events.filter((e) => e.detailType === CATALOG_PUBLISHED);
    expect(events).toHaveLength(1);
    const detail = CatalogPublishedSchema.parse(events[0]!.detail);
    expect(detail).toEqual({ version, syncedAt: (current.json as { syncedAt: string }).syncedAt, count: (current.json as { count: number }).count, key: versionKey(Number(version)), sha256: sha256(latest!) });
  });

  it('makes no S3 request when nothing was committed', async () => {
    const before = proxy.requests.length;
    const { summary, files } = await sync();
    expect(summary.changes).toBe(0);
    expect(files.outcome).toBe('up-to-date');
    expect(proxy.requests.slice(before)).toEqual([]);
  });

  it('never moves latest.json back to an older version', async () => {
    const held = await object(LATEST_KEY);
    const version = Number((JSON.parse(held!) as { version: string }).version);
    const older = catalogFile({ version: version - 1, syncedAt: null, regions: [] });
    const outcome = await putLatest({ s3: client, bucket: s3.bucket }, older);
    expect(outcome).toMatchObject({ kind: 'newer-held', meta: { version } });
    expect(await object(LATEST_KEY)).toBe(held);
  });

  it('fails no scope and loses nothing through an S3 outage, then catches up', async () => {
    h.zilliz.addRegion('aws', { regionId: 'aws-sa-east-1', cloudId: 'aws', description: 'South America (São Paulo)' } as never);
    const held = await object(LATEST_KEY);
    proxy.inject('error', 10_000);
    const { summary, files } = await sync();
    expect(summary.ok).toBe(true);
    expect(summary.changes).toBe(1);
    expect(files.outcome).toBe('failed');
    expect(await object(LATEST_KEY)).toBe(held);
    const state = await readFilesState(store());
    expect(state.announced).toBeLessThan(summary.sequences.at(-1)!);

    proxy.clear();
    // The next pass commits nothing, but its latest file is behind the table: it catches up.
    const next = await sync();
    expect(next.summary.changes).toBe(0);
    expect(next.files.outcome).toBe('written');
    expect(await object(LATEST_KEY)).toBe((await call(api, 'GET', '/regions')).text);
    await expectArchiveEqualsTable();
  });

  it('keeps latest.json a committed version, never older than it held, through timeouts and writes whose answer was lost', async () => {
    let highest = Number((JSON.parse((await object(LATEST_KEY))!) as { version: string }).version);
    const faults: [Parameters<S3FaultProxy['inject']>[0], { method?: string; pathIncludes?: string }][] = [
      ['applied-lost', { method: 'PUT', pathIncludes: LATEST_KEY }],
      ['timeout', { method: 'PUT', pathIncludes: 'changes/' }],
      ['applied-lost', { method: 'PUT', pathIncludes: 'catalog/v/' }],
      ['timeout', { method: 'HEAD' }],
      ['error', { method: 'PUT' }],
    ];
    for (const [n, [fault, match]] of faults.entries()) {
      h.zilliz.updateRegion('aws', 'aws-sa-east-1', { description: `São Paulo ${n}` });
      proxy.inject(fault, 3, match);
      const { summary } = await sync();
      expect(summary.ok).toBe(true);
      const text = (await object(LATEST_KEY))!;
      const version = Number((JSON.parse(text) as { version: string }).version);
      expect(version).toBeGreaterThanOrEqual(highest);
      expect(text).toBe(await catalogAt(version));
      highest = version;
    }
    proxy.clear();
    await sync();
    expect(await object(LATEST_KEY)).toBe((await call(api, 'GET', '/regions')).text);
    await expectArchiveEqualsTable();
    // Each version announced at most once, in order.
    const versions = h.receiver.events.filter((e) => e.detailType === CATALOG_PUBLISHED).map((e) => Number((e.detail as { version: string }).version));
    expect(versions).toEqual([...new Set(versions)].sort((a, b) => a - b));
    expect(versions.at(-1)).toBe(Number((JSON.parse((await object(LATEST_KEY))!) as { version: string }).version));
  }, 120_000);
});

/**
 * The sample Lambda events in events/ (used with `serverless invoke local`)
 * stay true: each drives the real handlers to the answer it is named for.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCatalogHandler } from '../../lib/catalog/handler';
import { createSyncHandler } from '../../lib/sync/handler';
import { createHarness, SAMPLE_REGIONS, type Harness } from '../support/harness';

const dir = new URL('../../events/', import.meta.url);
const load = (name: string): unknown => JSON.parse(readFileSync(new URL(name, dir), 'utf8'));
const context = { functionName: 'test', awsRequestId: 'events-test' } as Context;

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h.close();
});

describe('events/', () => {
  it('scheduled.json runs a full pass through the sync handler', async () => {
    const handler = createSyncHandler(h.config);
    const summary = await handler(load('scheduled.json') as never, context);
    expect(summary.ok).toBe(true);
    expect(summary.changes).toBe(SAMPLE_REGIONS);
  });

  const expected: Record<string, number> = {
    'get-regions.json': 200,
    'get-regions-filtered.json': 200,
    'get-region.json': 200,
    'get-sources.json': 200,
    'get-changes.json': 200,
    'get-openapi.json': 200,
    'get-changes-bad-limit.json': 400,
  };

  it('has an expectation for every API Gateway sample', () => {
    expect(readdirSync(dir).filter((f) => f.startsWith('get-')).sort()).toEqual(Object.keys(expected).sort());
  });

  it.each(Object.entries(expected))('%s answers %i through the catalog handler', async (name, status) => {
    const handler = createCatalogHandler({ store: { doc: h.table.doc, table: h.table.tableName }, corsOrigins: ['*'], revalidateMs: 0, maxAgeSeconds: 30 });
    const res = (await handler(load(name) as never, context)) as { statusCode: number; body?: string; isBase64Encoded?: boolean; headers?: Record<string, string> };
    expect(res.statusCode).toBe(status);
    const raw = res.isBase64Encoded ? Buffer.from(res.body ?? '', 'base64') : Buffer.from(res.body ?? '');
    const encoding = res.headers?.['Content-Encoding'] ?? res.headers?.['content-encoding'];
    const text = encoding === 'gzip' ? gunzipSync(raw).toString() : encoding === 'br' ? (await import('node:zlib')).brotliDecompressSync(raw).toString() : raw.toString();
    expect(() => JSON.parse(text)).not.toThrow();
    if (name === 'get-regions-filtered.json') {
      const body = JSON.parse(text) as { regions: { source: string; cloudId: string }[] };
      expect(body.regions.length).toBe(18);
      expect(body.regions.every((r) => r.source === 'zilliz' && ['aws', 'gcp'].includes(r.cloudId))).toBe(true);
    }
  });
});

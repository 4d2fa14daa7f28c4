/**
 * `GET /regions/{source}/{regionId}/history` after real sync passes: a region
 * that was added, changed and removed tells all three, oldest first, equal to
 * its changes in the committed changesets; unknown regions and sources answer
 * 404 and 400.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCatalogHandler } from '../../lib/catalog/handler';
import type { Change } from '../../lib/core/region';
import { call, type TestHandler } from '../support/catalog-event';
import { freshTable } from '../support/db';
import { createHarness, type Harness } from '../support/harness';
import { makeRegion, seed } from '../support/seed';

describe('a region history after real passes', () => {
  let h: Harness;
  let handler: TestHandler;
  beforeAll(async () => {
    h = await createHarness();
    handler = createCatalogHandler({ store: { doc: h.table.doc, table: h.table.tableName }, corsOrigins: ['*'], revalidateMs: 0, maxAgeSeconds: 30 }) as TestHandler;
  });
  afterAll(async () => {
    await h.close();
  });

  it('tells an added, changed and removed region oldest first, removed included', async () => {
    await h.pass();
    h.zilliz.addRegion('gcp', { cloudId: 'gcp', regionId: 'gcp-story-1', apiBaseUrl: 'https://api.one.example.com' });
    await h.pass();
    h.zilliz.updateRegion('gcp', 'gcp-story-1', { apiBaseUrl: 'https://api.two.example.com' });
    await h.pass();
    h.zilliz.removeRegion('gcp', 'gcp-story-1');
    await h.pass();

    const res = await call(handler, 'GET', '/regions/zilliz/gcp-story-1/history');
    expect(res.status).toBe(200);
    const { changes } = res.json as { changes: Change[] };
    expect(changes.map((c) => c.type)).toEqual(['region.added', 'region.changed', 'region.removed']);
    const committed = (await h.committedChanges()).filter((c) => c.regionKey === 'zilliz:gcp-story-1');
    expect(changes).toEqual(committed);
    expect(changes[1]?.changedFields).toEqual(['apiBaseUrl']);
    expect(changes[1]?.after?.apiBaseUrl).toBe('https://api.two.example.com');
    // Gone from the catalog, its story is still told.
    expect((await call(handler, 'GET', '/regions/zilliz/gcp-story-1')).status).toBe(404);
  });

  it('answers one change for a region added once', async () => {
    const res = await call(handler, 'GET', '/regions/modelarts/cn-east-4/history');
    expect((res.json as { changes: Change[] }).changes.map((c) => c.type)).toEqual(['region.added']);
  });

  it('answers 404 for a region with no change and not in the catalog, 400 for an unknown source', async () => {
    const missing = await call(handler, 'GET', '/regions/zilliz/nowhere-1/history');
    expect(missing.status).toBe(404);
    expect(missing.headers['content-type']).toBe('application/problem+json');
    const bad = await call(handler, 'GET', '/regions/aws/us-east-1/history');
    expect(bad.status).toBe(400);
    expect((bad.json as { detail: string }).detail).toMatch(/^source: /);
    expect((await call(handler, 'POST', '/regions/zilliz/gcp-story-1/history')).status).toBe(405);
  });
});

it('answers an empty history for a region in the catalog whose changes have expired', async () => {
  const table = await freshTable();
  try {
    await seed(table.doc, table.tableName, { seq: { value: 4 }, regions: [makeRegion('zilliz', 'aws-us-west-2')] });
    const handler = createCatalogHandler({ store: { doc: table.doc, table: table.tableName }, corsOrigins: ['*'], revalidateMs: 0, maxAgeSeconds: 30 }) as TestHandler;
    const res = await call(handler, 'GET', '/regions/zilliz/aws-us-west-2/history');
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ changes: [] });
  } finally {
    await table.drop();
  }
});

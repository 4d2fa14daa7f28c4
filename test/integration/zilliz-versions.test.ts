/**
 * Today's Zilliz answers through the real sync handler, against the
 * simulator's state: switching ZILLIZ_API_VERSION on the same table (v1, then
 * v2, then v1 again) adds and removes no region; each switch changes exactly
 * `apiBaseUrl` and `attributes.domain` of every region, to what that version's
 * documented answer gives. And v1's 90117 ("Invalid domain name used") fails
 * the scopes as a configuration error naming ZILLIZ_BASE_URL.
 */
import type { Context } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { createCatalogHandler } from '../../lib/catalog/handler';
import type { Change, Region } from '../../lib/core/region';
import { createLogger } from '../../lib/core/log';
import { loadSyncConfig } from '../../lib/sync/config';
import { createEventBridgeClient } from '../../lib/sync/eventbridge';
import { createSyncHandler } from '../../lib/sync/handler';
import { ZILLIZ_V2_DOMAIN, zillizV1Domain } from '../../local/simulators';
import { call, type TestHandler } from '../support/catalog-event';
import { createHarness, type Harness } from '../support/harness';

const context = { functionName: 'sync', awsRequestId: 'versions' } as Context;
let h: Harness;
const closers: Array<() => void> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) close();
  await h?.close();
});

/** One pass of a sync handler configured for `version`, on the harness's table, simulators and receiver. */
async function passWith(version: 'v1' | 'v2') {
  const events = createEventBridgeClient({ region: 'us-east-1', endpoint: h.receiver.endpoint });
  closers.push(() => events.destroy());
  const handler = createSyncHandler(loadSyncConfig({ ...h.env, ZILLIZ_API_VERSION: version }), {
    store: { doc: h.table.doc, table: h.table.tableName },
    events,
    log: createLogger({}, () => undefined),
    pass: { backoffMs: 5, publish: { backoffMs: 5 } },
  });
  return handler({}, context);
}

async function catalogRegions(): Promise<Region[]> {
  const catalog = createCatalogHandler({ store: { doc: h.table.doc, table: h.table.tableName }, corsOrigins: ['*'], revalidateMs: 0, maxAgeSeconds: 0 }) as TestHandler;
  return ((await call(catalog, 'GET', '/regions')).json as { regions: Region[] }).regions.filter((r) => r.source === 'zilliz');
}

/** The simulator's regions: the truth every version must list. */
const truthIds = () => Object.values(h.zilliz.data.regions).flatMap((list) => list.map((r) => `zilliz:${r.regionId}`)).sort();

/** What each version's documented answer makes of a region. */
const expected = {
  v1: (regionId: string) => ({ apiBaseUrl: null, domain: zillizV1Domain(regionId) }),
  v2: () => ({ apiBaseUrl: `https://${ZILLIZ_V2_DOMAIN}`, domain: ZILLIZ_V2_DOMAIN }),
};

async function expectCatalogOf(version: 'v1' | 'v2'): Promise<void> {
  const regions = await catalogRegions();
  expect(regions.map((r) => r.id).sort()).toEqual(truthIds());
  for (const r of regions) expect({ apiBaseUrl: r.apiBaseUrl, domain: r.attributes.domain }).toEqual(expected[version](r.regionId));
}

describe('switching ZILLIZ_API_VERSION on the same table', () => {
  it('adds and removes no region: each switch is one region.changed of apiBaseUrl and attributes.domain per region', async () => {
    h = await createHarness();
    const first = await passWith('v1');
    expect(first.ok).toBe(true);
    await expectCatalogOf('v1');
    const regions = truthIds().length;
    expect(regions).toBeGreaterThan(0);

    let seen = (await h.committedChanges()).length;
    for (const version of ['v2', 'v1', 'v2'] as const) {
      const summary = await passWith(version);
      expect(summary.ok).toBe(true);
      await expectCatalogOf(version);
      const all = await h.committedChanges();
      const zilliz = all.slice(seen).filter((c: Change) => c.source === 'zilliz');
      seen = all.length;
      expect(zilliz.map((c) => c.type)).toEqual(Array(regions).fill('region.changed'));
      expect(zilliz.map((c) => c.regionKey).sort()).toEqual(truthIds());
      expect(new Set(zilliz.map((c) => c.changedFields.join(',')))).toEqual(new Set(['apiBaseUrl,attributes.domain']));
    }
    // As the receiver saw it: additions only from the first pass, never a removal.
    const types = h.receiver.events.filter((e) => (e.detail as { source?: string }).source === 'zilliz').map((e) => e.detailType);
    expect(types.filter((t) => t === 'Region Added')).toHaveLength(regions);
    expect(types.filter((t) => t === 'Region Removed')).toHaveLength(0);
    expect(types.filter((t) => t === 'Region Changed')).toHaveLength(3 * regions);
  });
});

describe('v1 code 90117 "Invalid domain name used"', () => {
  it('fails every Zilliz scope as a configuration error whose lastError names ZILLIZ_BASE_URL', async () => {
    h = await createHarness();
    await passWith('v1');
    h.zilliz.faults.push({ kind: 'business-error', code: 90117, message: 'Invalid domain name used' }, { times: Infinity });
    const summary = await passWith('v1');
    const scopes = summary.scopes.filter((s) => s.source === 'zilliz');
    expect(scopes.length).toBeGreaterThan(0);
    expect(scopes.every((s) => s.outcome === 'failed' && s.error?.code === 'config.90117')).toBe(true);
    const catalog = createCatalogHandler({ store: { doc: h.table.doc, table: h.table.tableName }, corsOrigins: ['*'], revalidateMs: 0, maxAgeSeconds: 0 }) as TestHandler;
    const sources = ((await call(catalog, 'GET', '/sources')).json as { sources: Array<{ scope: string; lastError: { code: string; message: string } | null }> }).sources;
    const zillizSources = sources.filter((s) => s.scope.startsWith('zilliz/'));
    expect(zillizSources.length).toBeGreaterThan(0);
    for (const s of zillizSources) {
      expect(s.lastError?.code).toBe('config.90117');
      expect(s.lastError?.message).toContain('ZILLIZ_BASE_URL');
    }
    // Nothing was removed: the regions stay as v1 last listed them.
    await expectCatalogOf('v1');
  });
});

/**
 * The sync pass end to end: real DynamoDB Local, both simulators and the
 * PutEvents receiver over real sockets.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SEQ_KEY, scopeKey, statusKey } from '../../lib/store/items';
import { createMeter } from '../../bench/meter';
import { createHarness, SAMPLE_REGIONS, type Harness } from '../support/harness';

let h: Harness;
beforeEach(async () => {
  h = await createHarness();
});
afterEach(async () => {
  await h.close();
});

const get = async (key: Record<string, string>) =>
  (await h.table.doc.send(new GetCommand({ TableName: h.table.tableName, Key: key, ConsistentRead: true }))).Item;

describe('a sync pass', () => {
  it('adds every region on the first pass and publishes one event per region', async () => {
    const summary = await h.pass();
    expect(summary.ok).toBe(true);
    expect(summary.changes).toBe(SAMPLE_REGIONS);
    const changes = await h.committedChanges();
    expect(changes.map((c) => c.type)).toEqual(Array(SAMPLE_REGIONS).fill('region.added'));
    expect(new Set(changes.map((c) => c.regionKey)).size).toBe(SAMPLE_REGIONS);
    expect(h.receiver.events).toHaveLength(SAMPLE_REGIONS);
    expect(h.receiver.events.every((e) => e.detailType === 'Region Added' && e.source === 'region-sync')).toBe(true);
    expect(new Set(h.receiver.events.map((e) => (e.detail as { id: string }).id))).toEqual(new Set(changes.map((c) => c.id)));
    const westTwo = changes.find((c) => c.regionKey === 'zilliz:aws-us-west-2');
    expect(westTwo?.after).toMatchObject({
      id: 'zilliz:aws-us-west-2',
      source: 'zilliz',
      cloudId: 'aws',
      name: 'aws-us-west-2',
      // v1 answers the region's wildcard endpoint domain: no one base URL.
      apiBaseUrl: null,
      attributes: { domain: '*.api.aws-us-west-2.zillizcloud.com', supportedClusterTypes: ['free', 'serverless', 'dedicated'] },
    });
    expect(westTwo?.scope).toBe('zilliz/aws');
    const guiyang = changes.find((c) => c.regionKey === 'modelarts:cn-southwest-2');
    expect(guiyang?.after).toMatchObject({ cloudId: 'huaweicloud', name: 'CN Southwest-Guiyang1', localizedNames: { en_us: 'CN Southwest-Guiyang1', zh_cn: '西南-贵阳一' } });
    expect(await get(SEQ_KEY)).toMatchObject({ value: 1 });
  });

  it('writes no snapshot and no changeset when nothing changed upstream', async () => {
    await h.pass();
    h.receiver.clear();
    const meter = createMeter();
    const summary = await h.pass({ meter });
    expect(summary.changes).toBe(0);
    expect(summary.scopes.every((s) => s.outcome === 'unchanged')).toBe(true);
    expect(meter.writes).toMatchObject({ seq: 0, changeset: 0, region: 0, scope: 0 });
    expect(meter.writes.status).toBe(summary.scopes.length);
    // Capacity as DynamoDB Local reports it, asked for by the meter's middleware (lib/store never asks). The
    // status items go in one transaction, which DynamoDB Local reports as 2 units whatever its items (DynamoDB: 2 each).
    expect(meter.readUnits).toBeGreaterThan(0);
    expect(meter.writeUnits).toBeGreaterThanOrEqual(2);
    expect(h.receiver.events).toHaveLength(0);
    expect(await get(SEQ_KEY)).toMatchObject({ value: 1 });
  });

  it('emits exactly one event each for an added, a removed and a changed region', async () => {
    await h.pass();
    h.receiver.clear();
    h.zilliz.addRegion('gcp', { cloudId: 'gcp', regionId: 'gcp-europe-west4' });
    h.zilliz.removeRegion('aws', 'aws-ap-east-1');
    // A plain host as domain: the region now has one base URL.
    h.zilliz.updateRegion('aws', 'aws-us-west-2', { domain: 'api2.aws-us-west-2.zillizcloud.com' });
    h.modelarts.updateRegion('cn-east-4', { locales: { en_us: 'CN East-Shanghai2', zh_cn: '华东-上海二' } });
    const summary = await h.pass();
    expect(summary.changes).toBe(4);
    const byType = Object.fromEntries(h.receiver.events.map((e) => [`${e.detailType} ${(e.detail as { regionKey: string }).regionKey}`, e.detail]));
    expect(Object.keys(byType).sort()).toEqual([
      'Region Added zilliz:gcp-europe-west4',
      'Region Changed modelarts:cn-east-4',
      'Region Changed zilliz:aws-us-west-2',
      'Region Removed zilliz:aws-ap-east-1',
    ]);
    const added = byType['Region Added zilliz:gcp-europe-west4'];
    expect(added).toMatchObject({ type: 'region.added', before: null, changedFields: [] });
    const removed = byType['Region Removed zilliz:aws-ap-east-1'];
    expect(removed).toMatchObject({ type: 'region.removed', after: null, before: { regionId: 'aws-ap-east-1' }, changedFields: [] });
    const changed = byType['Region Changed zilliz:aws-us-west-2'] as { changedFields: string[]; before: { apiBaseUrl: string | null; firstSeenAt: string }; after: { apiBaseUrl: string; firstSeenAt: string } };
    expect(changed.changedFields).toEqual(['apiBaseUrl', 'attributes.domain']);
    expect(changed.before.apiBaseUrl).toBeNull();
    expect(changed.after.apiBaseUrl).toBe('https://api2.aws-us-west-2.zillizcloud.com');
    expect(changed.after.firstSeenAt).toBe(changed.before.firstSeenAt);
    const renamed = byType['Region Changed modelarts:cn-east-4'] as { changedFields: string[] };
    expect(renamed.changedFields).toEqual(['localizedNames', 'name']);
  });

  it('never reads a reordered answer as a change', async () => {
    await h.pass();
    h.zilliz.data.regions.aws?.reverse();
    const west = h.zilliz.data.regions.aws?.find((r) => r.regionId === 'aws-us-west-2') as { supportedClusterTypes?: string[] };
    west.supportedClusterTypes = ['serverless', 'dedicated', 'free'];
    const summary = await h.pass();
    expect(summary.changes).toBe(0);
  });

  it('uses the POST variant of List Cloud Regions when configured, and only the configured clouds', async () => {
    await h.close();
    h = await createHarness({ env: { ZILLIZ_REGIONS_METHOD: 'POST', ZILLIZ_CLOUD_IDS: 'aws,azure' } });
    const summary = await h.pass();
    expect(summary.scopes.map((s) => s.scope).filter((s) => s.startsWith('zilliz')).sort()).toEqual(['zilliz/aws', 'zilliz/azure']);
    const regionCalls = h.zilliz.requests.filter((r) => r.path === '/v1/regions');
    expect(regionCalls.map((r) => r.method)).toEqual(['POST', 'POST']);
    expect(h.zilliz.requests.some((r) => r.path === '/v1/clouds')).toBe(false);
  });

  it('records per-scope status with failures counted and the last error kept', async () => {
    await h.pass();
    h.zilliz.faults.push({ kind: 'status', status: 500 }, { times: Infinity, match: { path: '/v1/regions' } });
    await h.pass();
    const second = await h.pass();
    expect(second.scopes.find((s) => s.scope === 'zilliz/aws')?.consecutiveFailures).toBe(2);
    expect(second.scopes.find((s) => s.source === 'modelarts')?.consecutiveFailures).toBe(0);
    const status = await get(statusKey('zilliz/aws'));
    expect(status).toMatchObject({ consecutiveFailures: 2, lastError: { code: 'http.500' } });
    expect(await get(scopeKey('zilliz/aws'))).toMatchObject({ regionCount: 12 });
  });
});

/**
 * The mass-removal hold and the operational events: a short list under HTTP
 * 200 never removes regions at once; a failing scope is announced once, and
 * its recovery once.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { scopeKey } from '../../lib/store/items';
import { listSources } from '../../lib/store/read';
import { createHarness, type Harness } from '../support/harness';

let h: Harness;
beforeEach(async () => {
  // Passes only here: the time rule (REMOVAL_HOLD_MINUTES) has its own tests below and in the unit tests.
  h = await createHarness({ env: { REMOVAL_HOLD_PASSES: '3', REMOVAL_HOLD_MINUTES: '0' } });
  await h.pass();
  h.receiver.clear();
});
afterEach(async () => {
  await h.close();
});

const types = () => h.receiver.events.map((e) => e.detailType);
const head = async (scope: string) =>
  (await h.table.doc.send(new GetCommand({ TableName: h.table.tableName, Key: scopeKey(scope), ConsistentRead: true }))).Item;

describe('the mass-removal hold', () => {
  it('holds a short list, announces it once, and removes only after three confirming passes', async () => {
    h.zilliz.faults.push({ kind: 'short-list', keep: 1 }, { times: Infinity, match: { path: '/v1/regions' } });
    const first = await h.pass();
    expect(first.scopes.find((s) => s.scope === 'zilliz/aws')).toMatchObject({ outcome: 'held', heldRemovals: 11, removed: 0 });
    expect(types().filter((t) => t === 'Removals Held')).toHaveLength(3); // aws, gcp, azure
    const held = h.receiver.events.find((e) => e.detailType === 'Removals Held' && (e.detail as { scope: string }).scope === 'zilliz/aws');
    expect(held?.detail).toMatchObject({ scope: 'zilliz/aws', heldCount: 11, previousCount: 12 });
    expect((await head('zilliz/aws'))?.hold).toMatchObject({ passes: 1 });

    h.receiver.clear();
    await h.pass();
    expect(types()).toEqual([]);
    expect((await head('zilliz/aws'))?.hold).toMatchObject({ passes: 2 });

    const third = await h.pass();
    expect(third.scopes.find((s) => s.scope === 'zilliz/aws')).toMatchObject({ outcome: 'ok', removed: 11 });
    expect(types().filter((t) => t === 'Region Removed')).toHaveLength(11 + 5 + 2);
    expect((await head('zilliz/aws'))?.hold).toBeUndefined();
    expect((await head('zilliz/aws'))?.regionCount).toBe(1);
  });

  it('clears the hold with no event when the regions come back', async () => {
    h.modelarts.faults.push({ kind: 'empty-list' }, { times: 1 });
    const first = await h.pass();
    expect(first.scopes.find((s) => s.source === 'modelarts')?.outcome).toBe('held');
    h.receiver.clear();
    const second = await h.pass();
    expect(second.scopes.find((s) => s.source === 'modelarts')?.outcome).toBe('unchanged');
    expect(second.changes).toBe(0);
    expect(types()).toEqual([]);
    expect((await head(`modelarts/${h.modelarts.projectId}`))?.hold).toBeUndefined();
  });

  it('still commits additions and changes while removals are held', async () => {
    const aws = h.zilliz.data.regions.aws ?? [];
    const kept = aws[0];
    if (!kept) throw new Error('sample data has no aws region');
    h.zilliz.data.regions.aws = [{ ...kept, domain: '*.changed.example' }, { cloudId: 'aws', regionId: 'aws-sa-east-1' }];
    const summary = await h.pass();
    expect(summary.scopes.find((s) => s.scope === 'zilliz/aws')).toMatchObject({ outcome: 'held', added: 1, changed: 1, removed: 0, heldRemovals: 11 });
    expect(types().sort()).toEqual(['Region Added', 'Region Changed', 'Removals Held']);
  });

  it('removes a minority of regions at once', async () => {
    h.zilliz.removeRegion('aws', 'aws-ap-east-1');
    h.zilliz.removeRegion('aws', 'aws-eu-west-2');
    const summary = await h.pass();
    expect(summary.scopes.find((s) => s.scope === 'zilliz/aws')).toMatchObject({ outcome: 'ok', removed: 2 });
  });

  it('treats a cloud that left the provider list as emptied, so the hold guards it too', async () => {
    h.zilliz.data.clouds = h.zilliz.data.clouds.filter((c) => c.cloudId !== 'azure');
    const summary = await h.pass();
    expect(summary.scopes.find((s) => s.scope === 'zilliz/azure')).toMatchObject({ outcome: 'held', heldRemovals: 3 });
  });
});

describe('operational events', () => {
  it('announces a degraded scope once, however many passes fail, and its recovery once', async () => {
    h.modelarts.faults.push({ kind: 'status', status: 503 }, { times: Infinity, match: { path: /custom-endpoint/ } });
    await h.pass();
    await h.pass();
    await h.pass();
    const degraded = h.receiver.events.filter((e) => e.detailType === 'Source Degraded');
    expect(degraded).toHaveLength(1);
    expect(degraded[0]?.detail).toMatchObject({ scope: `modelarts/${h.modelarts.projectId}`, error: { code: 'http.503' } });
    h.modelarts.faults.clear();
    await h.pass();
    await h.pass();
    expect(types().filter((t) => t === 'Source Recovered')).toHaveLength(1);
  });

  it('does not announce a scope that has never succeeded as degraded', async () => {
    await h.close();
    h = await createHarness();
    h.modelarts.faults.push({ kind: 'status', status: 500 }, { times: Infinity, match: { path: /custom-endpoint/ } });
    await h.pass();
    expect(types()).not.toContain('Source Degraded');
  });
});

describe('the hold waits for time (REMOVAL_HOLD_MINUTES, default 30)', () => {
  it('three quick syncs with the empty-list fault remove nothing, and /sources says how many, of how many, and when', async () => {
    await h.close();
    h = await createHarness();
    await h.pass();
    h.receiver.clear();
    h.modelarts.faults.push({ kind: 'empty-list' }, { times: Infinity });
    const scope = `modelarts/${h.modelarts.projectId}`;
    for (let i = 0; i < 3; i++) {
      const summary = await h.pass();
      expect(summary.scopes.find((s) => s.scope === scope)).toMatchObject({ outcome: 'held', removed: 0 });
    }
    expect(types()).not.toContain('Region Removed');
    expect(types().filter((t) => t === 'Removals Held')).toHaveLength(1);
    const truth = h.modelarts.data.region_items.length;
    const status = (await listSources({ doc: h.table.doc, table: h.table.tableName })).find((s) => s.scope === scope);
    expect(status?.status).toBe('held');
    expect(status?.regionCount).toBe(truth);
    const held = status?.held;
    expect(held).toMatchObject({ count: truth, of: truth, passes: 3, passesNeeded: 3 });
    expect(Date.parse(held!.confirmsAfter) - Date.parse(held!.since)).toBe(30 * 60_000);
    const event = h.receiver.events.find((e) => e.detailType === 'Removals Held')?.detail as { summary: string; held: object };
    expect(event.held).toMatchObject({ count: truth, of: truth });
    expect(event.summary).toContain(`${scope}: removal of ${truth} of ${truth} regions held`);
  });
});

describe('one Source Degraded for several scopes', () => {
  it('announces one Zilliz v2 outage once, naming every cloud, and its recovery once', async () => {
    await h.close();
    h = await createHarness({ env: { ZILLIZ_API_VERSION: 'v2' } });
    await h.pass();
    h.receiver.clear();
    h.zilliz.faults.push({ kind: 'status', status: 503 }, { times: Infinity, match: { path: '/v2/regions' } });
    await h.pass();
    await h.pass();
    const clouds = Object.keys(h.zilliz.data.regions).map((c) => `zilliz/${c}`).sort();
    const degraded = h.receiver.events.filter((e) => e.detailType === 'Source Degraded');
    expect(degraded).toHaveLength(1);
    expect(degraded[0]?.detail).toMatchObject({ scope: clouds[0], scopes: clouds, error: { code: 'http.503' } });
    expect((degraded[0]?.detail as { summary: string }).summary).toMatch(new RegExp(`^${clouds.join(', ')}: http\\.503: `));
    h.zilliz.faults.clear();
    await h.pass();
    const recovered = h.receiver.events.filter((e) => e.detailType === 'Source Recovered');
    expect(recovered).toHaveLength(1);
    expect(recovered[0]?.detail).toMatchObject({ scope: clouds[0], scopes: clouds });
  });
});

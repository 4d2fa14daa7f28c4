/**
 * `Schema Changed` end to end: real passes against the Zilliz simulator, the
 * events as the PutEvents receiver got them. The first pass is the baseline;
 * a field that every region gains, one that every region loses, each announce
 * once, even from concurrent passes; a field missing from one region never
 * does. `GET /sources` lists the known fields.
 */
import { monotonicFactory } from 'ulid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCatalogHandler } from '../../lib/catalog/handler';
import { createLogger } from '../../lib/core/log';
import { listOutbox } from '../../lib/store/publish-state';
import { recordShapeDrift } from '../../lib/sync/shape-drift';
import { freshTable } from '../support/db';
import { call, type TestHandler } from '../support/catalog-event';
import { createHarness, type Harness } from '../support/harness';

interface SchemaDetail {
  source: string;
  field: string;
  change: 'added' | 'removed';
  example?: unknown;
  detectedAt: string;
}

describe('Schema Changed', () => {
  let h: Harness;
  const schemaEvents = () => h.receiver.events.filter((e) => e.detailType === 'Schema Changed').map((e) => e.detail as SchemaDetail);
  const zillizRegions = () => Object.values(h.zilliz.data.regions).flat() as Record<string, unknown>[];

  beforeAll(async () => {
    // The seed's shape: apiBaseUrl on every region, a field the data can take away (today's domain is always answered).
    h = await createHarness({ zillizShape: 'seed' });
  });
  afterAll(async () => {
    await h.close();
  });

  it('sets the baseline on the first pass and announces nothing', async () => {
    await h.pass();
    expect(schemaEvents()).toEqual([]);
    const handler = createCatalogHandler({ store: { doc: h.table.doc, table: h.table.tableName }, corsOrigins: ['*'], revalidateMs: 0, maxAgeSeconds: 30 }) as TestHandler;
    const { fields } = (await call(handler, 'GET', '/sources')).json as { fields: Record<string, string[]> };
    expect(fields.zilliz).toEqual(expect.arrayContaining(['regionId', 'apiBaseUrl']));
    expect(fields.modelarts).toEqual(expect.arrayContaining(['region_id', 'locales']));
  });

  it('never announces a field missing from a single region', async () => {
    const [one] = zillizRegions();
    delete one!.apiBaseUrl;
    await h.pass();
    await h.pass();
    expect(schemaEvents()).toEqual([]);
  });

  it('announces a field every region gains once, with an example, even from concurrent passes', async () => {
    for (const region of zillizRegions()) region.privateLink = `pl-${String(region.regionId)}`;
    const summaries = await Promise.all([h.pass(), h.pass(), h.pass(), h.pass()]);
    expect(summaries.every((s) => s.ok)).toBe(true);
    await h.pass();
    const events = schemaEvents();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ source: 'zilliz', field: 'privateLink', change: 'added' });
    expect(String(events[0]?.example)).toMatch(/^pl-/);
    expect(Date.parse(events[0]!.detectedAt)).not.toBeNaN();
  });

  it('announces a field that vanishes from every region once', async () => {
    // Every region carries privateLink first (as the test above leaves it; here too when it runs alone).
    for (const region of zillizRegions()) region.privateLink = `pl-${String(region.regionId)}`;
    await h.pass();
    h.receiver.clear();
    // apiBaseUrl was already missing from one region: not universal, so its vanishing is no event either.
    for (const region of zillizRegions()) {
      delete region.apiBaseUrl;
      delete region.privateLink;
    }
    await Promise.all([h.pass(), h.pass(), h.pass()]);
    await h.pass();
    const events = schemaEvents();
    expect(events.map((e) => [e.field, e.change])).toEqual([['privateLink', 'removed']]);
    expect(events[0]).not.toHaveProperty('example');
  });

  it('announces a field that reappears where none had it', async () => {
    h.receiver.clear();
    const [first] = zillizRegions();
    first!.apiBaseUrl = 'https://api.back.example.com';
    await h.pass();
    expect(schemaEvents().map((e) => [e.source, e.field, e.change, e.example])).toEqual([['zilliz', 'apiBaseUrl', 'added', 'https://api.back.example.com']]);
  });
});

describe('recordShapeDrift under contention', () => {
  it('queues each change once when eight passes record the same new shape at the same moment', async () => {
    const table = await freshTable();
    try {
      const store = { doc: table.doc, table: table.tableName };
      const region = (id: string, attributes: Record<string, string>) => ({
        id: `zilliz:${id}`, source: 'zilliz' as const, cloudId: 'aws', regionId: id, name: id, localizedNames: {}, apiBaseUrl: `https://${id}`, attributes,
      });
      const results = (attributes: Record<string, string>) => [
        { scope: 'zilliz/aws', source: 'zilliz' as const, ok: true as const, regions: [region('aws-a', attributes), region('aws-b', attributes)] },
      ];
      const log = createLogger({}, () => undefined);
      const run = (attributes: Record<string, string>) =>
        recordShapeDrift({ store, log, results: results(attributes), uncommitted: new Map(), at: new Date().toISOString(), newId: monotonicFactory(), expiresAt: 2_000_000_000 });
      expect(await run({ domain: 'd' })).toBe(0);
      const queued = await Promise.all(Array.from({ length: 8 }, () => run({ domain: 'd', privateLink: 'p', zone: 'z' })));
      expect(queued.reduce((a, b) => a + b, 0)).toBe(2);
      const outbox = (await listOutbox(store)).map((o) => JSON.parse(o.detail) as { field: string; change: string });
      expect(outbox.map((d) => `${d.field}:${d.change}`).sort()).toEqual(['privateLink:added', 'zone:added']);
    } finally {
      await table.drop();
    }
  });
});

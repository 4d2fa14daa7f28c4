/**
 * Every DetailType the sync emits, produced by real passes against the
 * simulators (added, changed, removed, a new upstream field, a scope failing
 * and recovering, a mass removal held), validated with ajv 8 (2020-12) against
 * the schema a live catalog serves at `GET /schemas/{detailType}`. The whole
 * suite's events are validated too, at the end of the run (test/support/global-setup).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCatalogHandler } from '../../lib/catalog/handler';
import { listDetailTypes } from '../../lib/core/event-schemas';
import { startHttpAdapter } from '../../local/http-adapter';
import { createHarness, type Harness } from '../support/harness';
import { problemsOf, validatorsFrom, type DetailValidators } from '../support/event-validator';

/** DetailTypes only a deployment parameter makes the sync emit. */
const OPTIONAL = new Set(['Catalog Published']);

let h: Harness;
let api: Awaited<ReturnType<typeof startHttpAdapter>>;
let validators: DetailValidators;

beforeAll(async () => {
  h = await createHarness({ env: { REMOVAL_HOLD_PASSES: '3' } });
  const handler = createCatalogHandler({ store: { doc: h.table.doc, table: h.table.tableName }, corsOrigins: ['*'], revalidateMs: 0, maxAgeSeconds: 0 });
  api = await startHttpAdapter({ handler });
  validators = await validatorsFrom(api.url);
});
afterAll(async () => {
  await api?.close();
  await h?.close();
});

describe('published event schemas', () => {
  it('serves one schema per DetailType of lib/core, as application/schema+json with an ETag that answers 304', async () => {
    const list = (await (await fetch(`${api.url}/schemas`)).json()) as { schemas: { detailType: string; url: string }[] };
    expect(list.schemas.map((s) => s.detailType)).toEqual(listDetailTypes());
    const first = await fetch(`${api.url}/schemas/Region%20Changed`);
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toBe('application/schema+json');
    const etag = first.headers.get('etag') ?? '';
    expect((await fetch(`${api.url}/schemas/Region%20Changed`, { headers: { 'if-none-match': etag } })).status).toBe(304);
    expect((await fetch(`${api.url}/schemas/region.changed`)).headers.get('etag')).toBe(etag);
    const missing = await fetch(`${api.url}/schemas/Nothing%20Here`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toBe('application/problem+json');
  });

  it('every event of every DetailType the passes emit validates against its published schema', async () => {
    await h.pass(); // every region added
    const [aws] = h.zilliz.data.regions.aws ?? [];
    if (!aws) throw new Error('no sample AWS region');
    // A changed value and a field no answer carried before: Region Changed and Schema Changed.
    h.zilliz.updateRegion('aws', aws.regionId, { apiBaseUrl: 'https://changed.example', tier: { level: 2, tags: ['a', null] } });
    await h.pass();
    h.zilliz.removeRegion('gcp', (h.zilliz.data.regions.gcp ?? [])[0]?.regionId ?? '');
    await h.pass();
    h.modelarts.faults.push({ kind: 'status', status: 503 }, { times: Infinity, match: { path: /custom-endpoint/ } });
    await h.pass(); // Source Degraded
    h.modelarts.faults.clear();
    await h.pass(); // Source Recovered
    h.zilliz.faults.push({ kind: 'short-list', keep: 1 }, { times: Infinity, match: { path: /regions/ } });
    await h.pass(); // Removals Held
    h.zilliz.faults.clear();

    const events = h.receiver.events;
    const problems = events.flatMap((e) => problemsOf(validators, e.detailType, e.detail));
    expect(problems).toEqual([]);
    const seen = new Set(events.map((e) => e.detailType));
    expect(listDetailTypes().filter((t) => !OPTIONAL.has(t) && !seen.has(t))).toEqual([]);
  });

  it('a detail that breaks its schema fails validation (the check can fail)', () => {
    expect(problemsOf(validators, 'Source Degraded', { scope: 'zilliz/aws', source: 'zilliz', at: 'yesterday' })).not.toEqual([]);
    expect(problemsOf(validators, 'Region Added', { id: 'x', type: 'region.removed' })).not.toEqual([]);
    expect(problemsOf(validators, 'No Such Type', {})).toEqual(['No Such Type: no published schema']);
  });
});

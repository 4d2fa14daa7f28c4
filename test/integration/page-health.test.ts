/**
 * The page's health after passes that commit nothing: a scope failing, failing
 * again, then recovering changes no catalog version, yet each changes what the
 * page shows and so its ETag: a client revalidating with the tag it held gets
 * the new page, never a 304 with the old health. The truth is the fault armed
 * on the simulator (which scope fails, how many times in a row).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createCatalogHandler } from '../../lib/catalog/handler';
import { call, type TestHandler } from '../support/catalog-event';
import { createHarness, type Harness } from '../support/harness';

let h: Harness;
let api: TestHandler;

beforeAll(async () => {
  h = await createHarness();
  // A warm catalog that is not even revalidated: the version cannot move, the health must still show.
  api = createCatalogHandler({ store: { doc: h.table.doc, table: h.table.tableName }, corsOrigins: ['*'], revalidateMs: 3_600_000, maxAgeSeconds: 30 }) as TestHandler;
});
afterAll(() => h?.close());

/** The health row of the ModelArts scope as the page shows it: status and consecutive failures. */
function modelartsRow(html: string): { status: string; failures: number } | undefined {
  const m =
    /<th scope="row">modelarts\/[0-9a-z]{32}<\/th><td data-label="Status"><span class="badge s-([a-z-]+)">.*?<\/td><td data-label="Regions">\d+<\/td><td data-label="Last success">.*?<\/td><td data-label="Consecutive failures">(\d+)<\/td>/.exec(
      html,
    );
  return m ? { status: m[1]!, failures: Number(m[2]) } : undefined;
}

it('a pass that commits nothing but fails, fails again or recovers a scope gives the page a new health and a new tag', async () => {
  expect((await h.pass()).ok).toBe(true);
  const first = await call(api, 'GET', '/');
  expect(first.status).toBe(200);
  expect(modelartsRow(first.text)).toEqual({ status: 'ok', failures: 0 });
  const tags = [first.headers.etag!];

  h.modelarts.faults.push({ kind: 'status', status: 503 }, { times: Infinity, match: { path: /custom-endpoint/ } });
  for (const failures of [1, 2]) {
    const summary = await h.pass();
    expect(summary.sequences).toEqual([]);
    const page = await call(api, 'GET', '/', { 'if-none-match': tags.at(-1)! });
    expect(page.status, `after failure ${failures}`).toBe(200);
    expect(modelartsRow(page.text)).toEqual({ status: 'degraded', failures });
    tags.push(page.headers.etag!);
  }

  h.modelarts.faults.clear();
  expect((await h.pass()).sequences).toEqual([]);
  const recovered = await call(api, 'GET', '/', { 'if-none-match': tags.at(-1)! });
  expect(recovered.status).toBe(200);
  expect(modelartsRow(recovered.text)).toEqual({ status: 'ok', failures: 0 });
  tags.push(recovered.headers.etag!);

  // Four different health states, four different tags; the version never moved.
  expect(new Set(tags).size).toBe(4);
  expect(new Set(tags.map((t) => /^"v(\d+)-/.exec(t)?.[1])).size).toBe(1);
  // And the tag still holds while nothing changes.
  expect((await call(api, 'GET', '/', { 'if-none-match': tags.at(-1)! })).status).toBe(304);
});

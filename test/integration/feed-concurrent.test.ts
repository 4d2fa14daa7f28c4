/**
 * The change feed read one change at a time while real sync passes commit:
 * a client that always follows `next` sees every change exactly once, in
 * commit order.
 */
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createCatalogHandler } from '../../lib/catalog/handler';
import { createHarness, type Harness } from '../support/harness';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h.close();
});

it('pages with limit=1 while passes commit, holding every change exactly once', async () => {
  const handler = createCatalogHandler({ store: { doc: h.table.doc, table: h.table.tableName }, corsOrigins: ['*'], revalidateMs: 0, maxAgeSeconds: 30 });
  const seen: string[] = [];
  let cursor = '';
  let done = false;

  const read = async () => {
    const query: Record<string, string> = cursor ? { since: cursor, limit: '1' } : { limit: '1' };
    const rawQueryString = new URLSearchParams(query).toString();
    const res = (await handler(
      {
        version: '2.0', routeKey: '$default', rawPath: '/changes', rawQueryString, queryStringParameters: query, headers: {},
        requestContext: { http: { method: 'GET', path: '/changes', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 't' } },
        isBase64Encoded: false,
      } as never,
      {} as Context,
    )) as { statusCode: number; body: string };
    expect(res.statusCode).toBe(200);
    const body = JSON.parse(res.body) as { changes: { id: string }[]; next: string };
    expect(body.next).toBeTruthy();
    seen.push(...body.changes.map((c) => c.id));
    cursor = body.next;
    return body.changes.length;
  };

  const reader = (async () => {
    while (!done) if ((await read()) === 0) await new Promise((r) => setTimeout(r, 5));
    while ((await read()) > 0);
  })();

  for (let i = 0; i < 6; i++) {
    h.zilliz.addRegion('gcp', { cloudId: 'gcp', regionId: `gcp-test-${i}` });
    h.modelarts.updateRegion('cn-east-4', { locales: { en_us: `CN East ${i}` } });
    if (i % 2) h.zilliz.removeRegion('gcp', `gcp-test-${i - 1}`);
    await h.pass();
  }
  done = true;
  await reader;

  const committed = (await h.committedChanges()).map((c) => c.id);
  expect(committed.length).toBeGreaterThan(25 + 12);
  expect(seen).toEqual(committed);
});

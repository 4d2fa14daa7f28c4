// Property: whatever the method, path, query and headers, the catalog function
// never answers 5xx, and every error it gives is application/problem+json.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCatalogHandler } from '../../lib/catalog/handler';
import { encodeCursor } from '../../lib/catalog/cursor';
import { call, type TestHandler } from '../support/catalog-event';
import { freshTable } from '../support/db';
import { T0, makeChange, makeRegion, seed } from '../support/seed';

type Table = Awaited<ReturnType<typeof freshTable>>;

let table: Table;
let handler: TestHandler;

beforeAll(async () => {
  table = await freshTable();
  const regions = [makeRegion('zilliz', 'aws-us-west-2'), makeRegion('zilliz', 'gcp-us-west1'), makeRegion('modelarts', 'cn-north-4')];
  await seed(table.doc, table.tableName, {
    seq: { value: 2, committedAt: T0 },
    regions,
    scopes: [{ sk: 'zilliz/aws', regionCount: 1 }],
    statuses: [{ sk: 'zilliz/aws', lastAttemptAt: T0, lastSuccessAt: T0, consecutiveFailures: 0 }],
    changesets: [
      { seq: 1, changes: regions.map((r) => makeChange('region.added', r)) },
      { seq: 2, changes: [makeChange('region.changed', regions[0]!)] },
    ],
  });
  handler = createCatalogHandler({ store: { doc: table.doc, table: table.tableName }, corsOrigins: ['*'], revalidateMs: 1_000, maxAgeSeconds: 30 }) as TestHandler;
});
afterAll(() => table?.drop());

const oddPieces = ['..', '.', '%2e%2e', '%2F', '%2f..%2f', '%00', '%', '%E0%A4%A', '%ZZ', '__proto__', 'constructor', '{source}', '*', ' ', '\u0000', 'é', '😀', ';', '?'];
const segment = fc.oneof(
  fc.constantFrom('regions', 'sources', 'changes', 'openapi.json', 'zilliz', 'modelarts', 'aws-us-west-2', 'cn-north-4', ...oddPieces),
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 8 }),
  fc.webSegment(),
);
const path = fc.oneof(
  fc.constantFrom('/regions', '/regions/', '/sources', '/changes', '/openapi.json', '/regions/zilliz/aws-us-west-2', '/', ''),
  fc.array(segment, { minLength: 1, maxLength: 5 }).map((parts) => `/${parts.join('/')}`),
  fc.tuple(fc.constantFrom('zilliz', 'modelarts', 'foo', '%2e%2e'), segment).map(([s, r]) => `/regions/${s}/${r}`),
  fc.string({ maxLength: 1_200 }).map((s) => `/${s}`),
);
const cursor = fc.oneof(
  fc.tuple(fc.nat({ max: 5 }), fc.integer({ min: -1, max: 5 })).map(([seq, index]) => encodeCursor({ seq, index })),
  fc.string({ maxLength: 40 }),
  fc.base64String({ maxLength: 40 }),
);
const queryValue = fc.oneof(
  fc.constantFrom('zilliz', 'modelarts', 'aws', 'gcp,aws', 'zilliz,foo', '1', '0', '500', '501', 'abc', '1.5', '-1', '', ',', ',,,'),
  fc.string({ maxLength: 30 }),
  fc.string({ unit: 'binary', maxLength: 30 }),
  cursor,
);
const query = fc
  .array(fc.tuple(fc.constantFrom('source', 'cloudId', 'since', 'limit', 'x', '__proto__', 'constructor', ''), queryValue), { maxLength: 5 })
  .chain((pairs) =>
    fc.oneof(
      fc.constant(pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&')),
      fc.constant(pairs.map(([k, v]) => `${k}=${v}`).join('&')), // raw, possibly malformed
      fc.string({ maxLength: 5_000 }),
    ),
  );
const headers = fc.record(
  {
    'if-none-match': fc.oneof(fc.constantFrom('*', 'W/"v2-x"', '"', '""', ',,,'), fc.string({ maxLength: 60 })),
    'accept-encoding': fc.oneof(fc.constantFrom('gzip', 'br', 'gzip, br', 'br;q=0', '*;q=0', 'identity', 'br;q=abc', ';;;'), fc.string({ maxLength: 40 })),
    origin: fc.oneof(fc.constant('https://app.example.com'), fc.string({ maxLength: 40 })),
    'access-control-request-method': fc.constantFrom('GET', 'POST', ''),
  },
  { requiredKeys: [] },
);
const method = fc.oneof(
  { weight: 5, arbitrary: fc.constant('GET') },
  { weight: 3, arbitrary: fc.constantFrom('HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE', 'get', 'FOO', '__proto__', 'constructor') },
);

describe('fuzzed requests', () => {
  it('never answer 5xx, and every error is problem+json', async () => {
    await fc.assert(
      fc.asyncProperty(method, path, query, headers, async (m, p, q, h) => {
        const url = q ? `${p}?${q}` : p;
        const res = await call(handler, m, url, h as Record<string, string>);
        expect(res.status, `${m} ${url}`).toBeLessThan(500);
        expect([200, 204, 304].includes(res.status) || (res.status >= 400 && res.status < 500)).toBe(true);
        if (res.status >= 400) {
          expect(res.headers['content-type']).toBe('application/problem+json');
          // HEAD answers carry no body, an error's included.
          if (m === 'HEAD') expect(res.text).toBe('');
          else expect(res.json).toMatchObject({ status: res.status, type: expect.any(String), title: expect.any(String) });
        } else if (res.status === 200 && m === 'GET') {
          // JSON, or one of the routes for people (the page and its assets, the Atom feed).
          if (res.headers['content-type'] === 'application/json') expect(res.json).toBeDefined();
          else expect(res.headers['content-type']).toMatch(/^(text\/html|application\/atom\+xml|text\/css|text\/javascript); charset=utf-8$/);
        }
      }),
      { numRuns: 1_200 },
    );
  }, 120_000);
});

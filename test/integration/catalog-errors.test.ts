// Every bad request answers a 4xx application/problem+json, never a 5xx; a
// DynamoDB failure answers a 500 that says nothing internal; CORS and 405.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
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
  const region = makeRegion('zilliz', 'aws-us-west-2');
  await seed(table.doc, table.tableName, {
    seq: { value: 2, committedAt: T0 },
    regions: [region],
    changesets: [
      { seq: 1, changes: [makeChange('region.added', region)] },
      { seq: 2, changes: [makeChange('region.changed', region)] },
    ],
  });
  handler = createCatalogHandler({ store: { doc: table.doc, table: table.tableName }, corsOrigins: ['*'], revalidateMs: 0, maxAgeSeconds: 30 }) as TestHandler;
});
afterAll(() => table?.drop());

const good = encodeCursor({ seq: 1, index: 0 });
const tampered = Buffer.from(Buffer.from(good, 'base64url').toString().replace('1.1.0.', '1.2.0.')).toString('base64url');

const badRequests: [string, string, number, RegExp | undefined][] = [
  ['GET', '/regions?source=foo', 400, /^source: unknown source 'foo'; expected zilliz or modelarts$/],
  ['GET', '/regions?source=zilliz,Modelarts', 400, /^source:/],
  ['GET', '/regions?cloudId=a%20b', 400, /^cloudId:/],
  ['GET', '/regions?cloudId=%3Cscript%3E', 400, /^cloudId:/],
  ['GET', '/regions?cloudId=aws%00', 400, /^cloudId:/],
  ['GET', `/regions?cloudId=${'a'.repeat(65)}`, 400, /^cloudId:/],
  ['GET', `/regions?source=${Array(21).fill('zilliz').join(',')}`, 400, /^source: at most 20/],
  ['GET', '/regions/foo/aws-us-west-2', 400, /^source:/],
  ['GET', '/regions/zilliz/aws%20us', 400, /^regionId:/],
  ['GET', '/regions/zilliz/%E0%A4%A', 400, /^regionId: malformed/],
  ['GET', `/regions/zilliz/${'a'.repeat(129)}`, 400, /^regionId:/],
  ['GET', '/regions/zilliz/..%2F..%2Fetc%2Fpasswd', 400, /^regionId:/],
  ['GET', '/regions/%2e%2e/%2e%2e', 400, /^source:/],
  ['GET', '/regions/zilliz/%2e%2e', 404, undefined],
  ['GET', '/..%2F..%2Fetc%2Fpasswd', 404, undefined],
  ['GET', '/regions/../sources', 400, /^source:/],
  ['GET', '/changes?limit=0', 400, /^limit:/],
  ['GET', '/changes?limit=501', 400, /^limit:/],
  ['GET', '/changes?limit=abc', 400, /^limit:/],
  ['GET', '/changes?limit=1.5', 400, /^limit:/],
  ['GET', '/changes?limit=-3', 400, /^limit:/],
  ['GET', '/changes?since=garbage', 400, /^since:/],
  ['GET', '/changes?since=%00%01', 400, /^since:/],
  ['GET', `/changes?since=${tampered}`, 400, /^since:/],
  ['GET', `/changes?since=${good.slice(0, -2)}`, 400, /^since:/],
  ['GET', `/changes?since=${encodeCursor({ seq: 3, index: 0 })}`, 400, /^since:.*ahead/],
  ['GET', `/regions?q=${'x'.repeat(10_000)}`, 414, /query string/],
  ['GET', `/regions/zilliz/${'a'.repeat(1_100)}`, 414, /path/],
  ['GET', '/nope', 404, undefined],
  ['GET', '/index.html', 404, undefined],
  ['GET', '/Regions', 404, undefined],
  ['GET', '/regions/zilliz', 404, undefined],
  ['GET', '/regions/zilliz/a/b', 404, undefined],
  ['POST', '/regions', 405, undefined],
  ['PUT', '/regions/zilliz/aws-us-west-2', 405, undefined],
  ['DELETE', '/sources', 405, undefined],
  ['PATCH', '/changes', 405, undefined],
  ['POST', '/openapi.json', 405, undefined],
  ['OPTIONS', '/regions', 405, undefined],
  ['TRACE', '/regions', 405, undefined],
  ['POST', '/nope', 404, undefined],
];

describe('bad requests', () => {
  it.each(badRequests)('%s %s answers %i problem+json', async (method, url, status, detail) => {
    const res = await call(handler, method, url);
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toBe('application/problem+json');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.json).toMatchObject({ status, title: expect.any(String), type: expect.stringMatching(/^https:\/\/region-sync\.dev\/problems\//) });
    if (detail) expect((res.json as { detail: string }).detail).toMatch(detail);
    if (status === 405) expect(res.headers.allow).toBe('GET, HEAD');
  });
});

describe('server errors', () => {
  it('a failing DynamoDB read answers 500 with nothing internal, and logs the cause', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const broken = createCatalogHandler({ store: { doc: table.doc, table: 'no-such-table' }, corsOrigins: ['*'], revalidateMs: 0, maxAgeSeconds: 30 }) as TestHandler;
      for (const url of ['/regions', '/regions/zilliz/aws-us-west-2', '/sources', '/changes']) {
        const res = await call(broken, 'GET', url);
        expect(res.status, url).toBe(500);
        expect(res.headers['content-type']).toBe('application/problem+json');
        expect(res.json).toEqual({ type: 'about:blank', title: 'Internal Server Error', status: 500 });
        expect(res.text).not.toMatch(/no-such-table|ResourceNotFound|at /);
      }
      expect(errors).toHaveBeenCalled();
      expect(String(errors.mock.calls[0]?.[0])).toMatch(/ResourceNotFound|non-existent table/);
    } finally {
      errors.mockRestore();
    }
  });
});

describe('CORS', () => {
  it('answers a preflight on a known path and echoes a configured origin', async () => {
    const cors = createCatalogHandler({
      store: { doc: table.doc, table: table.tableName },
      corsOrigins: ['https://app.example.com'],
      revalidateMs: 0,
      maxAgeSeconds: 30,
    }) as TestHandler;
    const preflight = await call(cors, 'OPTIONS', '/regions', { origin: 'https://app.example.com', 'access-control-request-method': 'GET' });
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe('https://app.example.com');
    expect(preflight.headers['access-control-allow-methods']).toBe('GET, HEAD');
    const allowed = await call(cors, 'GET', '/regions', { origin: 'https://app.example.com' });
    expect(allowed.headers['access-control-allow-origin']).toBe('https://app.example.com');
    expect(allowed.headers['access-control-expose-headers']).toBe('ETag');
    const other = await call(cors, 'GET', '/regions', { origin: 'https://evil.example.com' });
    expect(other.status).toBe(200);
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
    const unknown = await call(cors, 'OPTIONS', '/nope', { origin: 'https://app.example.com', 'access-control-request-method': 'GET' });
    expect(unknown.status).toBe(404);
  });
});

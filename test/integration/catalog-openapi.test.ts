// The OpenAPI document stays true: real answers of every route (200, 304, 400,
// 404, 405, 410, 414, 500), for GET, HEAD and OPTIONS, are validated against
// the response it declares, and every route the router serves is in it.
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createCatalogHandler } from '../../lib/catalog/handler';
import { createRoutes } from '../../lib/catalog/routes';
import { encodeCursor } from '../../lib/catalog/cursor';
import { openapiDocument } from '../../lib/catalog/openapi';
import { call, type Answer, type TestHandler } from '../support/catalog-event';
import { freshTable } from '../support/db';
import { T0, makeChange, makeRegion, seed } from '../support/seed';

type Table = Awaited<ReturnType<typeof freshTable>>;
type Json = Record<string, unknown>;

const doc = openapiDocument() as unknown as Json;
const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });
const compiled = new Map<unknown, ValidateFunction>();

function resolve(node: unknown): Json {
  const ref = (node as { $ref?: string }).$ref;
  if (!ref) return node as Json;
  return ref
    .slice(2)
    .split('/')
    .reduce<unknown>((at, key) => (at as Json)[key.replace(/~1/g, '/').replace(/~0/g, '~')], doc) as Json;
}

function validatorFor(schema: unknown): ValidateFunction {
  let validate = compiled.get(schema);
  if (!validate) {
    // The component schemas ride along so that `#/components/...` refs resolve.
    validate = ajv.compile({ ...(schema as Json), components: (doc as { components: unknown }).components });
    compiled.set(schema, validate);
  }
  return validate;
}

/** Asserts `answer` is a response the document declares for `method` on `path` (a template) and matches its schemas. */
function expectDocumented(answer: Answer, path: string | null, method = 'get'): void {
  const responses = path ? ((resolve((doc.paths as Json)[path]) as Json)[method] as Json).responses as Json : undefined;
  const declared = responses?.[String(answer.status)];
  // A path no route knows cannot be in the document: its 404 is a problem like any other.
  const noRoute = { description: 'no such route', content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } };
  const spec = resolve(declared ?? (answer.status === 404 && !path ? noRoute : undefined) ?? {});
  expect(spec.description, `${path} ${answer.status} is not documented`).toBeDefined();
  for (const [name, header] of Object.entries((spec.headers ?? {}) as Json)) {
    const value = answer.headers[name.toLowerCase()];
    if (value === undefined) continue;
    const validate = validatorFor((header as Json).schema);
    expect(validate(value), `${name}: ${ajv.errorsText(validate.errors)}`).toBe(true);
  }
  if (!spec.content) {
    expect(answer.raw.body ?? '').toBe('');
    return;
  }
  const contentType = answer.headers['content-type'] ?? '';
  const media = (spec.content as Json)[contentType] as Json | undefined;
  expect(media, `${path} ${answer.status} declares no ${contentType}`).toBeDefined();
  const validate = validatorFor(media!.schema);
  expect(validate(answer.json), ajv.errorsText(validate.errors)).toBe(true);
}

let table: Table;
let handler: TestHandler;

beforeAll(async () => {
  table = await freshTable();
  const a = makeRegion('zilliz', 'aws-us-west-2');
  const b = makeRegion('modelarts', 'cn-north-4');
  await seed(table.doc, table.tableName, {
    seq: { value: 3, committedAt: T0 },
    regions: [a, b],
    scopes: [{ sk: 'zilliz/aws', regionCount: 1, hold: { regionIds: ['x'], passes: 1, since: T0 } }],
    statuses: [
      { sk: 'zilliz/aws', lastAttemptAt: T0, lastSuccessAt: T0, consecutiveFailures: 0 },
      { sk: 'modelarts/0123456789abcdef0123456789abcdef', lastAttemptAt: T0, consecutiveFailures: 1, lastError: { code: 'auth', message: 'token rejected', at: T0 } },
    ],
    changesets: [
      { seq: 2, changes: [makeChange('region.added', a), makeChange('region.removed', b)] },
      { seq: 3, changes: [makeChange('region.changed', a, { ...a, name: 'old' })] },
    ],
  });
  handler = createCatalogHandler({ store: { doc: table.doc, table: table.tableName }, corsOrigins: ['*'], revalidateMs: 0, maxAgeSeconds: 30 }) as TestHandler;
});
afterAll(() => table?.drop());

describe('the OpenAPI document', () => {
  it('is OpenAPI 3.1 with valid JSON Schema 2020-12 component schemas', () => {
    expect(openapiDocument().openapi).toBe('3.1.0');
    for (const [name, schema] of Object.entries(openapiDocument().components.schemas)) {
      expect(ajv.validateSchema(schema as object), name).toBe(true);
    }
  });

  const cases: [string, string, Record<string, string>, string | null, number][] = [
    ['/regions', 'GET', {}, '/regions', 200],
    ['/regions?source=zilliz&cloudId=aws', 'GET', { 'accept-encoding': 'gzip' }, '/regions', 200],
    ['/regions?source=nope', 'GET', {}, '/regions', 400],
    [`/regions?x=${'y'.repeat(5_000)}`, 'GET', {}, '/regions', 414],
    ['/regions', 'POST', {}, '/regions', 405],
    ['/regions/zilliz/aws-us-west-2', 'GET', {}, '/regions/{source}/{regionId}', 200],
    ['/regions/zilliz/aws-mars-1', 'GET', {}, '/regions/{source}/{regionId}', 404],
    ['/regions/zilliz/a%2Fb', 'GET', {}, '/regions/{source}/{regionId}', 400],
    ['/regions/zilliz/aws-us-west-2', 'DELETE', {}, '/regions/{source}/{regionId}', 405],
    ['/sources', 'GET', {}, '/sources', 200],
    ['/sources', 'PUT', {}, '/sources', 405],
    ['/changes', 'GET', {}, '/changes', 200],
    ['/changes?limit=1', 'GET', {}, '/changes', 200],
    ['/changes?limit=0', 'GET', {}, '/changes', 400],
    ['/changes?since=nope', 'GET', {}, '/changes', 400],
    [`/changes?since=${encodeCursor({ seq: 2, index: 0 })}`, 'GET', {}, '/changes', 200],
    ['/openapi.json', 'GET', { 'accept-encoding': 'br' }, '/openapi.json', 200],
    ['/nowhere', 'GET', {}, null, 404],
  ];

  it.each(cases)('%s (%s) answers as documented', async (url, method, headers, path, status) => {
    const res = await call(handler, method, url, headers);
    expect(res.status).toBe(status);
    expectDocumented(res, path);
  });

  it('describes GET, HEAD and OPTIONS of every route the router serves, and no other path', () => {
    const served = Object.keys(createRoutes({ store: { doc: table.doc, table: table.tableName }, revalidateMs: 0, maxAgeSeconds: 0 })).sort();
    expect(Object.keys(openapiDocument().paths).sort()).toEqual(served);
    for (const item of Object.values(openapiDocument().paths)) expect(Object.keys(item).sort()).toEqual(['get', 'head', 'options']);
  });

  const heads: [string, string | null, number][] = [
    ['/regions', '/regions', 200],
    ['/regions?source=nope', '/regions', 400],
    ['/regions/zilliz/aws-us-west-2', '/regions/{source}/{regionId}', 200],
    ['/regions/zilliz/aws-mars-1', '/regions/{source}/{regionId}', 404],
    ['/sources', '/sources', 200],
    ['/changes?limit=1', '/changes', 200],
    ['/openapi.json', '/openapi.json', 200],
  ];

  it.each(heads)('HEAD %s answers as documented', async (url, path, status) => {
    const res = await call(handler, 'HEAD', url);
    expect(res.status).toBe(status);
    expect(res.raw.body ?? '').toBe('');
    expectDocumented(res, path, 'head');
  });

  it.each(['/regions', '/regions/zilliz/aws-us-west-2', '/sources', '/changes', '/openapi.json'])('OPTIONS %s answers as documented', async (url) => {
    const path = url.startsWith('/regions/') ? '/regions/{source}/{regionId}' : url;
    const preflight = await call(handler, 'OPTIONS', url, { origin: 'https://app.example.com', 'access-control-request-method': 'GET' });
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-methods']).toBe('GET, HEAD');
    expectDocumented(preflight, path, 'options');
    const plain = await call(handler, 'OPTIONS', url);
    expect(plain.status).toBe(405);
    expectDocumented(plain, path, 'options');
  });

  it.each(['/regions', '/regions/zilliz/aws-us-west-2', '/sources', '/openapi.json'])('%s 304 answers as documented', async (url) => {
    const first = await call(handler, 'GET', url);
    const res = await call(handler, 'GET', url, { 'if-none-match': first.headers.etag! });
    expect(res.status).toBe(304);
    const path = url.startsWith('/regions/') ? '/regions/{source}/{regionId}' : url;
    expectDocumented(res, path);
  });

  it('410 for an expired cursor answers as documented', async () => {
    const expiring = await freshTable();
    try {
      await seed(expiring.doc, expiring.tableName, { seq: { value: 9 }, changesets: [{ seq: 9, changes: [] }] });
      const h = createCatalogHandler({ store: { doc: expiring.doc, table: expiring.tableName }, corsOrigins: ['*'], revalidateMs: 0, maxAgeSeconds: 0 }) as TestHandler;
      const res = await call(h, 'GET', `/changes?since=${encodeCursor({ seq: 3, index: 0 })}`);
      expect(res.status).toBe(410);
      expectDocumented(res, '/changes');
    } finally {
      await expiring.drop();
    }
  });

  it('500 answers as documented', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const broken = createCatalogHandler({ store: { doc: table.doc, table: 'missing-table' }, corsOrigins: ['*'], revalidateMs: 0, maxAgeSeconds: 30 }) as TestHandler;
      for (const [url, path] of [
        ['/regions', '/regions'],
        ['/sources', '/sources'],
        ['/changes', '/changes'],
      ] as const) {
        const res = await call(broken, 'GET', url);
        expect(res.status).toBe(500);
        expectDocumented(res, path);
      }
    } finally {
      errors.mockRestore();
    }
  });
});

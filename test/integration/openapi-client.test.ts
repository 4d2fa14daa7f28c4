/**
 * The HTTP contract as a generated client sees it: types generated with
 * openapi-typescript from the document a live catalog serves, a typed
 * openapi-fetch client compiled by `tsc --strict` (no skipLibCheck), then run
 * against that catalog. The filters are typed from their enums (a wrong source
 * does not compile), `attributes` compiles (no recursive JsonValue, TS2502),
 * and the answers the client reads are the ones the types promise.
 */
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import openapiTS, { astToString } from 'openapi-typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCatalogHandler } from '../../lib/catalog/handler';
import { startHttpAdapter } from '../../local/http-adapter';
import { createHarness, type Harness } from '../support/harness';

const ROOT = new URL('../..', import.meta.url).pathname;
let h: Harness;
let api: Awaited<ReturnType<typeof startHttpAdapter>>;
let dir: string;

const CLIENT = `
import createClient from 'openapi-fetch';
import type { paths, components } from './schema';

type Region = components['schemas']['Region'];
const client = createClient<paths>({ baseUrl: process.argv[2], querySerializer: { array: { style: 'form', explode: false } } });

async function main(): Promise<void> {
  const regions = await client.GET('/regions', { params: { query: { source: ['zilliz'], cloudId: ['aws', 'gcp'] } } });
  if (!regions.data) throw new Error('regions: ' + JSON.stringify(regions.error));
  const first: Region | undefined = regions.data.regions[0];
  const attributes: Record<string, unknown> = first?.attributes ?? {};
  const one = await client.GET('/regions/{source}/{regionId}', { params: { path: { source: 'zilliz', regionId: first?.regionId ?? '' } } });
  const sources = await client.GET('/sources');
  const statuses: ('zilliz' | 'modelarts')[] = (sources.data?.sources ?? []).map((s) => s.source);
  const changes = await client.GET('/changes', { params: { query: { type: ['region.added'], source: ['zilliz', 'modelarts'], limit: 5 } } });
  const bad = await client.GET('/changes', { params: { query: { limit: 0 } } });
  const schema = await client.GET('/schemas/{detailType}', { params: { path: { detailType: 'Region Changed' } } });
  process.stdout.write(JSON.stringify({
    count: regions.data.count,
    sources: [...new Set(regions.data.regions.map((r) => r.source))],
    clouds: [...new Set(regions.data.regions.map((r) => r.cloudId))].sort(),
    attributes: typeof attributes,
    one: one.data?.id,
    statuses: [...new Set(statuses)].sort(),
    changes: changes.data?.changes.map((c) => c.type),
    next: typeof changes.data?.next,
    badStatus: bad.response.status,
    badDetail: bad.error?.detail,
    schemaType: schema.response.headers.get('content-type'),
  }));
}
void main();
`;

/** Must not compile: a source the API does not have. */
const WRONG = `
import createClient from 'openapi-fetch';
import type { paths } from './schema';
const client = createClient<paths>({ baseUrl: 'http://127.0.0.1' });
void client.GET('/regions', { params: { query: { source: ['foo'] } } });
`;

function tsc(files: string[]): { status: number | null; output: string } {
  const run = spawnSync(
    process.execPath,
    [join(ROOT, 'node_modules/typescript/bin/tsc'), '--strict', '--noEmit', '--target', 'es2022', '--module', 'esnext', '--moduleResolution', 'bundler', '--lib', 'es2022,dom', '--types', 'node', ...files],
    { cwd: dir, encoding: 'utf8', timeout: 120_000 },
  );
  return { status: run.status, output: run.stdout + run.stderr };
}

beforeAll(async () => {
  h = await createHarness();
  await h.pass();
  api = await startHttpAdapter({ handler: createCatalogHandler({ store: { doc: h.table.doc, table: h.table.tableName }, corsOrigins: ['*'], revalidateMs: 0, maxAgeSeconds: 0 }) });
  mkdirSync(join(ROOT, '.esbuild'), { recursive: true });
  // Inside the repository, so the client resolves openapi-fetch from its node_modules.
  dir = mkdtempSync(join(ROOT, '.esbuild', 'openapi-client-'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
  const document = (await (await fetch(`${api.url}/openapi.json`)).json()) as object;
  writeFileSync(join(dir, 'schema.ts'), astToString(await openapiTS(document as never)));
  writeFileSync(join(dir, 'client.ts'), CLIENT);
  writeFileSync(join(dir, 'wrong.ts'), WRONG);
}, 120_000);
afterAll(async () => {
  await api?.close();
  await h?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('a generated client of the served OpenAPI document', () => {
  it('compiles with tsc --strict, no skipLibCheck', () => {
    const run = tsc(['schema.ts', 'client.ts']);
    expect(run.output).toBe('');
    expect(run.status).toBe(0);
  }, 120_000);

  it('rejects at compile time a source the API does not have', () => {
    const run = tsc(['schema.ts', 'wrong.ts']);
    expect(run.status).not.toBe(0);
    expect(run.output).toMatch(/wrong\.ts.*"foo"/s);
  }, 120_000);

  it('runs against the live catalog and reads what the types promise', async () => {
    // Asynchronously: the catalog answering it runs in this very process.
    const { stdout: out } = await promisify(execFile)(process.execPath, [join(ROOT, 'node_modules/tsx/dist/cli.mjs'), 'client.ts', api.url], { cwd: dir, encoding: 'utf8', timeout: 150_000 });
    const result = JSON.parse(out) as Record<string, unknown>;
    expect(result).toMatchObject({
      sources: ['zilliz'],
      clouds: ['aws', 'gcp'],
      attributes: 'object',
      statuses: ['modelarts', 'zilliz'],
      next: 'string',
      badStatus: 400,
      schemaType: 'application/schema+json',
    });
    expect(result.count).toBe(18);
    expect(result.one).toMatch(/^zilliz:/);
    expect(result.changes).toEqual(['region.added', 'region.added', 'region.added', 'region.added', 'region.added']);
    expect(String(result.badDetail)).toMatch(/^limit: /);
  }, 180_000);
});

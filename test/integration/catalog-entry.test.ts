/**
 * The catalog function's entry point (functions/catalog.ts) reads its
 * configuration at module load: a good environment serves from the configured
 * table, and a bad setting fails the cold start itself, naming the variable,
 * rather than answering 500 to every request.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { call, type TestHandler } from '../support/catalog-event';
import { freshTable } from '../support/db';
import { makeRegion, seed } from '../support/seed';

const entry = fileURLToPath(new URL('../../functions/catalog.ts', import.meta.url));
const tsx = fileURLToPath(new URL('../../node_modules/tsx/dist/loader.mjs', import.meta.url));

let table: Awaited<ReturnType<typeof freshTable>>;
beforeAll(async () => {
  table = await freshTable();
  await seed(table.doc, table.tableName, { seq: { value: 5 }, regions: [makeRegion('zilliz', 'aws-us-west-2'), makeRegion('modelarts', 'cn-north-4')] });
});
afterAll(() => table?.drop());

/** Imports the entry point in a fresh process, the way Lambda's init does. */
function coldStart(env: Record<string, string>) {
  const script = `await import(${JSON.stringify(entry)}); process.stdout.write('loaded');`;
  const { PATH, HOME } = process.env;
  return spawnSync(process.execPath, ['--import', tsx, '--input-type=module', '-e', script], {
    env: { PATH, HOME, NODE_NO_WARNINGS: '1', AWS_REGION: 'us-east-1', ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
}

describe('the catalog entry point', () => {
  it('serves with the configuration of the environment it was loaded in', async () => {
    vi.resetModules();
    vi.stubEnv('TABLE_NAME', table.tableName);
    vi.stubEnv('DYNAMODB_ENDPOINT', table.endpoint);
    vi.stubEnv('CORS_ORIGINS', 'https://app.example.com');
    try {
      const { handler } = await import('../../functions/catalog');
      const res = await call(handler as TestHandler, 'GET', '/regions', { origin: 'https://app.example.com' });
      expect(res.status).toBe(200);
      expect(res.json).toMatchObject({ version: '5', count: 2 });
      expect(res.headers['access-control-allow-origin']).toBe('https://app.example.com');
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('loads with a valid environment', () => {
    const run = coldStart({ TABLE_NAME: table.tableName, DYNAMODB_ENDPOINT: table.endpoint });
    expect(run.stderr).not.toMatch(/Error/);
    expect(run.stdout).toBe('loaded');
    expect(run.status).toBe(0);
  });

  it.each([
    [{ TABLE_NAME: 'region-sync-test', CORS_ORIGINS: 'ftp://nope' }, 'CORS_ORIGINS: expected * or a comma list of origins such as https://app.example.com'],
    [{}, 'TABLE_NAME: required but not set'],
  ])('fails its cold start on a bad setting, naming the variable (%o)', (env, line) => {
    const run = coldStart(env);
    expect(run.status).not.toBe(0);
    expect(run.stdout).not.toContain('loaded');
    // The error Lambda's init reports: the ConfigError with its one-line message.
    expect(run.stderr.split('\n')).toContain(`ConfigError: ${line}`);
  });
});

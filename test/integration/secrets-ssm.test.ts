/**
 * Secrets from SSM, end to end: the real sync handler reads SecureString
 * parameters from the local SSM receiver with the real SSMClient, authenticates
 * to both simulators with them, caches them across invocations, and never lets
 * a value reach a log line, a metric line, an event or its answer.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Context } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../lib/core/config';
import { createLogger } from '../../lib/core/log';
import { createSecretStore, secretSettings, SecretsError } from '../../lib/sync/secrets';
import { clearTokenCache } from '../../lib/sync/sources/huawei-iam';
import type { PassSummary } from '../../lib/sync/pass';
import { prepareSyncHandler } from '../../lib/sync/handler';
import { startEventReceiver, type EventReceiver } from '../../local/event-receiver';
import { startModelartsSimulator, startZillizSimulator, type ModelartsSimulator, type ZillizSimulator } from '../../local/simulators';
import { startSsmReceiver, type SsmReceiver } from '../../local/ssm-receiver';
import { freshTable, type FreshTable } from '../support/db';

// Values that exist only in SSM: no plain variable, no simulator default.
const ZILLIZ_KEY = 'zk-from-ssm-7f3a9c2e5b1d4f60a8e2c4b6';
const HUAWEI_PASSWORD = 'Hw"pass\\from-ssm-91c3e7';
const PARAMS = { zilliz: '/region-sync/test/zilliz-api-key', huawei: '/region-sync/test/huawei-password' };

interface Bench {
  table: FreshTable;
  zilliz: ZillizSimulator;
  modelarts: ModelartsSimulator;
  receiver: EventReceiver;
  ssm: SsmReceiver;
  /** The deployed function's environment: parameter names only. */
  env: Record<string, string>;
  lines: string[];
}

let b: Bench;
beforeEach(async () => {
  clearTokenCache();
  const [table, zilliz, modelarts, receiver, ssm] = await Promise.all([
    freshTable(),
    startZillizSimulator({ apiKey: ZILLIZ_KEY }),
    startModelartsSimulator({ password: HUAWEI_PASSWORD }),
    startEventReceiver(),
    startSsmReceiver({ parameters: { [PARAMS.zilliz]: ZILLIZ_KEY, [PARAMS.huawei]: HUAWEI_PASSWORD } }),
  ]);
  const env = {
    TABLE_NAME: table.tableName,
    DYNAMODB_ENDPOINT: table.endpoint,
    EVENT_BUS_NAME: 'region-sync-test',
    EVENTBRIDGE_ENDPOINT: receiver.endpoint,
    SSM_ENDPOINT: ssm.endpoint,
    ZILLIZ_BASE_URL: zilliz.url,
    ZILLIZ_API_KEY_PARAM: PARAMS.zilliz,
    MODELARTS_ENDPOINT: modelarts.url,
    HUAWEI_PROJECT_ID: modelarts.projectId,
    HUAWEI_IAM_ENDPOINT: modelarts.url,
    HUAWEI_DOMAIN_NAME: modelarts.domainName,
    HUAWEI_USERNAME: modelarts.username,
    HUAWEI_PASSWORD_PARAM: PARAMS.huawei,
    UPSTREAM_TIMEOUT_MS: '800',
    UPSTREAM_RETRIES: '1',
    PASS_DEADLINE_MS: '4000',
    METRICS_SERVICE: 'region-sync-test',
  };
  b = { table, zilliz, modelarts, receiver, ssm, env, lines: [] };
});
afterEach(async () => {
  await Promise.all([b.zilliz.close(), b.modelarts.close(), b.receiver.close(), b.ssm.close()]);
  await b.table.drop();
});

const context = (id: string) => ({ functionName: 'sync', awsRequestId: id }) as Context;

/** The entry point's handler (prepareSyncHandler, as functions/sync.ts), logging and writing metrics into `b.lines`. */
function handler(env: Record<string, string> = b.env) {
  const sink = (line: string) => b.lines.push(line);
  return prepareSyncHandler({ env, log: createLogger({ function: 'sync' }, sink, 'debug'), metricsSink: sink, pass: { backoffMs: 5, publish: { backoffMs: 5 } } });
}

function expectNoSecret(text: string): void {
  for (const secret of [ZILLIZ_KEY, HUAWEI_PASSWORD, JSON.stringify(HUAWEI_PASSWORD).slice(1, -1)]) expect(text).not.toContain(secret);
}

describe('secrets from SSM', () => {
  it('authenticates a whole pass to both sources with secrets that came only from SSM', async () => {
    expect(b.env).not.toHaveProperty('ZILLIZ_API_KEY');
    expect(b.env).not.toHaveProperty('HUAWEI_PASSWORD');
    const run = handler();
    const summary = (await run({}, context('first'))) as PassSummary;

    expect(summary.scopes.length).toBeGreaterThan(1);
    expect(summary.scopes.filter((s) => s.outcome === 'failed')).toEqual([]);
    expect(summary.ok).toBe(true);
    expect(b.receiver.events.length).toBe(summary.changes);
    const bearer = b.zilliz.requests.map((r) => r.headers.authorization);
    expect(bearer.length).toBeGreaterThan(0);
    expect(new Set(bearer)).toEqual(new Set([`Bearer ${ZILLIZ_KEY}`]));
    const logins = b.modelarts.requests.filter((r) => r.path === '/v3/auth/tokens');
    expect(logins).toHaveLength(1);
    expect(JSON.stringify(logins[0]?.body)).toContain(JSON.stringify(HUAWEI_PASSWORD));
  });

  it('reads SSM once across two invocations thanks to the cache', async () => {
    const run = handler();
    expect(b.ssm.calls).toBe(0);
    await run({}, context('first'));
    expect(b.ssm.calls).toBe(1);
    const second = (await run({}, context('second'))) as PassSummary;
    expect(second.ok).toBe(true);
    expect(second.scopes.every((s) => s.outcome === 'unchanged')).toBe(true);
    expect(b.ssm.calls).toBe(1);
  });

  it('never lets a secret reach a log line, a metric line, an event or the answer', async () => {
    const run = handler();
    await run({}, context('first'));
    // An upstream that echoes the key back in its error, and a log call handed the raw values.
    b.zilliz.faults.push({ kind: 'business-error', code: 80001, message: `invalid key ${ZILLIZ_KEY}` }, { times: Infinity });
    const summary = (await run({}, context('second'))) as PassSummary;
    expect(summary.scopes.some((s) => s.outcome === 'failed')).toBe(true);
    createLogger({}, (line) => b.lines.push(line)).warn('echo', { key: ZILLIZ_KEY, nested: { password: HUAWEI_PASSWORD } });

    expect(b.lines.some((line) => line.includes('"_aws"'))).toBe(true);
    expect(b.lines.some((line) => line.includes('[REDACTED]'))).toBe(true);
    expectNoSecret(b.lines.join('\n'));
    expectNoSecret(JSON.stringify(summary));
    expectNoSecret(JSON.stringify(b.receiver.events));
  });

  it('logs each pass with its request, pass id and duration, and writes its metrics', async () => {
    const run = handler();
    await run({}, context('req-1'));
    const records = b.lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    const complete = records.find((r) => r.message === 'pass complete');
    expect(complete).toMatchObject({ requestId: 'req-1', coldStart: true, passId: expect.any(String), durationMs: expect.any(Number) });
    const scopeLines = records.filter((r) => r.message === 'scope');
    expect(scopeLines.length).toBeGreaterThan(0);
    for (const line of scopeLines) expect(line).toMatchObject({ passId: complete?.passId, scope: expect.any(String) });
    const metrics = records.filter((r) => '_aws' in r);
    expect(metrics[0]).toMatchObject({ Service: 'region-sync-test', passId: complete?.passId, FailedScopes: 0, MaxConsecutiveFailures: 0 });
    expect(metrics.map((m) => m.Source)).toEqual([undefined, 'modelarts', 'zilliz']);
  });

  it('fails the first pass naming a missing parameter, never a value, and reads again on the next', async () => {
    const run = handler({ ...b.env, HUAWEI_PASSWORD_PARAM: '/region-sync/test/missing' });
    const error = await run({}, context('first')).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe('HUAWEI_PASSWORD_PARAM');
    expect((error as Error).message).toBe(
      'HUAWEI_PASSWORD_PARAM: SSM parameter /region-sync/test/missing not found; create it with aws ssm put-parameter --type SecureString',
    );
    expectNoSecret((error as Error).message);
    expect(b.receiver.events).toHaveLength(0);

    // Once the operator creates it, the next invocation of the same container reads it and runs.
    b.ssm.set('/region-sync/test/missing', HUAWEI_PASSWORD);
    expect(((await run({}, context('second'))) as PassSummary).ok).toBe(true);
    expect(b.ssm.calls).toBe(2);
  });

  /** Loads the real entry module in a child process, as Lambda does, and invokes it once. */
  async function coldStart(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
    const entry = fileURLToPath(new URL('../../functions/sync.ts', import.meta.url));
    const tsx = fileURLToPath(new URL('../../node_modules/tsx/dist/loader.mjs', import.meta.url));
    const script = `const { handler } = await import(${JSON.stringify(entry)}); console.log('loaded'); await handler({}, { awsRequestId: 'cold' });`;
    const child = spawn(process.execPath, ['--import', tsx, '--input-type=module', '-e', script], {
      env: { ...process.env, ...env, LOG_LEVEL: 'warn', NODE_NO_WARNINGS: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    return { code, output };
  }

  it("fails the real entry module's first invocation naming the missing parameter", async () => {
    const { code, output } = await coldStart({ ...b.env, ZILLIZ_API_KEY_PARAM: '/region-sync/test/nope' });
    expect(code).not.toBe(0);
    expect(output).toContain('loaded');
    expect(output).toContain('ZILLIZ_API_KEY_PARAM: SSM parameter /region-sync/test/nope not found');
    expectNoSecret(output);
  });

  it('fails the real entry module at init on a bad parameter name, before reading SSM', async () => {
    const { code, output } = await coldStart({ ...b.env, HUAWEI_PASSWORD_PARAM: 'huawei-password' });
    expect(code).not.toBe(0);
    expect(output).not.toContain('loaded');
    expect(output).toContain('HUAWEI_PASSWORD_PARAM: expected an SSM parameter name such as /region-sync/prod/zilliz-api-key');
    expect(b.ssm.calls).toBe(0);
  });

  it('lets a plain variable win over its parameter, which is then not read', async () => {
    expect(secretSettings({ ...b.env, ZILLIZ_API_KEY: 'plain-key-123456' }).parameters).toEqual({ HUAWEI_PASSWORD: PARAMS.huawei });
  });

  it('keeps plain variables working when no parameter is named', async () => {
    const { ZILLIZ_API_KEY_PARAM: _z, HUAWEI_PASSWORD_PARAM: _h, ...plain } = b.env;
    const run = handler({ ...plain, ZILLIZ_API_KEY: ZILLIZ_KEY, HUAWEI_PASSWORD: HUAWEI_PASSWORD });
    const summary = (await run({}, context('plain'))) as PassSummary;
    expect(summary.ok).toBe(true);
    expect(b.ssm.calls).toBe(0);
  });
});

describe('secretSettings', () => {
  const names = (env: Record<string, string>) => secretSettings(env).parameters;

  it('reads a parameter only when its secret is used', () => {
    const all = { ZILLIZ_API_KEY_PARAM: '/a', HUAWEI_PASSWORD_PARAM: '/b' };
    expect(names(all)).toEqual({ ZILLIZ_API_KEY: '/a', HUAWEI_PASSWORD: '/b' });
    expect(names({ ...all, SOURCES: 'zilliz' })).toEqual({ ZILLIZ_API_KEY: '/a' });
    expect(names({ ...all, SOURCES: 'modelarts' })).toEqual({ HUAWEI_PASSWORD: '/b' });
    // A static token wins over the password, as in loadSyncConfig.
    expect(names({ ...all, HUAWEI_AUTH_TOKEN_PARAM: '/c' })).toEqual({ ZILLIZ_API_KEY: '/a', HUAWEI_AUTH_TOKEN: '/c' });
    expect(names({ ...all, ZILLIZ_API_KEY_PARAM: '', HUAWEI_PASSWORD_PARAM: '' })).toEqual({});
  });

  it('reads the Huawei secret key, and nothing else for Huawei, when AK/SK signing is configured', () => {
    const all = { ZILLIZ_API_KEY_PARAM: '/a', HUAWEI_PASSWORD_PARAM: '/b', HUAWEI_AUTH_TOKEN_PARAM: '/c', HUAWEI_SECRET_KEY_PARAM: '/d' };
    expect(names(all)).toEqual({ ZILLIZ_API_KEY: '/a', HUAWEI_SECRET_KEY: '/d' });
    expect(names({ ...all, HUAWEI_SECRET_KEY_PARAM: '', HUAWEI_ACCESS_KEY: 'AKEXAMPLE0001' })).toEqual({ ZILLIZ_API_KEY: '/a' });
    expect(names({ ...all, HUAWEI_SECRET_KEY: 'plain-secret-key-1234' })).toEqual({ ZILLIZ_API_KEY: '/a' });
  });

  it('rejects a parameter name that is not a full path, naming the variable', () => {
    expect(() => secretSettings({ ZILLIZ_API_KEY_PARAM: 'zilliz-api-key' })).toThrow(/^ZILLIZ_API_KEY_PARAM: expected an SSM parameter name/);
  });
});

describe('the secret cache', () => {
  it('reads again after expiry and picks up a rotated value', async () => {
    let now = 0;
    const store = createSecretStore({ region: 'us-east-1', endpoint: b.ssm.endpoint, cacheMs: 900_000, parameters: { ZILLIZ_API_KEY: PARAMS.zilliz } }, { now: () => now });
    try {
      expect(await store.get()).toEqual({ ZILLIZ_API_KEY: ZILLIZ_KEY });
      b.ssm.set(PARAMS.zilliz, 'zk-rotated-0123456789');
      now = 899_999;
      expect(await store.get()).toEqual({ ZILLIZ_API_KEY: ZILLIZ_KEY });
      now = 900_000;
      expect(await store.get()).toEqual({ ZILLIZ_API_KEY: 'zk-rotated-0123456789' });
      expect(b.ssm.calls).toBe(2);
    } finally {
      store.destroy();
    }
  });

  it('keeps the last good values when a refresh fails, and fails without them', async () => {
    let now = 0;
    const settings = { region: 'us-east-1', endpoint: b.ssm.endpoint, cacheMs: 1_000, parameters: { ZILLIZ_API_KEY: PARAMS.zilliz } };
    const lines: string[] = [];
    const store = createSecretStore(settings, { now: () => now, log: createLogger({}, (line) => lines.push(line)) });
    const cold = createSecretStore(settings);
    try {
      await store.get();
      await b.ssm.close();
      now = 5_000;
      expect(await store.get()).toEqual({ ZILLIZ_API_KEY: ZILLIZ_KEY });
      expect(lines.join('\n')).toContain('secret refresh failed; keeping the cached values');
      await expect(cold.get()).rejects.toBeInstanceOf(SecretsError);
      await expect(cold.get()).rejects.toThrow(`could not read SSM parameters ${PARAMS.zilliz}`);
    } finally {
      store.destroy();
      cold.destroy();
    }
  });
});

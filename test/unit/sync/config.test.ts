// The sync function's configuration: defaults, and one clear line for every bad value.
import { describe, expect, it } from 'vitest';
import { ConfigError, type Env } from '../../../lib/core/config';
import { loadSyncConfig, secretsOf, secretsUsed } from '../../../lib/sync/config';

const API_KEY = 'db_9F8E7D6C5B4A39281706F5E4D3C2B1A0zz';
const TOKEN = 'MIIXtoken-abcdef0123456789-static';
const PASSWORD = 'Pa55-w0rd-Ultra-Secret!';
const PROJECT = '0123456789abcdef0123456789abcdef';

/** A complete environment as a deployed function has it, with a static Huawei token. */
const base: Env = {
  TABLE_NAME: 'region-sync-dev',
  EVENT_BUS_NAME: 'region-sync-dev',
  ZILLIZ_BASE_URL: 'https://controller.api.gcp-us-west1.zillizcloud.com',
  ZILLIZ_API_KEY: API_KEY,
  MODELARTS_ENDPOINT: 'https://modelarts.ap-southeast-1.myhuaweicloud.com',
  HUAWEI_PROJECT_ID: PROJECT,
  HUAWEI_AUTH_TOKEN: TOKEN,
};

const iam: Env = {
  HUAWEI_IAM_ENDPOINT: 'https://iam.myhuaweicloud.com',
  HUAWEI_DOMAIN_NAME: 'acme',
  HUAWEI_USERNAME: 'region-sync',
  HUAWEI_PASSWORD: PASSWORD,
};

function configError(env: Env): ConfigError {
  try {
    loadSyncConfig(env);
  } catch (error: unknown) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadSyncConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadSyncConfig(base);
    expect(config).toMatchObject({
      region: 'us-east-1',
      tableName: 'region-sync-dev',
      dynamoEndpoint: undefined,
      eventBusName: 'region-sync-dev',
      eventSource: 'region-sync',
      eventBridgeEndpoint: undefined,
      sources: ['zilliz', 'modelarts'],
      removalHoldPasses: 3,
      retentionDays: 30,
      http: { timeoutMs: 5000, retries: 3 },
      passDeadlineMs: 60_000,
    });
    expect(config.zilliz).toEqual({
      apiVersion: 'v2',
      baseUrl: 'https://controller.api.gcp-us-west1.zillizcloud.com',
      apiKey: API_KEY,
      cloudIds: [],
      regionsMethod: 'GET',
      concurrency: 8,
      ratePerSecond: 20,
    });
    expect(config.modelarts).toEqual({
      endpoint: 'https://modelarts.ap-southeast-1.myhuaweicloud.com',
      projectId: PROJECT,
      auth: { kind: 'static', token: TOKEN },
    });
  });

  it('reads given values', () => {
    const config = loadSyncConfig({ ...base, SOURCES: 'zilliz', ZILLIZ_CLOUD_IDS: 'aws, gcp', ZILLIZ_REGIONS_METHOD: 'POST', REMOVAL_HOLD_PASSES: '5', ZILLIZ_BASE_URL: 'http://127.0.0.1:4010/' });
    expect(config.sources).toEqual(['zilliz']);
    expect(config.modelarts).toBeUndefined();
    expect(config.zilliz).toMatchObject({ baseUrl: 'http://127.0.0.1:4010', cloudIds: ['aws', 'gcp'], regionsMethod: 'POST' });
    expect(config.removalHoldPasses).toBe(5);
  });

  it('uses IAM password login when no static token is given', () => {
    const { HUAWEI_AUTH_TOKEN: _token, ...withoutToken } = base;
    const config = loadSyncConfig({ ...withoutToken, ...iam });
    expect(config.modelarts?.auth).toEqual({ kind: 'password', iamEndpoint: 'https://iam.myhuaweicloud.com', domainName: 'acme', username: 'region-sync', password: PASSWORD });
    expect(secretsOf(config)).toEqual([API_KEY, PASSWORD]);
  });

  it('prefers the static token when both are given', () => {
    expect(loadSyncConfig({ ...base, ...iam }).modelarts?.auth).toEqual({ kind: 'static', token: TOKEN });
  });

  it('reads an empty variable as unset', () => {
    const config = loadSyncConfig({ ...base, ...iam, HUAWEI_AUTH_TOKEN: '', SOURCES: '', REMOVAL_HOLD_PASSES: '', ZILLIZ_REGIONS_METHOD: '' });
    expect(config.modelarts?.auth.kind).toBe('password');
    expect(config.sources).toEqual(['zilliz', 'modelarts']);
    expect(config.removalHoldPasses).toBe(3);
    expect(config.zilliz?.regionsMethod).toBe('GET');
  });

  it('reads the catalog bucket by S3\'s naming rules, and names it when invalid', () => {
    expect(loadSyncConfig({ ...base, CATALOG_BUCKET: 'region-sync-catalog' }).catalogBucket).toBe('region-sync-catalog');
    expect(configError({ ...base, CATALOG_BUCKET: 'xn--bucket' }).message).toMatch(/^CATALOG_BUCKET: expected an S3 bucket name/);
  });

  it('reads an empty required variable as missing', () => {
    expect(configError({ ...base, ZILLIZ_API_KEY: '' }).message).toMatch(/^ZILLIZ_API_KEY: /);
  });

  it('needs no Huawei settings when modelarts is disabled', () => {
    expect(loadSyncConfig({ TABLE_NAME: 't-1', EVENT_BUS_NAME: 'b', SOURCES: 'zilliz', ZILLIZ_BASE_URL: 'https://z.example.com', ZILLIZ_API_KEY: API_KEY }).modelarts).toBeUndefined();
  });

  it.each([
    ['ZILLIZ_BASE_URL', { ZILLIZ_BASE_URL: 'ftp://controller.zillizcloud.com' }],
    ['ZILLIZ_BASE_URL', { ZILLIZ_BASE_URL: 'controller.zillizcloud.com' }],
    ['MODELARTS_ENDPOINT', { MODELARTS_ENDPOINT: 'file:///etc/passwd' }],
    ['HUAWEI_IAM_ENDPOINT', { HUAWEI_AUTH_TOKEN: undefined, ...iam, HUAWEI_IAM_ENDPOINT: 'iam.myhuaweicloud.com' }],
    ['HUAWEI_PROJECT_ID', { HUAWEI_PROJECT_ID: '0123456789ABCDEF0123456789ABCDEF' }],
    ['HUAWEI_PROJECT_ID', { HUAWEI_PROJECT_ID: '0123456789abcdef' }],
    ['SOURCES', { SOURCES: 'zilliz,aliyun' }],
    ['ZILLIZ_REGIONS_METHOD', { ZILLIZ_REGIONS_METHOD: 'PUT' }],
    ['REMOVAL_HOLD_PASSES', { REMOVAL_HOLD_PASSES: '0' }],
    ['REMOVAL_HOLD_PASSES', { REMOVAL_HOLD_PASSES: 'abc' }],
    ['REMOVAL_HOLD_PASSES', { REMOVAL_HOLD_PASSES: '-1' }],
    ['ZILLIZ_CLOUD_IDS', { ZILLIZ_CLOUD_IDS: 'aws,GCP' }],
    ['ZILLIZ_API_KEY', { ZILLIZ_API_KEY: undefined }],
    ['ZILLIZ_BASE_URL', { ZILLIZ_BASE_URL: undefined }],
    ['HUAWEI_PROJECT_ID', { HUAWEI_PROJECT_ID: undefined }],
    ['HUAWEI_PASSWORD', { HUAWEI_AUTH_TOKEN: undefined, ...iam, HUAWEI_PASSWORD: undefined }],
    ['TABLE_NAME', { TABLE_NAME: undefined }],
    ['EVENT_BUS_NAME', { EVENT_BUS_NAME: undefined }],
  ] as Array<[string, Env]>)('rejects a bad %s with a line naming it', (variable, overrides) => {
    const error = configError({ ...base, ...iam, ...overrides, ...('HUAWEI_AUTH_TOKEN' in overrides ? {} : { HUAWEI_AUTH_TOKEN: TOKEN }) });
    expect(error.name).toBe('ConfigError');
    expect(error.variable).toBe(variable);
    expect(error.message.startsWith(`${variable}: `)).toBe(true);
    expect(error.message).not.toContain('\n');
    for (const secret of [API_KEY, TOKEN, PASSWORD]) expect(error.message).not.toContain(secret);
  });

  it('never quotes a secret given in a bad variable', () => {
    // A key pasted into the wrong variable must not be echoed back.
    for (const variable of ['ZILLIZ_BASE_URL', 'HUAWEI_PROJECT_ID', 'SOURCES', 'ZILLIZ_REGIONS_METHOD', 'REMOVAL_HOLD_PASSES', 'ZILLIZ_CLOUD_IDS']) {
      const error = configError({ ...base, [variable]: API_KEY });
      expect(error.message.startsWith(`${variable}: `)).toBe(true);
      expect(error.message).not.toContain(API_KEY);
    }
  });
});

describe('Huawei authentication: AK/SK > static token > password', () => {
  const AK = 'HPUAEXAMPLEACCESS0001';
  const SK = 'sk-EXAMPLE-0123456789abcdefghijklmnopqrstu';
  const noToken = { ...base, HUAWEI_AUTH_TOKEN: undefined };

  it('picks AK/SK over a static token and a password', () => {
    const auth = loadSyncConfig({ ...base, ...iam, HUAWEI_ACCESS_KEY: AK, HUAWEI_SECRET_KEY: SK }).modelarts?.auth;
    expect(auth).toEqual({ kind: 'aksk', accessKey: AK, secretKey: SK, securityToken: undefined });
  });

  it('picks the static token over the password, and the password alone', () => {
    expect(loadSyncConfig({ ...base, ...iam }).modelarts?.auth.kind).toBe('static');
    expect(loadSyncConfig({ ...noToken, ...iam }).modelarts?.auth.kind).toBe('password');
  });

  it('keeps the security token of temporary credentials', () => {
    const auth = loadSyncConfig({ ...noToken, HUAWEI_ACCESS_KEY: AK, HUAWEI_SECRET_KEY: SK, HUAWEI_SECURITY_TOKEN: 'tmp-token-123456' }).modelarts?.auth;
    expect(auth).toMatchObject({ kind: 'aksk', securityToken: 'tmp-token-123456' });
  });

  it.each([
    ['HUAWEI_SECRET_KEY', { HUAWEI_ACCESS_KEY: AK }],
    ['HUAWEI_ACCESS_KEY', { HUAWEI_SECRET_KEY: SK }],
    ['HUAWEI_ACCESS_KEY', { HUAWEI_SECURITY_TOKEN: 'tmp-token-123456' }],
  ] as Array<[string, Env]>)('names the missing %s when only part of the pair is set, even beside a token or a password', (missing, part) => {
    const error = configError({ ...base, ...iam, ...part });
    expect(error.variable).toBe(missing);
    expect(error.message).not.toContain(SK);
  });

  it('registers the secret key and the security token as secrets', () => {
    const config = loadSyncConfig({ ...noToken, HUAWEI_ACCESS_KEY: AK, HUAWEI_SECRET_KEY: SK, HUAWEI_SECURITY_TOKEN: 'tmp-token-123456' });
    expect(secretsOf(config)).toEqual([API_KEY, SK, 'tmp-token-123456']);
  });

  it('decides in one place which secrets are used, for the configuration and for SSM', () => {
    const given = (set: string[]) => (variable: string) => set.includes(variable);
    expect(secretsUsed({}, given(['HUAWEI_SECRET_KEY', 'HUAWEI_PASSWORD']))).toEqual(['ZILLIZ_API_KEY', 'HUAWEI_SECRET_KEY']);
    expect(secretsUsed({ HUAWEI_ACCESS_KEY: AK }, given([]))).toEqual(['ZILLIZ_API_KEY', 'HUAWEI_SECRET_KEY']);
    expect(secretsUsed({}, given(['HUAWEI_AUTH_TOKEN', 'HUAWEI_PASSWORD']))).toEqual(['ZILLIZ_API_KEY', 'HUAWEI_AUTH_TOKEN']);
    expect(secretsUsed({ SOURCES: 'modelarts' }, given([]))).toEqual(['HUAWEI_PASSWORD']);
    expect(secretsUsed({ SOURCES: 'zilliz' }, given(['HUAWEI_SECRET_KEY']))).toEqual(['ZILLIZ_API_KEY']);
  });
});

describe('Zilliz API version', () => {
  it('defaults to v2 and takes v1', () => {
    expect(loadSyncConfig(base).zilliz?.apiVersion).toBe('v2');
    expect(loadSyncConfig({ ...base, ZILLIZ_API_VERSION: 'v1' }).zilliz?.apiVersion).toBe('v1');
  });

  it('names ZILLIZ_API_VERSION when it is neither', () => {
    expect(configError({ ...base, ZILLIZ_API_VERSION: 'v3' }).message).toBe('ZILLIZ_API_VERSION: expected v2 or v1');
  });
});

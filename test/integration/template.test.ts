/**
 * The deployable template, as `npx serverless package --stage prod` writes it
 * offline with no AWS credentials: resources, one least-privilege role per
 * function, no secret in any environment, alarms, the on-failure queue, and
 * cfn-lint clean. CloudFormation conditions are evaluated here against the
 * parameter defaults (what `--param` sets), so each optional setting is
 * checked both given and empty.
 */
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { inflateRawSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withPackageLock } from './notifications-template';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Obj = { [key: string]: Json };
interface Resource {
  Type: string;
  Properties?: Obj;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
  DependsOn?: string | string[];
}
interface Template {
  Parameters: Record<string, { Default: string }>;
  Conditions: Record<string, Json>;
  Resources: Record<string, Resource>;
}

const ROOT = new URL('../..', import.meta.url).pathname;
let dir: string;
let template: Template;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'region-sync-package-'));
  const env: NodeJS.ProcessEnv = { ...process.env, AWS_REGION: 'eu-west-3', AWS_DEFAULT_REGION: 'eu-west-3' };
  // Offline, with nothing to sign a request with.
  for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE']) delete env[name];
  env.AWS_CONFIG_FILE = env.AWS_SHARED_CREDENTIALS_FILE = join(dir, 'none');
  // One packaging at a time across test files (test/integration/notifications-template.ts).
  await withPackageLock(() => promisify(execFile)('npx', ['serverless', 'package', '--stage', 'prod', '--package', dir], { cwd: ROOT, env, timeout: 120_000 }));
  template = JSON.parse(readFileSync(join(dir, 'cloudformation-template-update-stack.json'), 'utf8')) as Template;
}, 300_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

// ---- A small evaluator of the template's conditions, for a given set of parameter values.

const NO_VALUE = Symbol('AWS::NoValue');
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function parameters(overrides: Record<string, string> = {}): Record<string, string> {
  return { ...Object.fromEntries(Object.entries(template.Parameters).map(([k, p]) => [k, p.Default])), ...overrides };
}

function condition(name: string, params: Record<string, string>): boolean {
  const evaluate = (node: Json): Json | boolean => {
    if (!isObj(node)) return node;
    const [[fn, arg]] = Object.entries(node) as [[string, Json]];
    const args = Array.isArray(arg) ? arg : [arg];
    switch (fn) {
      case 'Ref':
        return params[String(arg)] ?? null;
      case 'Condition':
        return condition(String(arg), params);
      case 'Fn::Not':
        return !evaluate(args[0] ?? null);
      case 'Fn::Equals':
        return evaluate(args[0] ?? null) === evaluate(args[1] ?? null);
      case 'Fn::And':
        return args.every((a) => evaluate(a) === true);
      case 'Fn::Or':
        return args.some((a) => evaluate(a) === true);
      default:
        throw new Error(`unsupported in a condition: ${fn}`);
    }
  };
  const node = template.Conditions[name];
  if (node === undefined) throw new Error(`no condition ${name}`);
  return evaluate(node) === true;
}

/** The node as CloudFormation would deploy it: Fn::If decided, AWS::NoValue dropped, parameters substituted. */
function effective(node: Json, params: Record<string, string>): Json | typeof NO_VALUE {
  if (Array.isArray(node)) return node.map((n) => effective(n, params)).filter((n): n is Json => n !== NO_VALUE);
  if (!isObj(node)) return node;
  if ('Fn::If' in node) {
    const [name, yes, no] = node['Fn::If'] as [string, Json, Json];
    return effective(condition(name, params) ? yes : no, params);
  }
  if (node.Ref === 'AWS::NoValue') return NO_VALUE;
  if (typeof node.Ref === 'string' && node.Ref in params) return params[node.Ref] ?? null;
  if (typeof node['Fn::Sub'] === 'string') {
    return { 'Fn::Sub': node['Fn::Sub'].replace(/\$\{(\w+)\}/g, (whole, name: string) => params[name] ?? whole) };
  }
  const out: Obj = {};
  for (const [key, value] of Object.entries(node)) {
    const v = effective(value, params);
    if (v !== NO_VALUE) out[key] = v;
  }
  return out;
}

interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: Json;
  Condition?: Obj;
}

function statements(role: string, params = parameters()): Statement[] {
  const resource = template.Resources[role];
  if (!resource) throw new Error(`no resource ${role}`);
  const props = effective(resource.Properties ?? {}, params) as { Policies?: { PolicyDocument: { Statement: Statement[] } }[] };
  return (props.Policies ?? []).flatMap((p) => p.PolicyDocument.Statement);
}

const list = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);
const actions = (role: string, params?: Record<string, string>) => new Set(statements(role, params).flatMap((s) => list(s.Action)));
const getAtt = (id: string) => ({ 'Fn::GetAtt': [id, 'Arn'] });
const ssmArn = (name: string) => ({ 'Fn::Sub': `arn:\${AWS::Partition}:ssm:\${AWS::Region}:\${AWS::AccountId}:parameter${name}` });

function resourcesOf(role: string, sid: string, params?: Record<string, string>): Json[] {
  const statement = statements(role, params).find((s) => s.Sid === sid);
  return statement ? list(statement.Resource) : [];
}

function fn(name: 'Sync' | 'Catalog'): Obj {
  const resource = template.Resources[`${name}LambdaFunction`];
  expect(resource?.Type).toBe('AWS::Lambda::Function');
  return resource?.Properties ?? {};
}

const ALARMS = [
  'SyncErrorsAlarm',
  'SyncFailingScopeAlarm',
  'SyncPendingAgeAlarm',
  'SyncDurationAlarm',
  'SyncStalledAlarm',
  'SyncFailureQueueAlarm',
  'CatalogApi5xxAlarm',
];

describe('the packaged prod template', () => {
  it('has both functions on nodejs22.x, each zip holding its bundle', () => {
    for (const name of ['Sync', 'Catalog'] as const) {
      expect(fn(name)).toMatchObject({ Runtime: 'nodejs22.x', Handler: `functions/${name.toLowerCase()}.handler` });
      const zip = join(dir, `${name.toLowerCase()}.zip`);
      expect(statSync(zip).size).toBeGreaterThan(10_000);
      expect(readFileSync(zip).includes(`functions/${name.toLowerCase()}.cjs`)).toBe(true);
    }
  });

  it('keeps the table (pk/sk, TTL, point-in-time recovery) when the stack goes', () => {
    const table = template.Resources.RegionTable;
    expect(table).toMatchObject({
      Type: 'AWS::DynamoDB::Table',
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        TableName: 'region-sync-prod',
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      },
    });
  });

  it('has the event bus the sync function is told about', () => {
    expect(template.Resources.EventBus).toMatchObject({ Type: 'AWS::Events::EventBus', Properties: { Name: 'region-sync-prod' } });
    expect(fn('Sync')).toMatchObject({ Environment: { Variables: { EVENT_BUS_NAME: 'region-sync-prod', TABLE_NAME: 'region-sync-prod' } } });
  });

  it('gives each function its own role and creates no shared one', () => {
    expect(fn('Sync').Role).toEqual(getAtt('SyncRole'));
    expect(fn('Catalog').Role).toEqual(getAtt('CatalogRole'));
    expect(template.Resources.IamRoleLambdaExecution).toBeUndefined();
    // Deployed with the defaults (a resource under a false condition is not).
    const deployed = (r: Resource & { Condition?: string }) => r.Condition === undefined || condition(r.Condition, parameters());
    const roles = Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::IAM::Role' && deployed(r)).map(([id]) => id);
    expect(roles.sort()).toEqual(['CatalogRole', 'SyncRole']);
    expect(Object.values(template.Resources).filter((r) => /^AWS::IAM::(Policy|ManagedPolicy)$/.test(r.Type))).toEqual([]);
  });

  it('grants the sync role exactly what its code does, on its own resources only', () => {
    expect(actions('SyncRole')).toEqual(
      new Set([
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        'dynamodb:GetItem',
        'dynamodb:Query',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
        'dynamodb:DeleteItem',
        'events:PutEvents',
        'sqs:SendMessage',
        'ssm:GetParameters',
      ]),
    );
    expect(resourcesOf('SyncRole', 'ReadSecrets')).toEqual([ssmArn('/region-sync/prod/zilliz-api-key'), ssmArn('/region-sync/prod/huawei-password')]);
  });

  it('grants the catalog role reads of the table and its own logs, nothing else', () => {
    expect(actions('CatalogRole')).toEqual(new Set(['logs:CreateLogStream', 'logs:PutLogEvents', 'dynamodb:GetItem', 'dynamodb:Query']));
  });

  describe.each([
    ['the defaults', {}],
    ['a static token, a customer key and an alarm topic', {
      HuaweiAuthTokenParam: '/region-sync/prod/huawei-token',
      SsmKmsKeyArn: 'arn:aws:kms:eu-west-3:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      AlarmTopicArn: 'arn:aws:sns:eu-west-3:123456789012:ops',
    }],
    ['no SSM parameter at all', { ZillizApiKeyParam: '', HuaweiPasswordParam: '' }],
    ['AK/SK signing beside a token parameter', { HuaweiSecretKeyParam: '/region-sync/prod/huawei-secret-key', HuaweiAuthTokenParam: '/region-sync/prod/huawei-token' }],
  ] as [string, Record<string, string>][])('with %s', (_name, overrides) => {
    const own: Record<string, string> = { SyncRole: 'SyncLogGroup', CatalogRole: 'CatalogLogGroup' };

    it('has no wildcard action and no resource beyond the table, the bus, the queue, the own log group, the SSM parameters and the key', () => {
      const params = parameters(overrides);
      const secretParams = ['ZillizApiKeyParam', 'HuaweiPasswordParam', 'HuaweiAuthTokenParam', 'HuaweiSecretKeyParam'].map((p) => params[p] ?? '').filter(Boolean);
      for (const role of ['SyncRole', 'CatalogRole']) {
        const allowed: Json[] = [getAtt('RegionTable'), getAtt('EventBus'), getAtt('SyncFailureQueue'), getAtt(own[role] ?? ''), ...secretParams.map(ssmArn)];
        if (params.SsmKmsKeyArn) allowed.push(params.SsmKmsKeyArn);
        for (const statement of statements(role, params)) {
          expect(statement.Effect).toBe('Allow');
          for (const action of list(statement.Action)) expect(action, `${role} ${statement.Sid}`).not.toContain('*');
          for (const resource of list(statement.Resource)) {
            expect(resource, `${role} ${statement.Sid}`).not.toBe('*');
            expect(allowed, `${role} ${statement.Sid}: ${JSON.stringify(resource)}`).toContainEqual(resource);
          }
        }
      }
    });

    it('lets the sync role read exactly the parameters its function reads', () => {
      const params = parameters(overrides);
      // AK/SK > static token > password: only the secret the function uses is readable.
      const huawei = params.HuaweiSecretKeyParam ? 'HuaweiSecretKeyParam' : params.HuaweiAuthTokenParam ? 'HuaweiAuthTokenParam' : 'HuaweiPasswordParam';
      const reads = ['ZillizApiKeyParam', huawei];
      const expected = reads.map((p) => params[p] ?? '').filter(Boolean).map(ssmArn);
      expect(resourcesOf('SyncRole', 'ReadSecrets', params).sort()).toEqual(expected.sort());
      if (expected.length === 0) expect(statements('SyncRole', params).map((s) => s.Sid)).not.toContain('ReadSecrets');
    });

    it('grants kms:Decrypt only through SSM and only for a given customer key', () => {
      const params = parameters(overrides);
      const decrypt = statements('SyncRole', params).filter((s) => list(s.Action).some((a) => a.startsWith('kms:')));
      if (!params.SsmKmsKeyArn) return expect(decrypt).toEqual([]);
      expect(decrypt).toEqual([
        { Sid: 'DecryptSecrets', Effect: 'Allow', Action: 'kms:Decrypt', Resource: params.SsmKmsKeyArn, Condition: { StringEquals: { 'kms:ViaService': { 'Fn::Sub': 'ssm.${AWS::Region}.amazonaws.com' } } } },
      ]);
    });

    it('has every alarm, notifying the topic only when one is given', () => {
      const params = parameters(overrides);
      for (const id of ALARMS) {
        const alarm = effective(template.Resources[id] as unknown as Json, params) as { Type: string; Properties: Obj };
        expect(alarm.Type, id).toBe('AWS::CloudWatch::Alarm');
        expect(['notBreaching', 'breaching', 'ignore'], id).toContain(alarm.Properties.TreatMissingData);
        if (params.AlarmTopicArn) expect(alarm.Properties.AlarmActions, id).toEqual([params.AlarmTopicArn]);
        else expect(alarm.Properties, id).not.toHaveProperty('AlarmActions');
      }
    });
  });

  it('keeps secrets out of every function environment: parameter names only', () => {
    for (const name of ['Sync', 'Catalog'] as const) {
      const variables = ((fn(name).Environment as Obj | undefined)?.Variables ?? {}) as Record<string, string>;
      for (const [key, value] of Object.entries(variables)) {
        expect(key, `${name}.${key}`).not.toMatch(/(API_KEY|PASSWORD|TOKEN|SECRET)$/);
        if (key.endsWith('_PARAM')) expect(value, key).toMatch(/^(\/[A-Za-z0-9_.\-/]+)?$/);
      }
    }
    expect(fn('Sync')).toMatchObject({
      Environment: { Variables: { ZILLIZ_API_KEY_PARAM: '/region-sync/prod/zilliz-api-key', HUAWEI_PASSWORD_PARAM: '/region-sync/prod/huawei-password' } },
    });
  });

  it('watches the metrics the sync function writes', () => {
    const watched = (id: string) => template.Resources[id]?.Properties as Obj;
    expect(watched('SyncFailingScopeAlarm')).toMatchObject({ Namespace: 'RegionSync', MetricName: 'MaxConsecutiveFailures', Threshold: 3, Dimensions: [{ Name: 'Service', Value: 'region-sync-prod' }] });
    expect(watched('SyncPendingAgeAlarm')).toMatchObject({ Namespace: 'RegionSync', MetricName: 'OldestPendingAgeSeconds', Threshold: 1800, ComparisonOperator: 'GreaterThanThreshold' });
    expect(watched('SyncErrorsAlarm')).toMatchObject({ Namespace: 'AWS/Lambda', MetricName: 'Errors', Threshold: 1, Dimensions: [{ Name: 'FunctionName', Value: { Ref: 'SyncLambdaFunction' } }] });
    expect(watched('CatalogApi5xxAlarm')).toMatchObject({ Namespace: 'AWS/ApiGateway', MetricName: '5xx', Dimensions: [{ Name: 'ApiId', Value: { Ref: 'HttpApi' } }] });
    expect(fn('Sync')).toMatchObject({ Environment: { Variables: { METRICS_SERVICE: 'region-sync-prod' } } });
  });

  it('sends a failed scheduled invocation to an encrypted queue after at most one retry', () => {
    expect(template.Resources.SyncFailureQueue).toMatchObject({ Type: 'AWS::SQS::Queue', Properties: { SqsManagedSseEnabled: true } });
    const config = Object.values(template.Resources).find((r) => r.Type === 'AWS::Lambda::EventInvokeConfig');
    expect(config?.Properties).toMatchObject({
      FunctionName: { Ref: 'SyncLambdaFunction' },
      DestinationConfig: { OnFailure: { Destination: getAtt('SyncFailureQueue') } },
    });
    expect(config?.Properties?.MaximumRetryAttempts).toBeLessThanOrEqual(1);
    expect(config?.Properties?.MaximumEventAgeInSeconds).toBeLessThanOrEqual(900);
  });

  it('ends the upstream phase of a pass well inside the sync timeout', () => {
    const variables = (fn('Sync').Environment as { Variables: Record<string, string> }).Variables;
    const deadlineMs = Number(variables.PASS_DEADLINE_MS);
    expect(deadlineMs).toBeGreaterThan(0);
    // Commit and publish after the deadline need their share: at least 30 s of the timeout left.
    expect(Number(fn('Sync').Timeout) * 1000 - deadlineMs).toBeGreaterThanOrEqual(30_000);
  });

  it('runs one sync at a time, keeps logs for a set time and throttles the API', () => {
    expect(fn('Sync').ReservedConcurrentExecutions).toBe(1);
    expect(template.Resources.SyncLogGroup?.Properties).toMatchObject({ LogGroupName: '/aws/lambda/region-sync-prod-sync', RetentionInDays: 30 });
    expect(template.Resources.CatalogLogGroup?.Properties).toMatchObject({ RetentionInDays: 14 });
    expect(template.Resources.HttpApiStage?.Properties?.DefaultRouteSettings).toMatchObject({ ThrottlingBurstLimit: 100, ThrottlingRateLimit: 50 });
  });

  it('ships a bundle that loads in Node and fails its init naming a missing variable', () => {
    // The zip's single entry: sizes from the central directory (the local header defers them to a data descriptor).
    const zip = readFileSync(join(dir, 'sync.zip'));
    const central = zip.readUInt32LE(zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06])) + 16);
    const [compressed, local] = [zip.readUInt32LE(central + 20), zip.readUInt32LE(central + 42)];
    const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const bundle = join(dir, 'sync.cjs');
    writeFileSync(bundle, inflateRawSync(zip.subarray(start, start + compressed)));
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(TABLE_NAME|AWS_)/.test(k)));
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', `await import(${JSON.stringify(bundle)})`], { env: { ...env, NODE_NO_WARNINGS: '1' }, encoding: 'utf8', timeout: 30_000 });
    expect(run.status).not.toBe(0);
    // Minified, the class reads `Qi [ConfigError]`; the message is the one line naming the variable.
    expect(/ConfigError\]?: TABLE_NAME: /.test(run.stderr), run.stderr.slice(-1500)).toBe(true);
  });

  const lint = spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' });
  it.skipIf(lint.error !== undefined || lint.status !== 0)('passes cfn-lint (W3005, from osls itself, ignored)', () => {
    const run = spawnSync('cfn-lint', [join(dir, 'cloudformation-template-update-stack.json'), '--ignore-checks', 'W3005'], { encoding: 'utf8', timeout: 90_000 });
    expect(run.stdout + run.stderr).toBe('');
    expect(run.status).toBe(0);
  }, 90_000);
});

/**
 * The sync function's configuration, parsed once at cold start. Every problem
 * stops the command with one line naming the variable and what is expected.
 */
import { DEFAULT_RETENTION_DAYS } from '../core/limits';
import { SOURCES, type SourceName } from '../core/region';
import {
  ConfigError,
  commaList,
  httpUrl,
  invalid,
  oneOf,
  optional,
  parseEnv,
  positiveInt,
  tableRules,
  text,
  wholeNumber,
  withDefault,
  type Env,
  type Settings,
} from '../core/config';
import { bucketNameSetting } from '../store/catalog-layout';

const cloudId = /^[a-z0-9][a-z0-9._-]{0,63}$/;

const sources = (value: string | undefined): SourceName[] => {
  const names = commaList(value);
  if (!names.every((n) => (SOURCES as readonly string[]).includes(n))) return invalid(`expected a comma list of ${SOURCES.join(', ')}`);
  return (names.length ? [...new Set(names)] : [...SOURCES]) as SourceName[];
};

const rules = {
  ...tableRules,
  SOURCES: sources,
  EVENT_BUS_NAME: text(/^[A-Za-z0-9._/-]{1,256}$/, 'expected an EventBridge bus name or ARN'),
  EVENT_SOURCE: withDefault(text(/^[A-Za-z0-9._-]{1,256}$/, 'expected an event source such as region-sync'), 'region-sync'),
  EVENTBRIDGE_ENDPOINT: optional(httpUrl),
  ZILLIZ_BASE_URL: optional(httpUrl),
  ZILLIZ_API_KEY: optional(text()),
  ZILLIZ_CLOUD_IDS: (value: string | undefined): string[] => {
    const ids = commaList(value);
    return ids.every((id) => cloudId.test(id)) ? ids : invalid('expected cloud ids of lowercase letters, digits, . _ -');
  },
  ZILLIZ_REGIONS_METHOD: withDefault(oneOf(['GET', 'POST'], 'expected GET or POST'), 'GET'),
  ZILLIZ_API_VERSION: withDefault(oneOf(['v2', 'v1'], 'expected v2 or v1'), 'v2'),
  MODELARTS_ENDPOINT: optional(httpUrl),
  HUAWEI_PROJECT_ID: optional(text(/^[a-z0-9]{32}$/, 'expected 32 lowercase letters and digits')),
  HUAWEI_AUTH_TOKEN: optional(text()),
  HUAWEI_IAM_ENDPOINT: optional(httpUrl),
  HUAWEI_DOMAIN_NAME: optional(text()),
  HUAWEI_USERNAME: optional(text()),
  HUAWEI_PASSWORD: optional(text()),
  HUAWEI_ACCESS_KEY: optional(text(/^[A-Za-z0-9]{8,128}$/, 'expected an access key id of letters and digits')),
  HUAWEI_SECRET_KEY: optional(text()),
  HUAWEI_SECURITY_TOKEN: optional(text()),
  REMOVAL_HOLD_PASSES: positiveInt(3),
  // 0 is allowed: only the passes count then (a test deployment, or a deliberate choice).
  REMOVAL_HOLD_MINUTES: withDefault(wholeNumber(/^\d{1,6}$/, 'expected a whole number of minutes (0 for no least time)'), 30),
  CHANGES_RETENTION_DAYS: positiveInt(DEFAULT_RETENTION_DAYS),
  UPSTREAM_TIMEOUT_MS: positiveInt(5_000),
  UPSTREAM_RETRIES: withDefault(wholeNumber(/^\d$/, 'expected a whole number from 0 to 9'), 3),
  PASS_DEADLINE_MS: positiveInt(60_000),
  ZILLIZ_CONCURRENCY: positiveInt(8),
  ZILLIZ_RATE_PER_SECOND: positiveInt(20),
  // The catalog files (issue 20): the bucket, and an S3-compatible endpoint locally.
  CATALOG_BUCKET: optional(bucketNameSetting),
  S3_ENDPOINT: optional(httpUrl),
  METRICS_SERVICE: withDefault(text(/^[A-Za-z0-9._-]{1,128}$/, 'expected a service name such as region-sync-prod'), 'region-sync'),
};

export interface ZillizConfig {
  /** v2: one `GET /v2/regions` for every cloud; v1: List Cloud Providers, then one listing per cloud. */
  apiVersion: 'v2' | 'v1';
  baseUrl: string;
  apiKey: string;
  cloudIds: string[];
  regionsMethod: 'GET' | 'POST';
  concurrency: number;
  ratePerSecond: number;
}

export type HuaweiAuth =
  | { kind: 'aksk'; accessKey: string; secretKey: string; securityToken: string | undefined }
  | { kind: 'static'; token: string }
  | { kind: 'password'; iamEndpoint: string; domainName: string; username: string; password: string };

export interface ModelartsConfig {
  endpoint: string;
  projectId: string;
  auth: HuaweiAuth;
}

export interface HttpPolicy {
  timeoutMs: number;
  retries: number;
}

export interface SyncConfig {
  region: string;
  tableName: string;
  dynamoEndpoint: string | undefined;
  eventBusName: string;
  eventSource: string;
  eventBridgeEndpoint: string | undefined;
  sources: SourceName[];
  zilliz: ZillizConfig | undefined;
  modelarts: ModelartsConfig | undefined;
  removalHoldPasses: number;
  /** The least time a held mass removal waits, from its first pass to the pass that confirms it. */
  removalHoldMinutes: number;
  retentionDays: number;
  http: HttpPolicy;
  passDeadlineMs: number;
  /** The `Service` dimension of the pass metrics (lib/metrics.ts). */
  metricsService: string;
  /** Where the catalog files go after each commit (lib/sync/catalog-files); none when undefined. */
  catalogBucket: string | undefined;
  s3Endpoint: string | undefined;
}

function required<T>(value: T | undefined, variable: string, what: string): T {
  if (value === undefined) throw new ConfigError(variable, `required when its source is enabled; expected ${what}`);
  return value;
}

/** Each secret variable and the variable that names its SSM parameter instead (read by lib/sync/secrets.ts). */
export const SECRET_PARAMS = {
  ZILLIZ_API_KEY: 'ZILLIZ_API_KEY_PARAM',
  HUAWEI_SECRET_KEY: 'HUAWEI_SECRET_KEY_PARAM',
  HUAWEI_AUTH_TOKEN: 'HUAWEI_AUTH_TOKEN_PARAM',
  HUAWEI_PASSWORD: 'HUAWEI_PASSWORD_PARAM',
} as const;

export type SecretVariable = keyof typeof SECRET_PARAMS;

export type HuaweiMethod = HuaweiAuth['kind'];

/**
 * The Huawei method an environment selects: AK/SK when either half of the
 * pair is given, else a static token, else the password login. `given` says
 * whether a secret is set, as a value or (in a deployment) as a parameter.
 */
function huaweiMethod(env: Env, given: (variable: SecretVariable) => boolean): HuaweiMethod {
  if (env.HUAWEI_ACCESS_KEY || given('HUAWEI_SECRET_KEY')) return 'aksk';
  return given('HUAWEI_AUTH_TOKEN') ? 'static' : 'password';
}

/**
 * The secret variables a configuration uses: the one place that decides it,
 * for loadSyncConfig and for the SSM reads. Zilliz's key when zilliz is
 * enabled; for modelarts, the secret of its method only.
 */
export function secretsUsed(env: Env, given: (variable: SecretVariable) => boolean): SecretVariable[] {
  const { SOURCES: enabled } = parseEnv({ SOURCES: sources }, env);
  const used: SecretVariable[] = [];
  if (enabled.includes('zilliz')) used.push('ZILLIZ_API_KEY');
  if (enabled.includes('modelarts')) {
    const method = huaweiMethod(env, given);
    used.push(method === 'aksk' ? 'HUAWEI_SECRET_KEY' : method === 'static' ? 'HUAWEI_AUTH_TOKEN' : 'HUAWEI_PASSWORD');
  }
  return used;
}

function huaweiAuth(e: Settings<typeof rules>, env: Env): HuaweiAuth {
  const method = huaweiMethod(env, (variable) => e[variable] !== undefined);
  if (method === 'aksk') {
    // Only one half of the pair is a mistake, never a reason to fall back to another method.
    return {
      kind: 'aksk',
      accessKey: required(e.HUAWEI_ACCESS_KEY, 'HUAWEI_ACCESS_KEY', 'the access key id that goes with HUAWEI_SECRET_KEY'),
      secretKey: required(e.HUAWEI_SECRET_KEY, 'HUAWEI_SECRET_KEY', 'the secret key that goes with HUAWEI_ACCESS_KEY (deployed: HUAWEI_SECRET_KEY_PARAM names its SSM parameter)'),
      securityToken: e.HUAWEI_SECURITY_TOKEN,
    };
  }
  if (e.HUAWEI_SECURITY_TOKEN !== undefined) {
    throw new ConfigError('HUAWEI_ACCESS_KEY', 'required with HUAWEI_SECURITY_TOKEN; expected the temporary access key id (and HUAWEI_SECRET_KEY)');
  }
  if (method === 'static') return { kind: 'static', token: e.HUAWEI_AUTH_TOKEN as string };
  const hint = '(or set HUAWEI_ACCESS_KEY and HUAWEI_SECRET_KEY, or HUAWEI_AUTH_TOKEN)';
  return {
    kind: 'password',
    iamEndpoint: required(e.HUAWEI_IAM_ENDPOINT, 'HUAWEI_IAM_ENDPOINT', `an http(s) URL ${hint}`),
    domainName: required(e.HUAWEI_DOMAIN_NAME, 'HUAWEI_DOMAIN_NAME', `the account name ${hint}`),
    username: required(e.HUAWEI_USERNAME, 'HUAWEI_USERNAME', `an IAM user name ${hint}`),
    password: required(e.HUAWEI_PASSWORD, 'HUAWEI_PASSWORD', `the IAM user password ${hint}`),
  };
}

export function loadSyncConfig(env: Env = process.env): SyncConfig {
  const e = parseEnv(rules, env);
  const zilliz: ZillizConfig | undefined = e.SOURCES.includes('zilliz')
    ? {
        apiVersion: e.ZILLIZ_API_VERSION,
        baseUrl: required(e.ZILLIZ_BASE_URL, 'ZILLIZ_BASE_URL', 'an http(s) URL'),
        apiKey: required(e.ZILLIZ_API_KEY, 'ZILLIZ_API_KEY', 'a Zilliz Cloud API key'),
        cloudIds: e.ZILLIZ_CLOUD_IDS,
        regionsMethod: e.ZILLIZ_REGIONS_METHOD,
        concurrency: e.ZILLIZ_CONCURRENCY,
        ratePerSecond: e.ZILLIZ_RATE_PER_SECOND,
      }
    : undefined;
  const modelarts: ModelartsConfig | undefined = e.SOURCES.includes('modelarts')
    ? {
        endpoint: required(e.MODELARTS_ENDPOINT, 'MODELARTS_ENDPOINT', 'an http(s) URL'),
        projectId: required(e.HUAWEI_PROJECT_ID, 'HUAWEI_PROJECT_ID', '32 lowercase letters and digits'),
        auth: huaweiAuth(e, env),
      }
    : undefined;
  return {
    region: e.AWS_REGION,
    tableName: e.TABLE_NAME,
    dynamoEndpoint: e.DYNAMODB_ENDPOINT,
    eventBusName: e.EVENT_BUS_NAME,
    eventSource: e.EVENT_SOURCE,
    eventBridgeEndpoint: e.EVENTBRIDGE_ENDPOINT,
    sources: e.SOURCES,
    zilliz,
    modelarts,
    removalHoldPasses: e.REMOVAL_HOLD_PASSES,
    removalHoldMinutes: e.REMOVAL_HOLD_MINUTES,
    retentionDays: e.CHANGES_RETENTION_DAYS,
    http: { timeoutMs: e.UPSTREAM_TIMEOUT_MS, retries: e.UPSTREAM_RETRIES },
    passDeadlineMs: e.PASS_DEADLINE_MS,
    metricsService: e.METRICS_SERVICE,
    catalogBucket: e.CATALOG_BUCKET,
    s3Endpoint: e.S3_ENDPOINT,
  };
}

/** The secret values of a configuration, to register with the log redactor. */
export function secretsOf(config: SyncConfig): string[] {
  const out: string[] = [];
  if (config.zilliz) out.push(config.zilliz.apiKey);
  const auth = config.modelarts?.auth;
  if (auth?.kind === 'aksk') out.push(auth.secretKey, ...(auth.securityToken ? [auth.securityToken] : []));
  if (auth?.kind === 'static') out.push(auth.token);
  if (auth?.kind === 'password') out.push(auth.password);
  return out;
}

/**
 * The sync function's configuration, parsed once at cold start. Every problem
 * stops the command with one line naming the variable and what is expected.
 */
import * as z from 'zod';
import { SOURCES, type SourceName } from '../core/region';
import { ConfigError, commaList, httpUrl, parseEnv, positiveInt, tableSchema, type Env } from '../core/config';

const cloudId = /^[a-z0-9][a-z0-9._-]{0,63}$/;

const schema = tableSchema.extend({
  SOURCES: commaList.pipe(
    z
      .array(z.string())
      .refine((names) => names.every((n) => (SOURCES as readonly string[]).includes(n)), {
        message: `expected a comma list of ${SOURCES.join(', ')}`,
      })
      .transform((names) => (names.length ? [...new Set(names)] : [...SOURCES]) as SourceName[]),
  ),
  EVENT_BUS_NAME: z.string().regex(/^[A-Za-z0-9._/-]{1,256}$/, { message: 'expected an EventBridge bus name or ARN' }),
  EVENT_SOURCE: z.string().regex(/^[A-Za-z0-9._-]{1,256}$/, { message: 'expected an event source such as region-sync' }).default('region-sync'),
  EVENTBRIDGE_ENDPOINT: httpUrl.optional(),
  ZILLIZ_BASE_URL: httpUrl.optional(),
  ZILLIZ_API_KEY: z.string().optional(),
  ZILLIZ_CLOUD_IDS: commaList.pipe(
    z.array(z.string().regex(cloudId, { message: 'expected cloud ids of lowercase letters, digits, . _ -' })),
  ),
  ZILLIZ_REGIONS_METHOD: z.enum(['GET', 'POST'], { message: 'expected GET or POST' }).default('GET'),
  MODELARTS_ENDPOINT: httpUrl.optional(),
  HUAWEI_PROJECT_ID: z
    .string()
    .regex(/^[a-z0-9]{32}$/, { message: 'expected 32 lowercase letters and digits' })
    .optional(),
  HUAWEI_AUTH_TOKEN: z.string().optional(),
  HUAWEI_IAM_ENDPOINT: httpUrl.optional(),
  HUAWEI_DOMAIN_NAME: z.string().optional(),
  HUAWEI_USERNAME: z.string().optional(),
  HUAWEI_PASSWORD: z.string().optional(),
  REMOVAL_HOLD_PASSES: positiveInt(3),
  CHANGES_RETENTION_DAYS: positiveInt(30),
  UPSTREAM_TIMEOUT_MS: positiveInt(5_000),
  UPSTREAM_RETRIES: z
    .string()
    .regex(/^\d$/, { message: 'expected a whole number from 0 to 9' })
    .transform(Number)
    .default(3),
  PASS_DEADLINE_MS: positiveInt(60_000),
  ZILLIZ_CONCURRENCY: positiveInt(8),
  ZILLIZ_RATE_PER_SECOND: positiveInt(20),
  METRICS_SERVICE: z.string().regex(/^[A-Za-z0-9._-]{1,128}$/, { message: 'expected a service name such as region-sync-prod' }).default('region-sync'),
});

export interface ZillizConfig {
  baseUrl: string;
  apiKey: string;
  cloudIds: string[];
  regionsMethod: 'GET' | 'POST';
  concurrency: number;
  ratePerSecond: number;
}

export type HuaweiAuth =
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
  retentionDays: number;
  http: HttpPolicy;
  passDeadlineMs: number;
  /** The `Service` dimension of the pass metrics (lib/metrics.ts). */
  metricsService: string;
}

function required<T>(value: T | undefined, variable: string, what: string): T {
  if (value === undefined) throw new ConfigError(variable, `required when its source is enabled; expected ${what}`);
  return value;
}

export function loadSyncConfig(env: Env = process.env): SyncConfig {
  const e = parseEnv(schema, env);
  const zilliz: ZillizConfig | undefined = e.SOURCES.includes('zilliz')
    ? {
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
        auth: e.HUAWEI_AUTH_TOKEN
          ? { kind: 'static', token: e.HUAWEI_AUTH_TOKEN }
          : {
              kind: 'password',
              iamEndpoint: required(e.HUAWEI_IAM_ENDPOINT, 'HUAWEI_IAM_ENDPOINT', 'an http(s) URL (or set HUAWEI_AUTH_TOKEN)'),
              domainName: required(e.HUAWEI_DOMAIN_NAME, 'HUAWEI_DOMAIN_NAME', 'the account name (or set HUAWEI_AUTH_TOKEN)'),
              username: required(e.HUAWEI_USERNAME, 'HUAWEI_USERNAME', 'an IAM user name (or set HUAWEI_AUTH_TOKEN)'),
              password: required(e.HUAWEI_PASSWORD, 'HUAWEI_PASSWORD', 'the IAM user password (or set HUAWEI_AUTH_TOKEN)'),
            },
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
    retentionDays: e.CHANGES_RETENTION_DAYS,
    http: { timeoutMs: e.UPSTREAM_TIMEOUT_MS, retries: e.UPSTREAM_RETRIES },
    passDeadlineMs: e.PASS_DEADLINE_MS,
    metricsService: e.METRICS_SERVICE,
  };
}

/** The secret values of a configuration, to register with the log redactor. */
export function secretsOf(config: SyncConfig): string[] {
  const out: string[] = [];
  if (config.zilliz) out.push(config.zilliz.apiKey);
  const auth = config.modelarts?.auth;
  if (auth?.kind === 'static') out.push(auth.token);
  if (auth?.kind === 'password') out.push(auth.password);
  return out;
}

/**
 * The sync function's wiring, the one factory of its handler (the Lambda
 * entry point, the tests' harness and the benchmarks all build it here):
 * configuration checked at init, secrets (from SSM when a `*_PARAM` names
 * them) read by the first pass beside its table read and cached, clients
 * built once, and a middy handler that runs one pass, logs its summary and
 * writes its EMF metrics. The process keeps each scope's regions across
 * invocations (lib/sync/snapshot-cache), used only while the scope's head
 * version is unchanged. middy's early-timeout signal bounds the pass: it
 * aborts the upstream phase `COMMIT_RESERVE_MS` before the Lambda timeout, so
 * what was fetched is still committed, recorded and published in time. A
 * scope that fails is recorded, not thrown: the next scheduled pass retries
 * it. Only an unexpected error (the table unreachable) fails the invocation.
 */
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { S3Client } from '@aws-sdk/client-s3';
import type { BucketDeps } from '../store/catalog-files';
import { createS3Client } from '../store/s3';
import middy from '@middy/core';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { ConfigError, type Env } from '../core/config';
import { loadSyncConfig, secretsOf, type SyncConfig } from './config';
import { createEventBridgeClient } from './eventbridge';
import { createLogger, redact, registerSecret, type Logger, type Sink } from '../core/log';
import { buildPassMetrics, writeMetrics } from './metrics';
import { createSecretStore, SecretsError, secretSettings, type SecretValues } from './secrets';
import { createDocumentClient } from '../store/client';
import type { StoreDeps } from '../store/deps';
import { runPass, type PassSummary, type SyncDeps } from './pass';
import { createSnapshotCache } from './snapshot-cache';

export interface SyncHandlerOptions {
  log?: Logger;
  /** Where the EMF metric lines go; by default stdout inside Lambda and nowhere elsewhere (so `npm start` stays readable). */
  metricsSink?: Sink;
  /** Passed through to the pass: tests shorten backoffs and lease waits, and the chaos suite sets the pass's clock (its own time). */
  pass?: Pick<SyncDeps, 'backoffMs' | 'publish' | 'now'>;
  /** The configuration of each invocation, when it can change (secrets re-read from SSM); the initial one otherwise. */
  current?: () => Promise<SyncConfig>;
  /** Clients the caller built (a traced client, a fault proxy, a meter); built from the configuration otherwise. */
  store?: StoreDeps;
  events?: EventBridgeClient;
  /** The S3 client of the catalog files (a test's, behind a fault proxy); built from the configuration otherwise, only when CATALOG_BUCKET is set. */
  s3?: S3Client;
}

/** Time kept for the commit, the status writes and the publish after the upstream phase is cut short. */
export const COMMIT_RESERVE_MS = 30_000;

export interface LoadSyncHandlerOptions extends Omit<SyncHandlerOptions, 'current'> {
  /** Defaults to process.env. */
  env?: Env;
}

const stdout: Sink = (line) => process.stdout.write(`${line}\n`);

/** Registers a configuration's secret values with the log redactor (lib/core/log), so no line can carry them; returns the configuration. */
export function registerConfigSecrets(config: SyncConfig): SyncConfig {
  for (const secret of secretsOf(config)) registerSecret(secret);
  return config;
}

/** An error safe to hand to the Lambda runtime, which logs it (and the on-failure queue keeps it) unredacted. */
function redacted(error: unknown): Error {
  const safe = new Error(redact(error instanceof Error ? error.message : String(error)));
  safe.name = error instanceof Error ? error.name : 'Error';
  return safe;
}

/** The handler for a configuration already read; clients are built once, here. */
export function createSyncHandler(initial: SyncConfig, options: SyncHandlerOptions = {}) {
  // With `current`, the initial configuration only shapes the clients and holds no secret.
  if (!options.current) registerConfigSecrets(initial);
  const log = options.log ?? createLogger({ service: 'region-sync', function: 'sync' });
  const store: StoreDeps = options.store ?? { doc: createDocumentClient({ region: initial.region, endpoint: initial.dynamoEndpoint }), table: initial.tableName };
  const events = options.events ?? createEventBridgeClient({ region: initial.region, endpoint: initial.eventBridgeEndpoint });
  const metricsSink = options.metricsSink ?? (process.env.AWS_LAMBDA_FUNCTION_NAME ? stdout : undefined);
  let coldStart = true;
  // Each scope's regions as this process last committed or read them: a warm pass diffs without re-reading them.
  const snapshots = createSnapshotCache();
  // The catalog files: the S3 module loads beside the first pass, and never without a bucket.
  const bucket = initial.catalogBucket;
  let files: Promise<BucketDeps> | undefined;
  const catalogFiles = () =>
    bucket ? (files ??= (options.s3 ? Promise.resolve(options.s3) : createS3Client({ region: initial.region, endpoint: initial.s3Endpoint })).then((s3) => ({ s3, bucket }))) : undefined;

  const pass = async (_event: ScheduledEvent | Record<string, never>, context: Context | undefined, { signal }: { signal: AbortSignal }): Promise<PassSummary> => {
    const passLog = log.child({ requestId: context?.awsRequestId, coldStart });
    coldStart = false;
    try {
      // The secrets (SSM on a cold start or after the cache expires) are read beside the pass's table read.
      const pending = options.current ? options.current() : Promise.resolve(initial);
      const bucketDeps = catalogFiles();
      const summary = await runPass({ config: pending, store, events, log: passLog, signal, snapshots, ...(bucketDeps ? { files: bucketDeps } : {}), ...options.pass });
      const config = await pending;
      passLog.info('pass complete', { ...summary });
      if (metricsSink) writeMetrics(buildPassMetrics({ service: config.metricsService, summary, now: new Date() }), metricsSink);
      return summary;
    } catch (error: unknown) {
      passLog.error('pass failed', { error });
      // A missing parameter or unreadable SSM names the parameter, never a value: kept as it is for the operator.
      throw error instanceof ConfigError || error instanceof SecretsError ? error : redacted(error);
    }
  };
  return middy(pass, {
    // middy aborts `signal` this long before the Lambda timeout (only where the context has getRemainingTimeInMillis).
    timeoutEarlyInMillis: COMMIT_RESERVE_MS,
    // The pass answers, not middy: the abort ends its upstream phase, and what it fetched is still committed.
    timeoutEarlyResponse: () => new Promise<never>(() => undefined),
  });
}

/**
 * A handler from the environment: rejects with one line naming a bad
 * variable; the secrets (from SSM when a `*_PARAM` names them) are read by
 * each invocation through the cache, so a missing parameter fails that pass
 * naming it, and after the cache expires a rotated secret is used without a
 * redeploy.
 */
export async function loadSyncHandler(options: LoadSyncHandlerOptions = {}, checked?: SyncConfig) {
  const env = options.env ?? process.env;
  const log = options.log ?? createLogger({ service: 'region-sync', function: 'sync' });
  const settings = secretSettings(env);
  // Parsed once at cold start: with no secret in SSM, it is already the configuration the passes use.
  const initial = checked ?? loadSyncConfig({ ...env, ...placeholders(settings) });
  const fromSsm = Object.keys(settings.parameters).length > 0;
  const secrets = createSecretStore(settings, { log });
  let values: SecretValues | undefined;
  let config: SyncConfig | undefined;
  const current = async (): Promise<SyncConfig> => {
    const fresh = await secrets.get();
    if (fresh !== values || !config) [values, config] = [fresh, registerConfigSecrets(fromSsm ? loadSyncConfig({ ...env, ...fresh }) : initial)];
    return config;
  };
  // The clients need no secret: they are built now, and the first pass reads SSM beside its table read.
  return createSyncHandler(initial, { ...options, log, current });
}

/** A stand-in for each secret SSM will give, so the configuration can be checked before it is read. */
function placeholders(settings: ReturnType<typeof secretSettings>): Record<string, string> {
  return Object.fromEntries(Object.keys(settings.parameters).map((variable) => [variable, 'read-from-ssm']));
}

type SyncHandler = ReturnType<typeof createSyncHandler>;

/**
 * The Lambda entry point's handler. Every setting is checked now, at init, so
 * a bad one fails the cold start naming the variable; the SSM secrets are read
 * before the first pass, and a missing parameter fails it naming the
 * parameter (then the next invocation tries again). No top-level await: it
 * would stop `serverless invoke local`, which loads handlers with require().
 */
export function prepareSyncHandler(options: LoadSyncHandlerOptions = {}) {
  const env = options.env ?? process.env;
  const checked = loadSyncConfig({ ...env, ...placeholders(secretSettings(env)) });
  let loading: Promise<SyncHandler> | undefined;
  return async (event: ScheduledEvent | Record<string, never>, context: Context): Promise<PassSummary> => {
    loading ??= loadSyncHandler(options, checked).catch((error: unknown) => {
      loading = undefined;
      throw error;
    });
    return (await loading)(event, context);
  };
}

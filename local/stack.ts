/**
 * The local stack behind `npm start` and `npm run sync`: DynamoDB Local (data
 * under .local/), the PutEvents receiver (events printed and appended to
 * .local/events.jsonl), and a simulator for every enabled source whose
 * endpoint is not configured. It returns the environment the very same
 * Lambda handlers then read, exactly as they would in AWS.
 *
 * Settings are checked before anything starts, so a bad one stops the command
 * with one line naming the variable.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Env } from '../lib/core/config';
import { loadSyncConfig } from '../lib/sync/config';
import { startDynamoDbLocal } from './dynamodb';
import { startEventReceiver, type EventReceiver, type ReceivedEvent } from './event-receiver';
import { loadNotificationFamilies, previewNotification, type BusEvent } from './notifications';
import { startLocalS3, type LocalS3 } from './s3';
import { startModelartsSimulator, startZillizSimulator, type ModelartsSimulator, type ZillizSimulator } from './simulators';
import { ensureTable } from './table';
import { LATEST_KEY } from '../lib/store/catalog-layout';
import { startLocalWebhooks, type LocalWebhooks } from './webhooks';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const LOCAL_DIR = join(ROOT, '.local');
/** Written by a running `npm start`: its pid and the environment of its stack. */
export const STATE_FILE = join(LOCAL_DIR, 'stack.json');

export const LOCAL_DEFAULTS: Env = {
  AWS_REGION: 'us-east-1',
  TABLE_NAME: 'region-sync-local',
  EVENT_BUS_NAME: 'region-sync-local',
  EVENT_SOURCE: 'region-sync',
  SOURCES: 'zilliz,modelarts',
};

export interface LocalStackOptions {
  env: Env;
  /** Keep DynamoDB data under .local/dynamodb (npm start, npm run sync); in memory otherwise. */
  persist: boolean;
  /** Print each event on one line as it arrives. */
  printEvents: boolean;
  /**
   * Preferred ports (npm start: PORT+1…PORT+4, so `serverless invoke local` can reach them); a port
   * that is taken falls back to a free one, named in `started`. Free ones when absent.
   */
  ports?: { zilliz: number; modelarts: number; dynamodb: number; events: number };
  /** One line as each component is ready (npm start prints them). */
  progress?: (line: string) => void;
  /** Render each event as the webhook and the email would get it: printed and appended to .local/notifications.jsonl. */
  notifications?: { pageUrl: () => string };
  /** Deliver every event as a signed webhook to our receiver (.local/webhooks.jsonl), as the deliver function would. */
  webhooks?: boolean;
}

export interface LocalStack {
  /** The complete environment for the handlers. */
  env: Env;
  /** Just what the stack provides (endpoints, table, simulator credentials): what it shares with `npm run sync`, never the user's own variables. */
  provided: Env;
  /** What was started, for the banner; `fallbackFrom` when the preferred port was taken. */
  started: { name: string; url: string; fallbackFrom?: number }[];
  zilliz?: ZillizSimulator;
  modelarts?: ModelartsSimulator;
  receiver?: EventReceiver;
  /** The local S3 server of the catalog files, when the stack started it. */
  s3?: LocalS3;
  /** The URL of catalog/latest.json, when the catalog files are written. */
  catalogFileUrl?: string;
  webhooks?: LocalWebhooks;
  stop(): Promise<void>;
}

const PLACEHOLDER = 'http://127.0.0.1:9';
export const NOTIFICATIONS_FILE = join(LOCAL_DIR, 'notifications.jsonl');
export const WEBHOOKS_FILE = join(LOCAL_DIR, 'webhooks.jsonl');

/** True when nothing listens on the port, on any address (a listener on 127.0.0.1 or 0.0.0.0 both count). */
export function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolveFree) => {
    const server = createServer();
    server.once('error', () => resolveFree(false));
    server.listen(port, () => server.close(() => resolveFree(true)));
  });
}

/** The preferred port when it is free, else 0 (any free port). */
async function choosePort(preferred: number | undefined): Promise<{ port: number; fallbackFrom?: number }> {
  if (preferred === undefined || preferred === 0) return { port: 0 };
  return (await portIsFree(preferred)) ? { port: preferred } : { port: 0, fallbackFrom: preferred };
}

const seconds = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)} s`;

/** The event as a rule's target gets it from EventBridge. */
function busEvent(event: ReceivedEvent, region: string): BusEvent {
  return {
    version: '0',
    id: event.eventId,
    'detail-type': event.detailType,
    source: event.source,
    account: '000000000000',
    time: (event.time ?? event.receivedAt).replace(/\.\d{3}Z$/, 'Z'),
    region,
    resources: event.resources,
    detail: event.detail,
  };
}

/** The preview writer: each notified event printed as its webhook line and kept with its email in a file. */
function notificationPreview(pageUrl: () => string, region: string, print: boolean): (event: ReceivedEvent) => void {
  const { families, pageUrlNode } = loadNotificationFamilies();
  return (event) => {
    const preview = previewNotification(families, busEvent(event, region), pageUrl(), pageUrlNode);
    if (!preview) return;
    if (print) process.stdout.write(`[notify] ${preview.webhook.text}\n`);
    appendFileSync(NOTIFICATIONS_FILE, `${JSON.stringify({ at: event.receivedAt, detailType: preview.detailType, webhook: preview.webhook, email: preview.email })}\n`);
  };
}

function isUnset(env: Env, name: string): boolean {
  return env[name] === undefined || env[name] === '';
}

/** The user's settings with placeholders where the stack will provide a value: validated before anything starts. */
export function checkSettings(env: Env): void {
  const probe: Env = { ...LOCAL_DEFAULTS, ...env };
  if (isUnset(env, 'ZILLIZ_BASE_URL')) Object.assign(probe, { ZILLIZ_BASE_URL: PLACEHOLDER, ZILLIZ_API_KEY: env.ZILLIZ_API_KEY || 'placeholder' });
  if (isUnset(env, 'MODELARTS_ENDPOINT')) {
    Object.assign(probe, {
      MODELARTS_ENDPOINT: PLACEHOLDER,
      HUAWEI_PROJECT_ID: env.HUAWEI_PROJECT_ID || '0'.repeat(32),
      HUAWEI_IAM_ENDPOINT: env.HUAWEI_IAM_ENDPOINT || PLACEHOLDER,
      HUAWEI_DOMAIN_NAME: env.HUAWEI_DOMAIN_NAME || 'placeholder',
      HUAWEI_USERNAME: env.HUAWEI_USERNAME || 'placeholder',
      HUAWEI_PASSWORD: env.HUAWEI_PASSWORD || 'placeholder',
    });
  }
  if (isUnset(env, 'DYNAMODB_ENDPOINT')) probe.DYNAMODB_ENDPOINT = PLACEHOLDER;
  if (isUnset(env, 'EVENTBRIDGE_ENDPOINT')) probe.EVENTBRIDGE_ENDPOINT = PLACEHOLDER;
  loadSyncConfig(probe);
}

/** Where a simulator's data is kept between runs (`npm run reset` clears it with the rest of .local/). */
export const SIMULATORS_DIR = join(LOCAL_DIR, 'simulators');

/**
 * Restores a simulator's data from .local/simulators/<name>.json, then writes it back whenever it
 * changed (checked every second, and at stop). Returns the stop. An unreadable file is reported and
 * left aside (renamed), never fatal: the simulator starts from its sample.
 */
function persistData(name: string, live: () => unknown, restore: (saved: never) => void): () => Promise<void> {
  mkdirSync(SIMULATORS_DIR, { recursive: true });
  const file = join(SIMULATORS_DIR, `${name}.json`);
  if (existsSync(file)) {
    try {
      restore(JSON.parse(readFileSync(file, 'utf8')) as never);
    } catch {
      renameSync(file, `${file}.unreadable`);
      process.stderr.write(`.local/simulators/${name}.json could not be read: kept as ${name}.json.unreadable, the simulator starts from its sample\n`);
    }
  }
  let written = '';
  const save = () => {
    const text = JSON.stringify(live());
    if (text === written) return;
    writeFileSync(`${file}.tmp`, text);
    renameSync(`${file}.tmp`, file);
    written = text;
  };
  save();
  const timer = setInterval(save, 1000);
  timer.unref();
  return async () => {
    clearInterval(timer);
    save();
  };
}

export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  checkSettings(options.env);
  const env: Env = { ...LOCAL_DEFAULTS, ...Object.fromEntries(Object.entries(options.env).filter(([, v]) => v !== '')) };
  const stops: (() => Promise<void>)[] = [];
  const stack: LocalStack = {
    env,
    provided: {},
    started: [],
    stop: async () => {
      for (const stop of stops.reverse()) await stop().catch(() => undefined);
    },
  };
  try {
    mkdirSync(LOCAL_DIR, { recursive: true });
    const progress = options.progress ?? (() => undefined);
    const started = (name: string, url: string, since: number, fallbackFrom?: number) => {
      stack.started.push({ name, url, ...(fallbackFrom ? { fallbackFrom } : {}) });
      progress(`  ${name} ready on ${url} in ${seconds(since)}${fallbackFrom ? ` (port ${fallbackFrom} is taken: another free one instead)` : ''}`);
    };
    if (isUnset(env, 'DYNAMODB_ENDPOINT')) {
      const since = Date.now();
      const { port, fallbackFrom } = await choosePort(options.ports?.dynamodb);
      const db = await startDynamoDbLocal({
        ...(options.persist ? { dbPath: join(LOCAL_DIR, 'dynamodb') } : {}),
        ...(port ? { port } : {}),
      });
      stops.push(db.stop);
      env.DYNAMODB_ENDPOINT = db.endpoint;
      started(`DynamoDB Local (pid ${db.pid}${options.persist ? ', data in .local/dynamodb' : ''})`, db.endpoint, since, fallbackFrom);
    }
    const raw = new DynamoDBClient({
      region: env.AWS_REGION ?? 'us-east-1',
      endpoint: env.DYNAMODB_ENDPOINT,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    await ensureTable(raw, env.TABLE_NAME ?? 'region-sync-local');
    raw.destroy();

    if (isUnset(env, 'EVENTBRIDGE_ENDPOINT') && options.webhooks) {
      const since = Date.now();
      const webhooks = await startLocalWebhooks({ logFile: WEBHOOKS_FILE });
      stops.push(() => webhooks.close());
      stack.webhooks = webhooks;
      Object.assign(env, webhooks.env);
      started('Webhook receiver (deliveries in .local/webhooks.jsonl; endpoint `local`)', `${webhooks.receiver.url}/local`, since);
    }
    if (isUnset(env, 'EVENTBRIDGE_ENDPOINT')) {
      const since = Date.now();
      const { port, fallbackFrom } = await choosePort(options.ports?.events);
      const preview = options.notifications ? notificationPreview(options.notifications.pageUrl, env.AWS_REGION ?? 'us-east-1', options.printEvents) : undefined;
      const webhooks = stack.webhooks;
      const region = env.AWS_REGION ?? 'us-east-1';
      const receiver = await startEventReceiver({
        logFile: join(LOCAL_DIR, 'events.jsonl'),
        print: options.printEvents,
        port,
        ...(preview || webhooks
          ? {
              onEvent: (event: ReceivedEvent) => {
                preview?.(event);
                webhooks?.onEvent(busEvent(event, region));
              },
            }
          : {}),
      });
      stops.push(() => receiver.close());
      stack.receiver = receiver;
      env.EVENTBRIDGE_ENDPOINT = receiver.endpoint;
      started(
        `EventBridge receiver (events in .local/events.jsonl${options.notifications ? ', notifications as sent in .local/notifications.jsonl' : ''})`,
        receiver.endpoint,
        since,
        fallbackFrom,
      );
    }
    // The simulators' data outlives a restart (as DynamoDB's does), so a restart shows no spurious change.
    const keepData = options.persist ? (name: string, live: () => unknown, restore: (saved: never) => void) => stops.push(persistData(name, live, restore)) : undefined;
    const sources = (env.SOURCES ?? '').split(',').map((s) => s.trim());
    if (sources.includes('zilliz') && isUnset(env, 'ZILLIZ_BASE_URL')) {
      // The simulator's own key: a real key set in the shell never reaches it, nor .local/stack.json.
      const since = Date.now();
      const { port, fallbackFrom } = await choosePort(options.ports?.zilliz);
      const zilliz = await startZillizSimulator({ port });
      stops.push(() => zilliz.close());
      keepData?.('zilliz', () => zilliz.data, (saved: ZillizSimulator['data']) => Object.assign(zilliz.data, saved));
      stack.zilliz = zilliz;
      Object.assign(env, { ZILLIZ_BASE_URL: zilliz.url, ZILLIZ_API_KEY: zilliz.apiKey });
      started('Zilliz simulator (control: /_sim/state, /_sim/regions, /_sim/faults)', zilliz.url, since, fallbackFrom);
    }
    if (sources.includes('modelarts') && isUnset(env, 'MODELARTS_ENDPOINT')) {
      const since = Date.now();
      const { port, fallbackFrom } = await choosePort(options.ports?.modelarts);
      const modelarts = await startModelartsSimulator({
        port,
        ...(env.HUAWEI_PROJECT_ID ? { projectId: env.HUAWEI_PROJECT_ID } : {}),
      });
      stops.push(() => modelarts.close());
      keepData?.('modelarts', () => modelarts.data, (saved: ModelartsSimulator['data']) => Object.assign(modelarts.data, saved));
      stack.modelarts = modelarts;
      Object.assign(env, { MODELARTS_ENDPOINT: modelarts.url, HUAWEI_PROJECT_ID: modelarts.projectId });
      // No method chosen: AK/SK signing with the simulator's pair (one round trip a pass); HUAWEI_IAM_ENDPOINT=… picks the password login.
      const chosen = ['HUAWEI_ACCESS_KEY', 'HUAWEI_SECRET_KEY', 'HUAWEI_AUTH_TOKEN', 'HUAWEI_IAM_ENDPOINT'].some((name) => !isUnset(env, name));
      if (!chosen) Object.assign(env, { HUAWEI_ACCESS_KEY: modelarts.accessKey, HUAWEI_SECRET_KEY: modelarts.secretKey });
      else if (isUnset(env, 'HUAWEI_ACCESS_KEY') && isUnset(env, 'HUAWEI_AUTH_TOKEN') && env.HUAWEI_IAM_ENDPOINT === modelarts.url) {
        Object.assign(env, {
          HUAWEI_DOMAIN_NAME: env.HUAWEI_DOMAIN_NAME || modelarts.domainName,
          HUAWEI_USERNAME: env.HUAWEI_USERNAME || modelarts.username,
          HUAWEI_PASSWORD: env.HUAWEI_PASSWORD || modelarts.password,
        });
      }
      started('ModelArts + IAM simulator (control: /_sim/...)', modelarts.url, since, fallbackFrom);
    }
    if (isUnset(env, 'CATALOG_BUCKET') && isUnset(env, 'S3_ENDPOINT')) {
      // The catalog files (issue 20) go to a local S3 server, as a deployment's go to its bucket.
      const since = Date.now();
      const s3 = await startLocalS3({ bucket: LOCAL_DEFAULTS.TABLE_NAME ?? 'region-sync-local', ...(options.persist ? { directory: join(LOCAL_DIR, 's3') } : {}) });
      stops.push(() => s3.stop());
      stack.s3 = s3;
      Object.assign(env, { CATALOG_BUCKET: s3.bucket, S3_ENDPOINT: s3.endpoint, CATALOG_FILE_URL: s3.url(LATEST_KEY) });
      started(`S3 (s3rver: the catalog files${options.persist ? ', kept in .local/s3' : ''})`, s3.endpoint, since);
    }
    if (env.CATALOG_FILE_URL) stack.catalogFileUrl = env.CATALOG_FILE_URL;
    const keep = ['AWS_REGION', 'TABLE_NAME', 'EVENT_BUS_NAME', 'EVENT_SOURCE', 'SOURCES', 'DYNAMODB_ENDPOINT', 'EVENTBRIDGE_ENDPOINT'];
    if (stack.s3) keep.push('CATALOG_BUCKET', 'S3_ENDPOINT', 'CATALOG_FILE_URL');
    if (stack.webhooks) keep.push(...Object.keys(stack.webhooks.env));
    if (stack.zilliz) keep.push('ZILLIZ_BASE_URL', 'ZILLIZ_API_KEY');
    if (stack.modelarts) {
      keep.push('MODELARTS_ENDPOINT', 'HUAWEI_PROJECT_ID', 'HUAWEI_ACCESS_KEY', 'HUAWEI_SECRET_KEY', 'HUAWEI_IAM_ENDPOINT', 'HUAWEI_DOMAIN_NAME', 'HUAWEI_USERNAME', 'HUAWEI_PASSWORD');
    }
    stack.provided = Object.fromEntries(keep.filter((k) => env[k] !== undefined).map((k) => [k, env[k]]));
    return stack;
  } catch (error: unknown) {
    await stack.stop();
    throw error;
  }
}

/** The stack of a running `npm start`, if there is one: `npm run sync` joins it rather than starting a second DynamoDB Local on the same data. */
export function runningStack(): LocalStack | undefined {
  if (!existsSync(STATE_FILE)) return undefined;
  try {
    const state = JSON.parse(readFileSync(STATE_FILE, 'utf8')) as { pid: number; provided: Env };
    process.kill(state.pid, 0);
    // The user's variables are not merged here: local/join.ts decides, and refuses a conflict.
    const joined: LocalStack = { env: { ...LOCAL_DEFAULTS, ...state.provided }, provided: state.provided, started: [], stop: async () => undefined };
    if (state.provided.CATALOG_FILE_URL) joined.catalogFileUrl = state.provided.CATALOG_FILE_URL;
    return joined;
  } catch {
    // A stale file from a stack that did not stop cleanly.
    return undefined;
  }
}

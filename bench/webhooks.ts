/**
 * Issue 21's figures: the signed webhooks.
 *
 * - `deliveryOverheadRatio`: one event delivered through the delivery
 *   function's code path (lib/deliver: the queue message parsed, the webhook
 *   body built, signed, POSTed with its deadline to the local webhook receiver,
 *   the `delivered` line logged as in production and dropped) against a bare
 *   `fetch` POST of the same body to the same receiver. Alternating blocks of
 *   events one after another; median of the per-block ratios. Beside it, the
 *   parts of a delivery timed alone (building the body, signing, the POST with
 *   the signed headers), for what bounds the figure.
 * - `coldStartRatio`: the delivery function's cold start (its bundle built with
 *   serverless.yml's esbuild options, loaded as the Lambda runtime loads it,
 *   then one SQS batch of one event delivered) against an SDK-only bundle that
 *   reads one secret (GetSecretValue) from the same Secrets Manager stand-in:
 *   bench/cold-start.ts's method (fresh processes, back-to-back pairs, median
 *   of the per-pair ratios).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build, type BuildOptions } from 'esbuild';
import { monotonicFactory } from 'ulid';
import { createLogger } from '../lib/core/log';
import { createDeliverer } from '../lib/deliver/deliver';
import { parseEndpoints } from '../lib/deliver/endpoints';
import { eventMessage, type BusEvent } from '../lib/deliver/messages';
import { post } from '../lib/deliver/post';
import { signRequest, webhookBody } from '../lib/deliver/sign';
import { startSecretsManager } from '../local/secrets-manager';
import { startWebhookReceiver } from '../local/webhook-receiver';
import { bundle, esbuildOptionsFromServerless, measure, RUNS, sdkClientsIn, type FunctionColdStart } from './cold-start';
import type { BenchContext } from './context';
import { log, median, REGION, round } from './support';

const BLOCKS = 20;
const PER_BLOCK = 50;
const SECRET_ID = 'region-sync/bench/webhooks';
const ROOT = resolve(import.meta.dirname, '..');

export interface WebhooksDetails {
  events: number;
  /** Medians over the blocks, per event (ms). */
  deliverMs: number;
  bareMs: number;
  blockRatios: number[];
  /** The parts of a delivery timed alone, per event (ms, medians over blocks). */
  parts: { bodyMs: number; signMs: number; signedPostMs: number };
  bodyBytes: number;
  coldStart: Omit<FunctionColdStart, 'calls' | 'sdkClients'> & {
    sdkClients: string[];
    secretReads: number;
    deliveries: number;
    /** Against an SDK-only bundle that reads the secret and POSTs the same body once: the bound. */
    vsSecretAndPost: { ratio: number; totalMs: number; baselineTotalMs: number; importRatio: number; invokeRatio: number; baselineInvokeMs: number };
    /** Bytes of the function's bundle by origin (the largest first). */
    composition: Record<string, number>;
  };
}

/** A Region Changed event as the rule hands it to the queue. */
function sampleEvent(newId: () => string): BusEvent {
  const region = (name: string) => ({
    id: 'zilliz:aws-us-west-2',
    source: 'zilliz',
    cloudId: 'aws',
    regionId: 'aws-us-west-2',
    name,
    localizedNames: {},
    apiBaseUrl: 'https://api.cloud.zilliz.com',
    attributes: { domain: 'api.cloud.zilliz.com', supportedClusterTypes: ['serverless', 'dedicated'] },
  });
  const detectedAt = new Date().toISOString();
  return {
    id: newId(),
    'detail-type': 'Region Changed',
    source: 'region-sync',
    time: detectedAt,
    detail: {
      id: newId(),
      type: 'region.changed',
      scope: 'zilliz/aws',
      regionKey: 'zilliz:aws-us-west-2',
      detectedAt,
      changedFields: ['name'],
      before: region('US West (Oregon)'),
      after: region('US West 2 (Oregon)'),
    },
  };
}

const secret = () => `whsec_${randomBytes(32).toString('base64')}`;

async function deliveryOverhead() {
  const receiver = await startWebhookReceiver();
  const newId = monotonicFactory();
  const { endpoints, problems } = parseEndpoints(JSON.stringify([{ name: 'bench', url: `${receiver.url}/bench`, secret: secret() }]));
  if (problems.length || endpoints.length !== 1) throw new Error(`webhooks: the bench endpoint does not parse: ${JSON.stringify(problems)}`);
  const endpoint = endpoints[0]!;
  const refuse = () => Promise.reject(new Error('webhooks bench: a delivery failed'));
  // Lines are serialised as in production (the cost stays in the delivery) and dropped.
  const deliver = createDeliverer({ endpoints: async () => endpoints, queue: { later: refuse, deadLetter: refuse }, log: createLogger({ function: 'deliver' }, () => undefined, 'info') });
  const event = sampleEvent(newId);
  const record = { messageId: 'bench', body: JSON.stringify(event) };
  const body = webhookBody(eventMessage(event));
  const url = `${receiver.url}/bench`;
  const bare = async () => {
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    await response.arrayBuffer();
    if (response.status !== 204) throw new Error(`webhooks: bare POST answered ${response.status}`);
  };
  const viaDeliver = async () => {
    const out = await deliver([record]);
    if (out.batchItemFailures.length) throw new Error('webhooks: the delivery failed');
  };
  const block = async (one: () => Promise<void>) => {
    const t0 = performance.now();
    for (let i = 0; i < PER_BLOCK; i++) await one();
    return (performance.now() - t0) / PER_BLOCK;
  };
  try {
    // Warm-up: connections open, code compiled.
    await block(bare);
    await block(viaDeliver);
    const deliverMs: number[] = [];
    const bareMs: number[] = [];
    const ratios: number[] = [];
    for (let b = 0; b < BLOCKS; b++) {
      let d: number;
      let f: number;
      if (b % 2 === 0) {
        d = await block(viaDeliver);
        f = await block(bare);
      } else {
        f = await block(bare);
        d = await block(viaDeliver);
      }
      deliverMs.push(d);
      bareMs.push(f);
      ratios.push(d / f);
    }
    // The parts alone.
    const loop = (n: number, fn: () => void) => {
      const t0 = performance.now();
      for (let i = 0; i < n; i++) fn();
      return (performance.now() - t0) / n;
    };
    const bodyMs = median(Array.from({ length: 5 }, () => loop(2_000, () => webhookBody(eventMessage(JSON.parse(record.body) as BusEvent)))));
    const signMs = median(Array.from({ length: 5 }, () => loop(2_000, () => signRequest(endpoint.key, event.id, body, new Date()))));
    const signedPost: number[] = [];
    for (let b = 0; b < 5; b++) {
      signedPost.push(
        await block(async () => {
          const result = await post(url, signRequest(endpoint.key, event.id, body, new Date()), 10_000);
          if (!result.ok) throw new Error('webhooks: signed POST failed');
        }),
      );
    }
    const expected = (BLOCKS + 1) * PER_BLOCK;
    const delivered = receiver.requests.filter((r) => r.headers['webhook-signature']).length;
    if (delivered < expected) throw new Error(`webhooks: the receiver saw ${delivered} signed deliveries, expected at least ${expected}`);
    return {
      ratio: round(median(ratios), 3),
      details: {
        events: BLOCKS * PER_BLOCK,
        deliverMs: round(median(deliverMs), 4),
        bareMs: round(median(bareMs), 4),
        blockRatios: ratios.map((r) => round(r, 3)),
        parts: { bodyMs: round(bodyMs, 4), signMs: round(signMs, 4), signedPostMs: round(median(signedPost), 4) },
        bodyBytes: Buffer.byteLength(body),
      },
    };
  } finally {
    await receiver.close();
  }
}

/** The SDK-only baseline: the Secrets Manager client with the function's options, one GetSecretValue (and, `post`, one fetch POST). */
function baselineSource(post = false): string {
  return [
    "import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';",
    "const env = process.env; const local = { accessKeyId: 'local', secretAccessKey: 'local' };",
    'const client = new SecretsManagerClient({ region: env.AWS_REGION, ...(env.SECRETS_MANAGER_ENDPOINT ? { endpoint: env.SECRETS_MANAGER_ENDPOINT, credentials: local } : {}) });',
    'export const handler = async () => {',
    '  const out = await client.send(new GetSecretValueCommand({ SecretId: env.WEBHOOK_ENDPOINTS_SECRET_ID }));',
    '  if (typeof out.SecretString !== "string") throw new Error("no secret");',
    ...(post
      ? ["  const res = await fetch(env.BENCH_WEBHOOK_URL, { method: 'POST', headers: { 'content-type': 'application/json' }, body: env.BENCH_WEBHOOK_BODY });", '  await res.arrayBuffer();']
      : []),
    '  return {};',
    '};',
  ].join('\n');
}

/** The function's bundle, bytes by where they come from: each npm package, and the project's own code. */
async function bundleComposition(options: BuildOptions): Promise<Record<string, number>> {
  const result = await build({ ...options, absWorkingDir: ROOT, entryPoints: [join(ROOT, 'functions/deliver.ts')], outfile: join(tmpdir(), 'deliver-composition.cjs'), metafile: true, write: false, logLevel: 'silent' });
  const sizes: Record<string, number> = {};
  for (const output of Object.values(result.metafile.outputs)) {
    for (const [path, { bytesInOutput }] of Object.entries(output.inputs)) {
      const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1] ?? 'the project (lib, functions)';
      sizes[pkg] = (sizes[pkg] ?? 0) + bytesInOutput;
    }
  }
  return Object.fromEntries(Object.entries(sizes).sort(([, a], [, b]) => b - a).slice(0, 12));
}

async function coldStart() {
  const receiver = await startWebhookReceiver();
  const secrets = await startSecretsManager({ [SECRET_ID]: JSON.stringify([{ name: 'bench', url: `${receiver.url}/bench`, secret: secret() }]) });
  const outdir = mkdtempSync(join(tmpdir(), 'region-sync-deliver-cold-'));
  try {
    const { options, extension } = esbuildOptionsFromServerless();
    const file = join(outdir, `deliver${extension}`);
    const fn = await bundle(options, file, { file: 'functions/deliver.ts' });
    const baselineFile = join(outdir, `deliver-sdk-only${extension}`);
    const base = await bundle(options, baselineFile, { source: baselineSource() });
    const postFile = join(outdir, `deliver-sdk-post${extension}`);
    await bundle(options, postFile, { source: baselineSource(true) });
    const composition = await bundleComposition(options);
    const env: Record<string, string> = {
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: 'bench',
      AWS_SECRET_ACCESS_KEY: 'bench',
      WEBHOOK_ENDPOINTS_SECRET_ID: SECRET_ID,
      // A delivery that succeeds sends nothing to the queues: their URLs are never called.
      DELIVER_QUEUE_URL: 'http://127.0.0.1:9/000000000000/deliver',
      DELIVER_DLQ_URL: 'http://127.0.0.1:9/000000000000/deliver-dlq',
      SECRETS_MANAGER_ENDPOINT: secrets.endpoint,
      SQS_ENDPOINT: 'http://127.0.0.1:9',
    };
    const busEvent = sampleEvent(monotonicFactory());
    const event = { Records: [{ messageId: 'bench-1', body: JSON.stringify(busEvent) }] };
    const figures = await measure(file, baselineFile, env, event, () => undefined);
    // The bound: the same SDK bundle that also POSTs the same body once (what the first invocation cannot avoid).
    const withPost = await measure(file, postFile, { ...env, BENCH_WEBHOOK_URL: `${receiver.url}/bench`, BENCH_WEBHOOK_BODY: webhookBody(eventMessage(busEvent)) }, event, () => undefined);
    // Every function run delivered twice (cold, then warm): the untimed one and the timed ones.
    const deliveries = receiver.requests.length;
    if (deliveries < 4 * (RUNS + 1)) throw new Error(`webhooks cold start: ${deliveries} deliveries received, expected ${4 * (RUNS + 1)}`);
    return {
      ...figures,
      sdkClients: sdkClientsIn(fn.inputs),
      esbuildBytes: fn.bytes,
      baselineBytes: base.bytes,
      secretReads: secrets.reads,
      deliveries,
      vsSecretAndPost: { ratio: withPost.ratio, totalMs: withPost.totalMs, baselineTotalMs: withPost.baselineTotalMs, importRatio: withPost.importRatio, invokeRatio: withPost.invokeRatio, baselineInvokeMs: withPost.baselineInvokeMs },
      composition,
    };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
    await Promise.all([receiver.close(), secrets.close()]);
  }
}

export async function runWebhooks(_ctx: BenchContext): Promise<{ values: Record<string, number>; details: WebhooksDetails }> {
  const delivery = await deliveryOverhead();
  log(`webhooks: delivery ${delivery.details.deliverMs} ms vs bare fetch ${delivery.details.bareMs} ms per event (ratio ${delivery.ratio})`);
  const cold = await coldStart();
  log(`webhooks: cold start ${cold.totalMs} vs ${cold.baselineTotalMs} ms (ratio ${cold.ratio})`);
  return {
    values: { 'webhooks.deliveryOverheadRatio': delivery.ratio, 'webhooks.coldStartRatio': cold.ratio },
    details: { ...delivery.details, coldStart: cold },
  };
}

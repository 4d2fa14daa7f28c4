/**
 * Figure 5, scale: 100 Zilliz clouds of 100 regions each (10,000 regions, no
 * upstream latency), default sources. The passes run in a forked child (the
 * pass code bundled with esbuild, as the function is) whose peak RSS is read
 * from `process.resourceUsage().maxRSS`; the simulators, the table and the
 * event receiver stay in this process. Then a pass after 1 % of the regions
 * changed (one in each cloud), and `GET /regions` through the catalog handler
 * at that size: latency cold (load + serialise + compress) and warm, and the
 * size of each encoding.
 */
import type { ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { gunzipSync, brotliDecompressSync } from 'node:zlib';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { catalogHandlerFromConfig } from '../lib/catalog/handler';
import { loadCatalogConfig } from '../lib/catalog/config';
import { startHttpAdapter, type HttpAdapter, type HttpApiHandler } from '../local/http-adapter';
import { startEventReceiver } from '../local/event-receiver';
import { startModelartsSimulator, startZillizSimulator, type ModelartsSimulator, type ZillizSimulator } from '../local/simulators';
import { ask, bundleBenchModule, forkBundle, nextMessage, stopChild } from './ipc';
import type { ScalePassFigures } from './scale-child';
import { freshTable, generatedClouds, log, median, REGION, round, syncEnv, touchRegions } from './support';

export const CLOUDS = 100;
export const REGIONS_PER_CLOUD = 100;
export const RSS_GOAL_MB = 256;
/** API Gateway's limit on a Lambda response (base64 included for a compressed body). */
const LAMBDA_RESPONSE_LIMIT = 6 * 1024 * 1024;

export interface EncodingFigures {
  bytes: number;
  /** The first request for this encoding (it builds and compresses the body). */
  firstMs: number;
  /** Median of later requests (memoised body). */
  warmMs: number;
  /** What the Lambda response would weigh (base64 for a compressed body) against the 6 MB limit. */
  lambdaResponseBytes: number;
}

export interface UpstreamWindow {
  requests: number;
  /** First to last upstream request of the pass (the Zilliz start spacing shows here). */
  windowMs: number;
  /** What Zilliz's documented rate alone imposes (at most 20 starts in any second): ⌊(requests − 1) / 20⌋ s. */
  rateFloorMs: number;
}

export interface ScaleResult {
  regions: number;
  clouds: number;
  firstPassMs: number;
  onePercentPassMs: number;
  unchangedPassMs: number;
  peakRssMb: number;
  rssGoalMb: number;
  first: ScalePassFigures & { upstream: UpstreamWindow };
  onePercent: ScalePassFigures & { touched: number; upstream: UpstreamWindow };
  unchanged: ScalePassFigures & { upstream: UpstreamWindow };
  catalog: {
    /** First request after the function started: the 10,000 regions read from DynamoDB, then serialised. */
    coldLoadMs: number;
    identity: EncodingFigures;
    gzip: EncodingFigures;
    br: EncodingFigures;
    lambdaLimitBytes: number;
  };
  pass: { peakRss: boolean };
}

type ChildMessage = { type: 'ready'; rssMb: number } | { type: 'pass'; figures: ScalePassFigures };

const ZILLIZ_RATE_PER_SECOND = 20;

async function runPassInChild(child: ChildProcess, sims: { zilliz: ZillizSimulator; modelarts: ModelartsSimulator }): Promise<ScalePassFigures & { upstream: UpstreamWindow }> {
  sims.zilliz.requests.length = 0;
  sims.modelarts.requests.length = 0;
  const message = await ask<Extract<ChildMessage, { type: 'pass' }>>(child, { type: 'pass' }, 'pass');
  if (!message.figures.ok) throw new Error('scale: a pass failed a scope');
  const at = [...sims.zilliz.requests, ...sims.modelarts.requests].map((r) => r.at);
  const upstream = {
    requests: at.length,
    windowMs: at.length ? Math.max(...at) - Math.min(...at) : 0,
    rateFloorMs: Math.floor(Math.max(0, sims.zilliz.requests.length - 1) / ZILLIZ_RATE_PER_SECOND) * 1000,
  };
  return { ...message.figures, upstream };
}

function get(url: string, headers: Record<string, string>): Promise<{ status: number; ms: number; body: Buffer; encoding: string }> {
  return new Promise((resolvePromise, reject) => {
    const started = performance.now();
    const req = request(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolvePromise({ status: res.statusCode ?? 0, ms: performance.now() - started, body: Buffer.concat(chunks), encoding: String(res.headers['content-encoding'] ?? 'identity') }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

async function measureEncoding(url: string, accept: string, regions: number): Promise<EncodingFigures> {
  const headers: Record<string, string> = accept ? { 'accept-encoding': accept } : {};
  const first = await get(url, headers);
  if (first.status !== 200) throw new Error(`scale: GET /regions answered ${first.status}`);
  const text = first.encoding === 'br' ? brotliDecompressSync(first.body) : first.encoding === 'gzip' ? gunzipSync(first.body) : first.body;
  const count = (JSON.parse(text.toString('utf8')) as { count: number }).count;
  if (count !== regions) throw new Error(`scale: GET /regions listed ${count} regions, expected ${regions}`);
  const warm: number[] = [];
  for (let i = 0; i < 9; i++) warm.push((await get(url, headers)).ms);
  const compressed = first.encoding !== 'identity';
  return {
    bytes: first.body.length,
    firstMs: round(first.ms, 1),
    warmMs: round(median(warm), 1),
    lambdaResponseBytes: compressed ? Math.ceil(first.body.length / 3) * 4 : first.body.length,
  };
}

export async function runScale(endpoint: string): Promise<ScaleResult> {
  const table = await freshTable(endpoint);
  const zilliz = await startZillizSimulator({ data: generatedClouds(CLOUDS, REGIONS_PER_CLOUD) });
  const modelarts = await startModelartsSimulator();
  const receiver = await startEventReceiver();
  let child: ChildProcess | undefined;
  let adapter: HttpAdapter | undefined;
  try {
    const file = await bundleBenchModule('scale-child.ts');
    child = forkBundle(file, syncEnv({ table, zilliz, modelarts, receiver }));
    await nextMessage(child);

    const first = await runPassInChild(child, { zilliz, modelarts });
    log(`scale: first pass ${first.wallMs} ms for ${first.regions} regions, max RSS ${first.maxRssMb} MB`);
    const touched = touchRegions(zilliz.data, (CLOUDS * REGIONS_PER_CLOUD) / 100, 'scale');
    const onePercent = await runPassInChild(child, { zilliz, modelarts });
    if (onePercent.changes !== touched) throw new Error(`scale: expected ${touched} changes, got ${onePercent.changes}`);
    const unchanged = await runPassInChild(child, { zilliz, modelarts });
    log(`scale: 1% pass ${onePercent.wallMs} ms (${onePercent.changes} changes), unchanged ${unchanged.wallMs} ms, max RSS ${unchanged.maxRssMb} MB`);
    await stopChild(child);
    child = undefined;

    const handler = catalogHandlerFromConfig(loadCatalogConfig({ AWS_REGION: REGION, TABLE_NAME: table.tableName, DYNAMODB_ENDPOINT: endpoint }));
    const lambda: HttpApiHandler = (event: APIGatewayProxyEventV2, context: Context) => handler(event, context);
    adapter = await startHttpAdapter({ handler: lambda });
    const url = `${adapter.url}/regions`;
    // The cold load alone: a small route that needs the catalog (404 for an unknown region).
    const cold = await get(`${adapter.url}/regions/zilliz/none`, {});
    const regions = unchanged.regions;
    const identity = await measureEncoding(url, '', regions);
    const gzip = await measureEncoding(url, 'gzip', regions);
    const br = await measureEncoding(url, 'br', regions);
    log(`scale: GET /regions ${identity.bytes} B (gzip ${gzip.bytes}, br ${br.bytes}); cold load ${round(cold.ms, 0)} ms, br first ${br.firstMs} ms, warm ${br.warmMs} ms`);
    return {
      regions,
      clouds: CLOUDS,
      firstPassMs: first.wallMs,
      onePercentPassMs: onePercent.wallMs,
      unchangedPassMs: unchanged.wallMs,
      peakRssMb: Math.max(first.maxRssMb, onePercent.maxRssMb, unchanged.maxRssMb),
      rssGoalMb: RSS_GOAL_MB,
      first,
      onePercent: { ...onePercent, touched },
      unchanged,
      catalog: { coldLoadMs: round(cold.ms, 1), identity, gzip, br, lambdaLimitBytes: LAMBDA_RESPONSE_LIMIT },
      pass: { peakRss: Math.max(first.maxRssMb, onePercent.maxRssMb, unchanged.maxRssMb) <= RSS_GOAL_MB },
    };
  } finally {
    await stopChild(child);
    await adapter?.close();
    await Promise.all([zilliz.close(), modelarts.close(), receiver.close()]);
    await table.drop();
  }
}

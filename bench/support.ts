/**
 * What every benchmark phase shares: a fresh table on the run's DynamoDB Local,
 * generated upstream data, the sync wiring (the same as lib/sync/handler.ts,
 * with the real HTTP settings) and a timeline of the SDK calls a pass makes,
 * so a slow pass can be split into fetch, commit and publish.
 */
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { Context } from 'aws-lambda';
import { loadSyncConfig, type SyncConfig } from '../lib/sync/config';
import { createEventBridgeClient } from '../lib/sync/eventbridge';
import { createLogger, registerSecret } from '../lib/core/log';
import { clearTokenCache } from '../lib/sync/sources/huawei-iam';
import { createDocumentClient } from '../lib/store/client';
import { attachMeter, createMeter, type Meter } from './meter';
import { createSyncHandler } from '../lib/sync/handler';
import type { PassSummary } from '../lib/sync/pass';
import { startEventReceiver, type EventReceiver } from '../local/event-receiver';
import {
  simulatorEnv,
  startModelartsSimulator,
  startZillizSimulator,
  zillizSampleData,
  type ModelartsSimulator,
  type ZillizData,
  type ZillizRegion,
  type ZillizSimulator,
} from '../local/simulators';
import { createScratchTable, type ScratchTable } from '../local/table';
import { createTimeline, traceClient, type Timeline } from './timeline';

export { createTimeline, modelledWcu, traceClient, type Span, type Timeline } from './timeline';

export const REGION = 'us-east-1';

export type BenchTable = ScratchTable;

export function freshTable(endpoint: string): Promise<BenchTable> {
  return createScratchTable(endpoint, 'bench');
}

/** `count` clouds of `perCloud` regions each, ids `cNN` / `cNN-rNNN`, shaped like the sample answers. */
export function generatedClouds(count: number, perCloud: number, prefix = 'c'): ZillizData {
  const data: ZillizData = { clouds: [], regions: {} };
  for (let c = 0; c < count; c++) {
    const cloudId = `${prefix}${String(c).padStart(2, '0')}`;
    data.clouds.push({ cloudId, description: `Generated cloud ${c}` });
    data.regions[cloudId] = Array.from({ length: perCloud }, (_, r): ZillizRegion => {
      const regionId = `${cloudId}-r${String(r).padStart(3, '0')}`;
      return {
        cloudId,
        regionId,
        apiBaseUrl: `https://api.${regionId}.zillizcloud.com`,
        domain: `*.api.${regionId}.zillizcloud.com`,
        supportedClusterTypes: ['serverless', 'dedicated'],
      };
    });
  }
  return data;
}

/** The sample data plus `extraClouds` clouds of `perCloud` regions. */
export function sampleWithClouds(extraClouds: number, perCloud: number): ZillizData {
  const data = structuredClone(zillizSampleData);
  const extra = generatedClouds(extraClouds, perCloud, 'x');
  data.clouds.push(...extra.clouds);
  Object.assign(data.regions, extra.regions);
  return data;
}

export function regionCount(data: ZillizData): number {
  return Object.values(data.regions).reduce((n, list) => n + list.length, 0);
}

/** Changes one field of `n` regions, spread over the clouds (one per cloud, round robin). */
export function touchRegions(data: ZillizData, n: number, stamp: string): number {
  const lists = data.clouds.map((c) => data.regions[c.cloudId] ?? []).filter((l) => l.length > 0);
  let touched = 0;
  for (let i = 0; touched < n && lists.length > 0; i++) {
    const list = lists[i % lists.length]!;
    const region = list[Math.floor(i / lists.length) % list.length];
    if (!region) break;
    region.description = `changed ${stamp} #${i}`;
    touched++;
  }
  return touched;
}

export interface SyncBench {
  zilliz: ZillizSimulator;
  modelarts: ModelartsSimulator;
  receiver: EventReceiver;
  table: BenchTable;
  config: SyncConfig;
  env: Record<string, string>;
  timeline: Timeline;
  /** One real pass; `meter` collects its DynamoDB cost. */
  pass(meter?: Meter): Promise<PassSummary>;
  /** The pass with a fresh meter, timed by the wall clock. */
  meteredPass(): Promise<{ summary: PassSummary; meter: Meter; wallMs: number }>;
  close(): Promise<void>;
}

export interface SyncBenchOptions {
  endpoint: string;
  zilliz?: ZillizData;
  latencyMs?: number;
  /** Extra settings over the defaults (the defaults are the production ones). */
  env?: Record<string, string>;
}

/** The environment the sync function would get, pointed at the local stand-ins. */
export function syncEnv(parts: { table: BenchTable; zilliz: ZillizSimulator; modelarts: ModelartsSimulator; receiver: EventReceiver }): Record<string, string> {
  const { table, zilliz, modelarts, receiver } = parts;
  return {
    AWS_REGION: REGION,
    TABLE_NAME: table.tableName,
    DYNAMODB_ENDPOINT: table.endpoint,
    EVENT_BUS_NAME: 'region-sync-bench',
    EVENTBRIDGE_ENDPOINT: receiver.endpoint,
    ...simulatorEnv(zilliz, modelarts),
  };
}

export async function createSyncBench(options: SyncBenchOptions): Promise<SyncBench> {
  const table = await freshTable(options.endpoint);
  const latencyMs = options.latencyMs ?? 0;
  const zilliz = await startZillizSimulator({ latencyMs, ...(options.zilliz ? { data: options.zilliz } : {}) });
  const modelarts = await startModelartsSimulator({ latencyMs });
  const receiver = await startEventReceiver();
  const env = { ...syncEnv({ table, zilliz, modelarts, receiver }), ...options.env };
  const config = loadSyncConfig(env);
  registerSecret(config.zilliz?.apiKey);
  registerSecret(modelarts.password);
  clearTokenCache();
  // Lines are serialised as in production (the cost stays in the pass) and dropped.
  const log = createLogger({ service: 'region-sync', function: 'sync' }, () => undefined, 'info');
  const timeline = createTimeline(true);
  const doc = traceClient(createDocumentClient({ region: REGION, endpoint: table.endpoint }), timeline);
  const events: EventBridgeClient = traceClient(createEventBridgeClient({ region: REGION, endpoint: receiver.endpoint }), timeline);
  // The handler the Lambda entry point builds, with the traced clients; the next pass's meter counts through the client's middleware.
  let current: Meter | undefined;
  attachMeter(doc, () => current);
  const store = { doc, table: table.tableName };
  const handler = createSyncHandler(config, { store, events, log });
  const pass = (meter?: Meter) => {
    current = meter;
    return handler({}, { functionName: 'sync', awsRequestId: 'bench' } as Context);
  };
  return {
    zilliz,
    modelarts,
    receiver,
    table,
    config,
    env,
    timeline,
    pass,
    async meteredPass() {
      const meter = createMeter();
      timeline.reset();
      const started = performance.now();
      const summary = await pass(meter);
      return { summary, meter, wallMs: performance.now() - started };
    },
    async close() {
      events.destroy();
      doc.destroy();
      await Promise.all([zilliz.close(), modelarts.close(), receiver.close()]);
      await table.drop();
    },
  };
}

export const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}


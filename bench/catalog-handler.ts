/**
 * The warm catalog handler at 10,000 regions, in process (no HTTP): p50 and
 * p99 per call of `GET /regions` (br) and of its 304, against one Lambda
 * billing millisecond (goal p99 ≤ 0.1 ms). The handler runs in its own
 * process, bundled like the function (bench/catalog-handler-child.ts), on the
 * table of the large catalog (bench/large-catalog.ts).
 */
import type { BenchContext } from './context';
import type { HandlerFigures } from './catalog-handler-child';
import { ask, bundleBenchModule, forkBundle, nextMessage, stopChild } from './ipc';
import { largeCatalog } from './large-catalog';
import { log, REGION } from './support';

export interface HandlerOptions {
  iterations?: number;
  warmup?: number;
}

/** Measures the handler on `table`; the bench uses 20,000 timed calls of each kind. */
export async function measureCatalogHandler(endpoint: string, tableName: string, options: HandlerOptions = {}): Promise<HandlerFigures> {
  const file = await bundleBenchModule('catalog-handler-child.ts');
  const child = forkBundle(file, { AWS_REGION: REGION, TABLE_NAME: tableName, DYNAMODB_ENDPOINT: endpoint, LOG_LEVEL: 'warn' });
  try {
    await nextMessage(child);
    const answer = await ask<{ type: 'figures'; figures: HandlerFigures }>(child, { type: 'measure', iterations: options.iterations ?? 20_000, warmup: options.warmup ?? 2_000 }, 'figures');
    return answer.figures;
  } finally {
    await stopChild(child);
  }
}

export async function runCatalogHandler(ctx: BenchContext): Promise<{ values: Record<string, number>; details: HandlerFigures }> {
  const { table } = await largeCatalog(ctx);
  const f = await measureCatalogHandler(ctx.endpoint, table.tableName);
  log(`catalog handler at ${f.regions} regions: 200 p50 ${f.ok.p50Ms} p99 ${f.ok.p99Ms} ms; 304 p50 ${f.notModified.p50Ms} p99 ${f.notModified.p99Ms} ms; cold load ${f.coldLoadMs} ms`);
  return {
    values: {
      'catalogHandler.regions': f.regions,
      'catalogHandler.p50Ms200': f.ok.p50Ms,
      'catalogHandler.p99Ms200': f.ok.p99Ms,
      'catalogHandler.p50Ms304': f.notModified.p50Ms,
      'catalogHandler.p99Ms304': f.notModified.p99Ms,
    },
    details: f,
  };
}

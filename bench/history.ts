/**
 * Issue 14's figures: the latency of `GET /regions?at=<30 days back>` and of a
 * region's history query, each against the current catalog, at 10,000
 * regions in 100 scopes with one change a day in each scope for 30 days.
 *
 * The history is written through the real planner and commit path
 * (planScope, commitPlans: the same transactions, history items included) to
 * DynamoDB Local, each day stamped a day apart. The requests go through the
 * real catalog handler, in process:
 * - `currentMs`: `GET /regions` on a fresh handler (one Query of all regions:
 *   what a cold function, or a stored checkpoint, costs to read);
 * - `atMs`: `GET /regions?at=` 30 days back on a warm handler (the current
 *   catalog in memory; 3,000 changes in ~120 changesets undone);
 * - `historyMs`: `GET /regions/zilliz/<id>/history` of a region changed every
 *   day (31 changes).
 * Each is the median of several requests. `npx tsx bench/history.ts` prints them.
 */
import { monotonicFactory } from 'ulid';
import { createCatalogHandler } from '../lib/catalog/handler';
import type { RegionContent } from '../lib/core/region';
import { createLimiter } from '../lib/core/limit';
import { commitPlans } from '../lib/store/commit';
import { loadScopeHeads, loadScopeRegions } from '../lib/store/scope-reads';
import { planScope } from '../lib/sync/plan';
import type { ScopePlan } from '../lib/store/plans';
import { startDynamoDbLocal } from '../local/dynamodb';
import { apiEvent, lambdaContext, read } from '../test/support/catalog-event';
import { freshTable, type BenchTable } from './support';

const SCOPES = 100;
const PER_SCOPE = 100;
const DAYS = 30;
const DAY_MS = 86_400_000;
/** The retention the bench commits with: a day more than the span, so DynamoDB Local's TTL deletes nothing meanwhile. */
const RETENTION_DAYS = DAYS + 2;

export interface HistoryFigures {
  regions: number;
  atMs: number;
  historyMs: number;
  currentMs: number;
  atRatio: number;
  historyRatio: number;
}

const scopeName = (s: number) => `zilliz/c${String(s).padStart(3, '0')}`;

function answer(s: number, day: number): RegionContent[] {
  const cloudId = `c${String(s).padStart(3, '0')}`;
  return Array.from({ length: PER_SCOPE }, (_, r) => {
    const regionId = `${cloudId}-r${String(r).padStart(3, '0')}`;
    // Region r000 of each scope changes every day (its description): one change a day per scope.
    const name = r === 0 && day > 0 ? `${regionId} (revision ${day})` : regionId;
    // As today's v2 answer normalises: the control plane host as domain and base URL.
    return {
      id: `zilliz:${regionId}`,
      source: 'zilliz',
      cloudId,
      regionId,
      name,
      localizedNames: {},
      apiBaseUrl: 'https://api.cloud.zilliz.com',
      attributes: { domain: 'api.cloud.zilliz.com', supportedClusterTypes: ['serverless', 'dedicated'] },
    };
  });
}

/** Day 0 adds every region; days 1..30 change one region per scope; day d is stamped `start + d days`. */
async function writeHistory(table: BenchTable, start: number): Promise<void> {
  const store = { doc: table.doc, table: table.tableName };
  const newId = monotonicFactory();
  const limit = createLimiter({ concurrency: 8, ratePerSecond: 10_000 });
  for (let day = 0; day <= DAYS; day++) {
    const now = new Date(start + day * DAY_MS).toISOString();
    const heads = await loadScopeHeads(store);
    const plans = await Promise.all(
      Array.from({ length: SCOPES }, (_, s) =>
        limit(async () => {
          const scope = scopeName(s);
          const state = { head: heads.get(scope), regions: await loadScopeRegions(store, scope) };
          return planScope({ scope, source: 'zilliz', regions: answer(s, day), state, holdPasses: 1, now, newId });
        }),
      ),
    );
    await commitPlans(store, plans.filter((p): p is ScopePlan => p !== null), { now, retentionDays: RETENTION_DAYS, newId });
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

async function timed(handler: ReturnType<typeof createCatalogHandler>, url: string): Promise<number> {
  const t0 = performance.now();
  const res = read((await handler(apiEvent('GET', url, { 'accept-encoding': 'identity' }), lambdaContext)) as never);
  const ms = performance.now() - t0;
  if (res.status !== 200) throw new Error(`GET ${url}: ${res.status} ${res.text.slice(0, 200)}`);
  return ms;
}

export async function measureHistory(options: { endpoint?: string } = {}): Promise<HistoryFigures> {
  const local = options.endpoint ? undefined : await startDynamoDbLocal();
  const table = await freshTable(options.endpoint ?? local!.endpoint);
  try {
    const now = Date.now();
    const start = now - (DAYS + 0.5) * DAY_MS;
    await writeHistory(table, start);
    const make = () => createCatalogHandler({ store: { doc: table.doc, table: table.tableName }, corsOrigins: ['*'], revalidateMs: 60_000, maxAgeSeconds: 30, retentionDays: RETENTION_DAYS });

    const current: number[] = [];
    for (let i = 0; i < 5; i++) current.push(await timed(make(), '/regions'));

    const warm = make();
    await timed(warm, '/regions');
    const at: number[] = [];
    // 30 days back: after the day-0 additions, before every daily change. A new millisecond each
    // time, so no answer comes from the handler's memo of settled points.
    for (let i = 0; i < 5; i++) at.push(await timed(warm, `/regions?at=${new Date(now - DAYS * DAY_MS + i).toISOString()}`));

    const history: number[] = [];
    for (let i = 0; i < 20; i++) history.push(await timed(warm, `/regions/zilliz/c${String(i % SCOPES).padStart(3, '0')}-r000/history`));

    const currentMs = median(current);
    const atMs = median(at);
    const historyMs = median(history);
    return {
      regions: SCOPES * PER_SCOPE,
      atMs: round(atMs),
      historyMs: round(historyMs),
      currentMs: round(currentMs),
      atRatio: round(atMs / currentMs),
      historyRatio: round(historyMs / currentMs, 3),
    };
  } finally {
    await table.drop();
    await local?.stop();
  }
}

function round(n: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const figures = await measureHistory();
  console.log(
    [
      `regions ${figures.regions} (100 scopes, one change a day per scope for 30 days)`,
      `GET /regions (fresh handler, one Query)   ${figures.currentMs} ms`,
      `GET /regions?at=<30 days back> (warm)     ${figures.atMs} ms  (x${figures.atRatio})`,
      `GET /regions/{source}/{id}/history        ${figures.historyMs} ms  (x${figures.historyRatio})`,
    ].join('\n'),
  );
}

/**
 * Every figure `npm run bench` reports, in one list: where it lives in
 * bench/results.json, what it is compared with, and its goal. The runner
 * (bench/run.ts) fills the values, the report (bench/report.ts) prints the
 * table from this list, so the table, the JSON and BENCHMARKS.md cannot
 * disagree on a goal. Pure data: no imports.
 */

export interface Goal {
  op: '<=' | '>=';
  value: number;
}

export interface Figure {
  /** The section that measures it (bench/run.ts). */
  section: string;
  /** Dotted path in bench/results.json; the value there is a plain number (or null when not measured). */
  path: string;
  label: string;
  /** What the figure is compared with (its limit), or '' for a plain report. */
  limit: string;
  goal?: Goal;
  unit: 'ratio' | 'round trips' | 'ms' | 'MB' | 'B' | 'count';
  digits?: number;
}

export const SECTIONS = {
  roundTrips: 'round trips',
  sync: 'sync critical path',
  cost: 'DynamoDB cost',
  scale: 'scale',
  catalogHandler: 'catalog handler',
  catalogHttp: 'catalog over HTTP',
  package: 'bundles',
  coldStart: 'cold start',
  page: 'page',
  history: 'history',
  catalogFile: 'catalog file',
  webhooks: 'webhooks',
} as const;

const S = SECTIONS;

export const FIGURES: readonly Figure[] = [
  { section: S.roundTrips, path: 'roundTrips.coldV2Aksk', label: 'round trips: cold pass, v2 + AK/SK', limit: '1 round trip', goal: { op: '<=', value: 1.15 }, unit: 'round trips' },
  { section: S.roundTrips, path: 'roundTrips.warmUnchanged', label: 'round trips: warm unchanged pass', limit: '1 round trip', goal: { op: '<=', value: 1.15 }, unit: 'round trips' },
  { section: S.roundTrips, path: 'roundTrips.warmOneChange', label: 'round trips: warm pass with one change', limit: '1 round trip', goal: { op: '<=', value: 1.15 }, unit: 'round trips' },
  { section: S.roundTrips, path: 'roundTrips.v1Steady', label: 'round trips: v1 steady state', limit: '1 round trip', goal: { op: '<=', value: 1.15 }, unit: 'round trips' },

  { section: S.sync, path: 'syncCriticalPath.unchangedRatio', label: 'warm unchanged pass at L = 300 ms (median of 3)', limit: '2 × L', goal: { op: '<=', value: 1.3 }, unit: 'ratio', digits: 3 },
  { section: S.sync, path: 'syncCriticalPath.oneChangeRatio', label: 'warm pass committing one change at L = 300 ms (median of 3)', limit: '2 × L', goal: { op: '<=', value: 1.3 }, unit: 'ratio', digits: 3 },

  { section: S.cost, path: 'dynamoCost.unchangedSnapshotWrites', label: 'unchanged pass: snapshot + changeset writes', limit: 'none', goal: { op: '<=', value: 0 }, unit: 'count' },
  { section: S.cost, path: 'dynamoCost.oneChangeWcuGrowth', label: 'one-change WCU, large catalog − small catalog', limit: 'equal cost', goal: { op: '<=', value: 0 }, unit: 'count' },

  { section: S.scale, path: 'scale.regions', label: 'scale: regions', limit: '', unit: 'count' },
  { section: S.scale, path: 'scale.firstPassRatio', label: 'first pass', limit: 'plain BatchWriteItem of the same items', goal: { op: '<=', value: 2 }, unit: 'ratio', digits: 2 },
  // The figure is the steady state: a scheduled function runs warm, its snapshot cache filled by the
  // previous pass (lib/sync/snapshot-cache). The cold pass (a new execution environment) is measured beside it.
  { section: S.scale, path: 'scale.onePercentRatio', label: 'pass with 1 % changed, warm (the process of the previous pass)', limit: 'the same writes alone (BatchWriteItem)', goal: { op: '<=', value: 2 }, unit: 'ratio', digits: 2 },
  { section: S.scale, path: 'scale.onePercentColdRatio', label: 'pass with 1 % changed, cold (a fresh process)', limit: 'the same writes alone (BatchWriteItem)', goal: { op: '<=', value: 2 }, unit: 'ratio', digits: 2 },
  { section: S.scale, path: 'scale.firstPassVsLimit', label: 'first pass vs the physical limit', limit: 'one upstream fetch of the same answer + BatchWriteItem of the same items', goal: { op: '<=', value: 1.5 }, unit: 'ratio', digits: 2 },
  { section: S.scale, path: 'scale.onePercentVsLimit', label: 'pass with 1 % changed, warm, vs the physical limit', limit: 'one upstream fetch of the same answer + BatchWriteItem of the same items', goal: { op: '<=', value: 1.5 }, unit: 'ratio', digits: 2 },
  { section: S.scale, path: 'scale.peakRssMb', label: 'peak RSS of the cold 1 % pass (fresh process)', limit: '', goal: { op: '<=', value: 256 }, unit: 'MB', digits: 1 },
  { section: S.scale, path: 'scale.snapshotCacheMb', label: 'heap held by the snapshot cache at 10,000 regions', limit: '', unit: 'MB', digits: 1 },

  { section: S.catalogHandler, path: 'catalogHandler.p50Ms200', label: 'warm handler, GET /regions br: p50', limit: '1 Lambda billing ms', unit: 'ms', digits: 4 },
  { section: S.catalogHandler, path: 'catalogHandler.p99Ms200', label: 'warm handler, GET /regions br: p99', limit: '1 Lambda billing ms', goal: { op: '<=', value: 0.1 }, unit: 'ms', digits: 4 },
  { section: S.catalogHandler, path: 'catalogHandler.p50Ms304', label: 'warm handler, 304: p50', limit: '1 Lambda billing ms', unit: 'ms', digits: 4 },
  { section: S.catalogHandler, path: 'catalogHandler.p99Ms304', label: 'warm handler, 304: p99', limit: '1 Lambda billing ms', goal: { op: '<=', value: 0.1 }, unit: 'ms', digits: 4 },

  { section: S.catalogHttp, path: 'catalogThroughputRatio', label: '`npm start` HTTP path, GET /regions br, req/s', limit: 'bare node:http replaying the bytes', goal: { op: '>=', value: 0.85 }, unit: 'ratio', digits: 3 },
  { section: S.catalogHttp, path: 'catalog304ThroughputRatio', label: '`npm start` HTTP path, 304, req/s', limit: 'bare node:http replaying the bytes', unit: 'ratio', digits: 3 },

  { section: S.package, path: 'bundleBytes.sync', label: 'sync bundle, unpacked .cjs in the zip', limit: '', unit: 'B' },
  { section: S.package, path: 'bundleBytes.catalog', label: 'catalog bundle, unpacked .cjs in the zip', limit: '', unit: 'B' },
  { section: S.package, path: 'zipBytes.sync', label: 'sync zip (`serverless package`)', limit: '', unit: 'B' },
  { section: S.package, path: 'zipBytes.catalog', label: 'catalog zip (`serverless package`)', limit: '', unit: 'B' },

  { section: S.coldStart, path: 'coldStartRatio.sync', label: 'cold start sync: import + first invocation', limit: 'SDK-only bundle: same clients, one call each', goal: { op: '<=', value: 1.5 }, unit: 'ratio', digits: 3 },
  { section: S.coldStart, path: 'coldStartRatio.catalog', label: 'cold start catalog: import + first invocation', limit: 'SDK-only bundle: same client, one call', goal: { op: '<=', value: 1.5 }, unit: 'ratio', digits: 3 },
  { section: S.coldStart, path: 'coldStartOverhead.sync', label: 'cold start sync: what cold adds (import + first invocation − the same invocation warm)', limit: 'the same difference for the SDK-only bundle', goal: { op: '<=', value: 1.2 }, unit: 'ratio', digits: 3 },
  { section: S.coldStart, path: 'coldStartOverhead.catalog', label: 'cold start catalog: what cold adds (import + first invocation − the same invocation warm)', limit: 'the same difference for the SDK-only bundle', goal: { op: '<=', value: 1.2 }, unit: 'ratio', digits: 3 },

  { section: S.page, path: 'page.sampleBrBytes', label: 'page, sample catalog, br', limit: 'budget 30 KB', goal: { op: '<=', value: 30 * 1024 }, unit: 'B' },
  { section: S.page, path: 'page.largeBrBytes', label: 'page, 10,000 regions, first screen, br', limit: 'budget 300 KB', goal: { op: '<=', value: 300 * 1024 }, unit: 'B' },
  { section: S.page, path: 'page.sampleHtmlBytes', label: 'page HTML, sample catalog', limit: '', unit: 'B' },
  { section: S.page, path: 'page.largeHtmlBytes', label: 'page HTML, 10,000 regions', limit: '', unit: 'B' },

  { section: S.history, path: 'history.atRatio', label: 'GET /regions?at= 30 days back', limit: 'current GET /regions', unit: 'ratio', digits: 2 },
  { section: S.history, path: 'history.historyRatio', label: "a region's history", limit: 'current GET /regions', unit: 'ratio', digits: 2 },

  { section: S.catalogFile, path: 'catalogFile.writeOverheadRatio', label: 'catalog files step of a committing pass (sample catalog)', limit: 'the same PutObject calls alone', goal: { op: '<=', value: 1.2 }, unit: 'ratio', digits: 2 },
  { section: S.catalogFile, path: 'catalogFile.latestBytesSample', label: 'latest.json, sample catalog', limit: '', unit: 'B' },
  { section: S.catalogFile, path: 'catalogFile.latestBytesLarge', label: 'latest.json, 10,000 regions', limit: '', unit: 'B' },
  { section: S.catalogFile, path: 'catalogFile.archiveAtRatio', label: 'GET /regions?at= 1 year back from the archive (10,000 regions, a change a day in 100 scopes)', limit: 'current GET /regions', unit: 'ratio', digits: 2 },

  { section: S.webhooks, path: 'webhooks.deliveryOverheadRatio', label: 'webhook delivery per event (sign + POST through lib/deliver)', limit: 'bare fetch POST of the same body', goal: { op: '<=', value: 1.3 }, unit: 'ratio', digits: 3 },
  { section: S.webhooks, path: 'webhooks.coldStartRatio', label: 'cold start deliver: import + first invocation', limit: 'SDK-only bundle reading one secret', goal: { op: '<=', value: 1.3 }, unit: 'ratio', digits: 3 },
];

export function goalText(goal: Goal | undefined): string {
  if (!goal) return '';
  return `${goal.op === '<=' ? '≤' : '≥'} ${goal.value}`;
}

export function meets(value: number, goal: Goal): boolean {
  return goal.op === '<=' ? value <= goal.value : value >= goal.value;
}

/** The value at a dotted path of a JSON object; undefined when absent or not a number. */
export function valueAt(root: unknown, path: string): number | null | undefined {
  let at: unknown = root;
  for (const key of path.split('.')) {
    if (at === null || typeof at !== 'object') return undefined;
    at = (at as Record<string, unknown>)[key];
  }
  if (at === null) return null;
  return typeof at === 'number' ? at : undefined;
}

/** Sets the value at a dotted path, creating the objects on the way. */
export function setAt(root: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let at = root;
  for (const key of keys.slice(0, -1)) {
    const next = at[key];
    if (next === null || typeof next !== 'object') at[key] = {};
    at = at[key] as Record<string, unknown>;
  }
  at[keys.at(-1)!] = value;
}

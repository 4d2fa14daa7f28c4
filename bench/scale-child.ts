/**
 * The process that runs the sync passes of the scale figure, bundled by
 * bench/scale.ts with esbuild (as the function would be) and forked, so its
 * peak RSS is the pass's alone: the simulators, the table and the event
 * receiver live in the parent. The passes share one snapshot cache, as the
 * handler's process does (lib/sync/handler.ts), so the first pass in a child
 * is cold and the next ones are warm. Messages: `{ type: 'pass' }` runs one
 * pass and answers its figures, with the keys of every item it wrote (for the
 * BatchWriteItem limit, bench/writes.ts) and a breakdown of its time;
 * `{ type: 'cache' }` answers what the cache holds and costs in heap;
 * `{ type: 'exit' }` ends the process.
 */
import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import { loadSyncConfig } from '../lib/sync/config';
import { createEventBridgeClient } from '../lib/sync/eventbridge';
import { createLogger } from '../lib/core/log';
import { createDocumentClient } from '../lib/store/client';
import { attachMeter, createMeter } from './meter';
import { runPass } from '../lib/sync/pass';
import { createSnapshotCache } from '../lib/sync/snapshot-cache';
import { breakdown, classify, type KindSpan, type PassBreakdown } from './scale-breakdown';
import { createTimeline, traceClient } from './timeline';
import { uniqueKeys, writtenKeys, type Key } from './writes';

export interface ScalePassFigures {
  wallMs: number;
  ok: boolean;
  changes: number;
  regions: number;
  sequences: number;
  published: number;
  wcu: number;
  rcu: number;
  /** Milliseconds from the pass start: first and last end of each kind of call. */
  phases: Record<string, { from: number; to: number; calls: number } | undefined>;
  rssMb: number;
  maxRssMb: number;
  heapUsedMb: number;
  /** Where the pass's time went (bench/scale-breakdown.ts). */
  breakdown: PassBreakdown;
  /** Regions the snapshot cache held when the pass began (0: a cold pass that read every changed scope). */
  cachedRegionsAtStart: number;
  /** Keys of the items the pass wrote (or deleted), each once. */
  keys: Key[];
}

const reply = (message: unknown) => process.send?.(message);
const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;

const config = loadSyncConfig(process.env);
const timeline = createTimeline(false);
const doc = traceClient(createDocumentClient({ region: config.region, endpoint: config.dynamoEndpoint }), timeline);
// Only the keys of the writes are kept (not the inputs): the RSS stays the pass's own.
let written: Key[] = [];
// Each call's kind and span (no inputs kept): the breakdown of the pass.
let spans: KindSpan[] = [];
let origin = performance.now();
const timed = async <T>(kind: string, call: () => Promise<T>): Promise<T> => {
  const start = performance.now() - origin;
  try {
    return await call();
  } finally {
    spans.push({ kind, start, end: performance.now() - origin });
  }
};
const send = doc.send.bind(doc) as (...args: unknown[]) => Promise<unknown>;
(doc as unknown as { send: typeof send }).send = (...args: unknown[]) => {
  const command = args[0] as { constructor: { name: string }; input?: Record<string, unknown> };
  written.push(...writtenKeys(command.constructor.name, command.input));
  return timed(classify(command.constructor.name, command.input), () => send(...args));
};
const events = traceClient(createEventBridgeClient({ region: config.region, endpoint: config.eventBridgeEndpoint }), timeline);
const eventsSend = events.send.bind(events) as (...args: unknown[]) => Promise<unknown>;
(events as unknown as { send: typeof eventsSend }).send = (...args: unknown[]) => timed('publish:PutEvents', () => eventsSend(...args));
// The upstream calls (ofetch calls globalThis.fetch): until the response headers.
const realFetch = globalThis.fetch;
globalThis.fetch = ((...args: Parameters<typeof fetch>) => timed('upstream', () => realFetch(...args))) as typeof fetch;
const snapshots = createSnapshotCache();
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const log = createLogger({ service: 'region-sync', function: 'sync' }, () => undefined, 'info');

let meter = createMeter();
attachMeter(doc, () => meter);

async function pass(): Promise<ScalePassFigures> {
  meter = createMeter();
  timeline.reset();
  written = [];
  spans = [];
  const cachedRegionsAtStart = snapshots.regionCount();
  const started = performance.now();
  origin = started;
  const summary = await runPass({ config, store: { doc, table: config.tableName }, events, log, snapshots });
  const wallMs = Math.round(performance.now() - started);
  const memory = process.memoryUsage();
  return {
    wallMs,
    ok: summary.ok,
    changes: summary.changes,
    regions: summary.scopes.reduce((n, s) => n + s.regions, 0),
    sequences: summary.sequences.length,
    published: summary.published.published,
    wcu: meter.writeUnits,
    rcu: meter.readUnits,
    phases: {
      // Bundled class names may carry a digit (two packages export a QueryCommand).
      read: timeline.window(/^QueryCommand\d*$/),
      commit: timeline.window(/^TransactWriteCommand\d*$/),
      updates: timeline.window(/^UpdateCommand\d*$/),
      publish: timeline.window(/^PutEventsCommand\d*$/),
    },
    rssMb: mb(memory.rss),
    maxRssMb: Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10,
    heapUsedMb: mb(memory.heapUsed),
    breakdown: breakdown(spans, wallMs),
    cachedRegionsAtStart,
    keys: uniqueKeys(written),
  };
}

/** Heap held by the snapshot cache: used heap after a full GC with it, and after dropping it. */
function cacheCost(): { regions: number; heapWithMb: number; heapWithoutMb: number; costMb: number } {
  const regions = snapshots.regionCount();
  gc();
  const withCache = process.memoryUsage().heapUsed;
  snapshots.retain(new Set());
  gc();
  const without = process.memoryUsage().heapUsed;
  return { regions, heapWithMb: mb(withCache), heapWithoutMb: mb(without), costMb: mb(withCache - without) };
}

process.on('message', (message: { type: string }) => {
  if (message.type === 'pass') {
    pass().then(
      (figures) => reply({ type: 'pass', figures }),
      (error: unknown) => reply({ type: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
    );
  } else if (message.type === 'cache') {
    reply({ type: 'cache', cost: cacheCost() });
  } else if (message.type === 'exit') {
    doc.destroy();
    events.destroy();
    process.exit(0);
  }
});
reply({ type: 'ready', rssMb: mb(process.memoryUsage().rss) });

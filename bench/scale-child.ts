/**
 * The process that runs the sync passes of the scale figure, bundled by
 * bench/scale.ts with esbuild (as the function would be) and forked, so its
 * peak RSS is the pass's alone: the simulators, the table and the event
 * receiver live in the parent. Messages: `{ type: 'pass' }` runs one pass
 * and answers its figures, with the keys of every item it wrote (for the
 * BatchWriteItem limit, bench/writes.ts); `{ type: 'exit' }` ends the process.
 */
import { loadSyncConfig } from '../lib/sync/config';
import { createEventBridgeClient } from '../lib/sync/eventbridge';
import { createLogger } from '../lib/core/log';
import { createDocumentClient } from '../lib/store/client';
import { createMeter } from '../lib/store/meter';
import { runPass } from '../lib/sync/pass';
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
const send = doc.send.bind(doc) as (...args: unknown[]) => Promise<unknown>;
(doc as unknown as { send: typeof send }).send = (...args: unknown[]) => {
  const command = args[0] as { constructor: { name: string }; input?: Record<string, unknown> };
  written.push(...writtenKeys(command.constructor.name, command.input));
  return send(...args);
};
const events = traceClient(createEventBridgeClient({ region: config.region, endpoint: config.eventBridgeEndpoint }), timeline);
const log = createLogger({ service: 'region-sync', function: 'sync' }, () => undefined, 'info');

async function pass(): Promise<ScalePassFigures> {
  const meter = createMeter();
  timeline.reset();
  written = [];
  const started = performance.now();
  const summary = await runPass({ config, store: { doc, table: config.tableName, meter }, events, log });
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
    keys: uniqueKeys(written),
  };
}

process.on('message', (message: { type: string }) => {
  if (message.type === 'pass') {
    pass().then(
      (figures) => reply({ type: 'pass', figures }),
      (error: unknown) => reply({ type: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
    );
  } else if (message.type === 'exit') {
    doc.destroy();
    events.destroy();
    process.exit(0);
  }
});
reply({ type: 'ready', rssMb: mb(process.memoryUsage().rss) });

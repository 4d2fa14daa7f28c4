/**
 * CloudWatch metrics for a sync pass in Embedded Metric Format: one JSON line
 * for the service, plus one per source, written to stdout where Lambda's log
 * agent turns them into metrics with no API call and no extra permission.
 * The builder is pure; the alarms in serverless.yml watch these names.
 */
import type { PassSummary } from './pass';

export const NAMESPACE = 'RegionSync';

type Unit = 'Count' | 'Milliseconds' | 'Seconds';

export interface EmfDocument {
  _aws: {
    Timestamp: number;
    CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: Unit }[] }[];
  };
  [field: string]: unknown;
}

export interface PassMetricsInput {
  /** The `Service` dimension, e.g. region-sync-prod. */
  service: string;
  /** Each scope's consecutive failures come from the status write of this very pass: no extra read. */
  summary: PassSummary;
  now: Date;
}

type Values = Record<string, [number, Unit]>;

function document(dimensions: Record<string, string>, values: Values, timestamp: number, extra: Record<string, unknown>): EmfDocument {
  return {
    _aws: {
      Timestamp: timestamp,
      CloudWatchMetrics: [
        {
          Namespace: NAMESPACE,
          Dimensions: [Object.keys(dimensions)],
          Metrics: Object.entries(values).map(([Name, [, Unit]]) => ({ Name, Unit })),
        },
      ],
    },
    ...dimensions,
    ...extra,
    ...Object.fromEntries(Object.entries(values).map(([name, [value]]) => [name, value])),
  };
}

type Scope = PassSummary['scopes'][number];

function scopeValues(scopes: readonly Scope[]): Values {
  const sum = (pick: (s: Scope) => number) => scopes.reduce((n, s) => n + pick(s), 0);
  return {
    ChangesAdded: [sum((s) => s.added), 'Count'],
    ChangesRemoved: [sum((s) => s.removed), 'Count'],
    ChangesChanged: [sum((s) => s.changed), 'Count'],
    FailedScopes: [sum((s) => (s.outcome === 'failed' ? 1 : 0)), 'Count'],
    HeldScopes: [sum((s) => (s.outcome === 'held' ? 1 : 0)), 'Count'],
    MaxConsecutiveFailures: [Math.max(0, ...scopes.map((s) => s.consecutiveFailures)), 'Count'],
  };
}

/** The EMF documents of one pass: the service line first, then one per source (sorted). */
export function buildPassMetrics({ service, summary, now }: PassMetricsInput): EmfDocument[] {
  const timestamp = now.getTime();
  const p = summary.published;
  // 0 when nothing waits, so the age alarm sees a value every pass and clears.
  const oldestAge = p.pending > 0 && p.oldestPendingAt ? Math.max(0, Math.round((timestamp - Date.parse(p.oldestPendingAt)) / 1000)) : 0;
  const extra = { passId: summary.passId };
  const overall = document(
    { Service: service },
    {
      ...scopeValues(summary.scopes),
      PassDurationMs: [summary.durationMs, 'Milliseconds'],
      PendingChangesets: [p.pending, 'Count'],
      OldestPendingAgeSeconds: [oldestAge, 'Seconds'],
      PublishFailures: [p.failed, 'Count'],
      EventsPublished: [p.published + p.operational, 'Count'],
      // Kept apart: a conflict is a concurrent pass winning, throttling is DynamoDB shedding load.
      CommitConflicts: [summary.scopes.filter((s) => s.error?.code === 'store.conflict').length, 'Count'],
      CommitThrottled: [summary.scopes.filter((s) => s.error?.code === 'store.throttled').length, 'Count'],
    },
    timestamp,
    extra,
  );
  const sources = [...new Set(summary.scopes.map((s) => s.source))].sort();
  const perSource = sources.map((source) =>
    document({ Service: service, Source: source }, scopeValues(summary.scopes.filter((s) => s.source === source)), timestamp, extra),
  );
  return [overall, ...perSource];
}

/** Writes each document as one raw line: Lambda's EMF extraction needs the bare JSON object. */
export function writeMetrics(documents: readonly EmfDocument[], sink: (line: string) => void = (line) => process.stdout.write(`${line}\n`)): void {
  for (const doc of documents) sink(JSON.stringify(doc));
}

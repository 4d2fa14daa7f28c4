/**
 * The pass metrics in CloudWatch Embedded Metric Format: a pure builder from a
 * PassSummary, checked against the EMF specification's shape and the names the
 * alarms in serverless.yml watch.
 */
import { describe, expect, it } from 'vitest';
import { buildPassMetrics, NAMESPACE, writeMetrics, type EmfDocument } from '../../../lib/sync/metrics';
import type { PassSummary, ScopeSummary } from '../../../lib/sync/pass';

const NOW = new Date('2026-11-23T10:30:00.000Z');

function scope(partial: Partial<ScopeSummary> & Pick<ScopeSummary, 'scope' | 'source'>): ScopeSummary {
  return { outcome: 'unchanged', regions: 3, added: 0, changed: 0, removed: 0, heldRemovals: 0, consecutiveFailures: 0, ...partial };
}

function summary(partial: Partial<PassSummary> = {}): PassSummary {
  return {
    passId: '01JDQ8Z4Y3K3V0W7N2C5R8T6AB',
    startedAt: '2026-11-23T10:29:58.000Z',
    durationMs: 1834,
    ok: false,
    scopes: [
      scope({ scope: 'zilliz/aws', source: 'zilliz', outcome: 'ok', added: 2, changed: 1 }),
      scope({ scope: 'zilliz/gcp', source: 'zilliz', outcome: 'held', removed: 1, heldRemovals: 4 }),
      scope({ scope: 'zilliz/azure', source: 'zilliz', outcome: 'failed', regions: 0, consecutiveFailures: 4, error: { code: 'upstream.http', message: 'HTTP 503', at: '2026-11-23T10:29:58.000Z' } }),
      scope({ scope: 'modelarts/0123456789abcdef0123456789abcdef', source: 'modelarts', outcome: 'ok', added: 1 }),
    ],
    sequences: [7],
    changes: 5,
    published: { published: 4, failed: 1, operational: 2, pending: 2, oldestPendingAt: '2026-11-23T10:00:00.000Z', leaseHeld: false },
    ...partial,
  };
}

/** The metric values of a document, by name, checked to be declared in its directive. */
function values(doc: EmfDocument | undefined): Record<string, unknown> {
  if (!doc) throw new Error('missing document');
  const directive = doc._aws.CloudWatchMetrics[0];
  if (!directive) throw new Error('missing directive');
  return Object.fromEntries(directive.Metrics.map((m) => [m.Name, doc[m.Name]]));
}

describe('buildPassMetrics', () => {
  it('writes one service document with every pass metric, its unit and the Service dimension', () => {
    const [service] = buildPassMetrics({ service: 'region-sync-prod', summary: summary(), now: NOW });
    expect(service?._aws).toEqual({
      Timestamp: NOW.getTime(),
      CloudWatchMetrics: [
        {
          Namespace: NAMESPACE,
          Dimensions: [['Service']],
          Metrics: [
            { Name: 'ChangesAdded', Unit: 'Count' },
            { Name: 'ChangesRemoved', Unit: 'Count' },
            { Name: 'ChangesChanged', Unit: 'Count' },
            { Name: 'FailedScopes', Unit: 'Count' },
            { Name: 'HeldScopes', Unit: 'Count' },
            { Name: 'MaxConsecutiveFailures', Unit: 'Count' },
            { Name: 'PassDurationMs', Unit: 'Milliseconds' },
            { Name: 'PendingChangesets', Unit: 'Count' },
            { Name: 'OldestPendingAgeSeconds', Unit: 'Seconds' },
            { Name: 'PublishFailures', Unit: 'Count' },
            { Name: 'EventsPublished', Unit: 'Count' },
            { Name: 'CommitConflicts', Unit: 'Count' },
            { Name: 'CommitThrottled', Unit: 'Count' },
          ],
        },
      ],
    });
    expect(service).toMatchObject({ Service: 'region-sync-prod', passId: '01JDQ8Z4Y3K3V0W7N2C5R8T6AB' });
    expect(values(service)).toEqual({
      ChangesAdded: 3,
      ChangesRemoved: 1,
      ChangesChanged: 1,
      FailedScopes: 1,
      HeldScopes: 1,
      MaxConsecutiveFailures: 4,
      PassDurationMs: 1834,
      PendingChangesets: 2,
      OldestPendingAgeSeconds: 1800,
      PublishFailures: 1,
      EventsPublished: 6,
      CommitConflicts: 0,
      CommitThrottled: 0,
    });
  });

  it('adds one document per source, sorted, with the Service and Source dimensions', () => {
    const docs = buildPassMetrics({ service: 'region-sync-prod', summary: summary(), now: NOW });
    expect(docs).toHaveLength(3);
    const [, modelarts, zilliz] = docs;
    expect(modelarts?._aws.CloudWatchMetrics[0]?.Dimensions).toEqual([['Service', 'Source']]);
    expect(modelarts).toMatchObject({ Service: 'region-sync-prod', Source: 'modelarts' });
    expect(values(modelarts)).toEqual({ ChangesAdded: 1, ChangesRemoved: 0, ChangesChanged: 0, FailedScopes: 0, HeldScopes: 0, MaxConsecutiveFailures: 0 });
    expect(zilliz).toMatchObject({ Source: 'zilliz' });
    expect(values(zilliz)).toEqual({ ChangesAdded: 2, ChangesRemoved: 1, ChangesChanged: 1, FailedScopes: 1, HeldScopes: 1, MaxConsecutiveFailures: 4 });
  });

  it("takes each scope's consecutive failures from the pass's own status writes", () => {
    const base = summary();
    const scopes = base.scopes.map((s) => (s.scope === 'zilliz/azure' ? { ...s, consecutiveFailures: 2 } : s));
    const [service] = buildPassMetrics({ service: 's', summary: { ...base, scopes }, now: NOW });
    expect(values(service).MaxConsecutiveFailures).toBe(2);
  });

  it('reports a zero pending age when nothing waits, so the age alarm clears', () => {
    const quiet = summary({ published: { published: 0, failed: 0, operational: 0, pending: 0, leaseHeld: false } });
    const [service] = buildPassMetrics({ service: 's', summary: quiet, now: NOW });
    expect(values(service)).toMatchObject({ PendingChangesets: 0, OldestPendingAgeSeconds: 0, PublishFailures: 0, EventsPublished: 0 });
  });

  it('counts commit conflicts and commit throttling apart', () => {
    const failed = (name: string, code: string) =>
      scope({ scope: `zilliz/${name}`, source: 'zilliz', outcome: 'failed', regions: 0, consecutiveFailures: 1, error: { code, message: 'not committed', at: NOW.toISOString() } });
    const scopes = [failed('a', 'store.conflict'), failed('b', 'store.throttled'), failed('c', 'store.throttled'), failed('d', 'store.commit')];
    const [service] = buildPassMetrics({ service: 's', summary: summary({ scopes }), now: NOW });
    expect(values(service)).toMatchObject({ FailedScopes: 4, CommitConflicts: 1, CommitThrottled: 2 });
  });

  it('writes only a service document for a pass without scopes', () => {
    const docs = buildPassMetrics({ service: 's', summary: summary({ scopes: [] }), now: NOW });
    expect(docs).toHaveLength(1);
    expect(values(docs[0])).toMatchObject({ FailedScopes: 0, MaxConsecutiveFailures: 0, ChangesAdded: 0 });
  });
});

describe('writeMetrics', () => {
  it('writes each document as one bare JSON line', () => {
    const lines: string[] = [];
    const docs = buildPassMetrics({ service: 's', summary: summary(), now: NOW });
    writeMetrics(docs, (line) => lines.push(line));
    expect(lines).toHaveLength(docs.length);
    for (const line of lines) expect(line).not.toContain('\n');
    expect(lines.map((line) => JSON.parse(line) as unknown)).toEqual(docs);
  });
});

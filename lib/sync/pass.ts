/**
 * One sync pass, composed of its stages (lib/sync/stages): fetch every scope,
 * plan each changed scope against its snapshot, commit (re-planning after a
 * lost race), then record status and publish side by side. A failed scope
 * keeps its snapshot untouched. Only this module composes the stages
 * (`npm run lint` enforces it).
 */
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { monotonicFactory } from 'ulid';
import type { SyncConfig } from './config';
import { crashPoint } from '../core/crash';
import type { Logger } from '../core/log';
import type { BucketDeps } from '../store/catalog-files';
import type { StoreDeps } from '../store/deps';
import { loadScopeHeads } from '../store/scope-reads';
import { readStatuses } from '../store/status';
import type { OkResult, ScopeSummary } from './pipeline';
import type { SnapshotCache } from './snapshot-cache';
import { createDeadline } from './sources/http';
import { commitStage } from './stages/commit';
import { fetchStage, type FetchOutput } from './stages/fetch';
import { planStage } from './stages/plan';
import { publishStage, type PublishOutput } from './stages/publish';
import { recordStage } from './stages/record';

export { MAX_REGION_BYTES } from './stages/fetch';
export type { ScopeOutcome, ScopeSummary } from './pipeline';

export interface SyncDeps {
  /** A promise when the secrets are still being read: the table read starts beside it. */
  config: SyncConfig | Promise<SyncConfig>;
  store: StoreDeps;
  events: EventBridgeClient;
  log: Logger;
  now?: () => Date;
  /** Upstream retry backoff base; tests shorten it. */
  backoffMs?: number;
  publish?: { leaseMs?: number; leaseWaitMs?: number; backoffMs?: number };
  /** Aborted when the invocation nears its timeout (middy's early-timeout signal): ends the upstream phase like the deadline. */
  signal?: AbortSignal;
  /** The warm process's regions per scope (lib/sync/snapshot-cache), kept by the handler across passes; every scope is read from the table without it. */
  snapshots?: SnapshotCache;
  /** The catalog files' bucket (CATALOG_BUCKET): the publish stage writes them after the commit. */
  files?: BucketDeps | Promise<BucketDeps>;
}

export interface PassSummary {
  passId: string;
  startedAt: string;
  durationMs: number;
  ok: boolean;
  scopes: ScopeSummary[];
  sequences: number[];
  changes: number;
  published: PublishOutput;
}

export async function runPass(input: SyncDeps): Promise<PassSummary> {
  const clock = input.now ?? (() => new Date());
  const newId = monotonicFactory();
  const started = clock();
  const startedAt = started.toISOString();
  const passId = newId();
  const log = input.log.child({ passId });
  const { store, snapshots } = input;

  // The table read, the secrets and the upstream calls overlap: none waits for another it does not need.
  const reading = loadScopeHeads(store);
  reading.catch(() => undefined); // awaited below; this only keeps an early failure from counting as unhandled
  // What the status writes go over; without it (the read failed) each scope's status is written alone.
  const statuses = readStatuses(store).catch(() => undefined);
  const config = await input.config;
  const deadline = createDeadline(config.passDeadlineMs, input.signal);
  let fetched: FetchOutput;
  try {
    fetched = await fetchStage({ config, heads: reading, deadline, log, backoffMs: input.backoffMs });
  } finally {
    deadline.clear();
  }
  const heads = await reading;
  crashPoint('after-fetch');

  const ok = fetched.results.filter((r): r is OkResult => r.ok);
  const committed = await commitStage({
    store,
    log,
    results: ok,
    heads,
    now: startedAt,
    retentionDays: config.retentionDays,
    newId,
    snapshots,
    plan: (results, current, attempt) =>
      planStage({ store, results, heads: current, attempt, holdPasses: config.removalHoldPasses, holdMinutes: config.removalHoldMinutes, now: startedAt, newId, snapshots }),
  });
  crashPoint('after-commit');

  // Status and publishing overlap: the changesets go out while the status is written; the outbox (where
  // the status transitions queue their events) is listed once the record stage has settled.
  const recording = recordStage({
    store,
    log,
    results: fetched.results,
    committed: committed.plans,
    failed: committed.failed,
    settled: fetched.settled,
    statuses,
    at: startedAt,
    retentionDays: config.retentionDays,
    newId,
  });
  const files = input.files && { bucket: input.files, now: startedAt, retentionDays: config.retentionDays, newId };
  const publishing = publishStage({ store, events: input.events, config, log, owner: passId, options: input.publish, files, queued: recording.then(() => undefined, () => undefined) });
  await Promise.allSettled([recording, publishing]);
  const [scopes, published] = [await recording, await publishing];
  for (const s of scopes) log[s.outcome === 'failed' ? 'warn' : 'info']('scope', { ...s });
  crashPoint('after-publish');

  return {
    passId,
    startedAt,
    durationMs: clock().getTime() - started.getTime(),
    ok: scopes.every((s) => s.outcome !== 'failed'),
    scopes,
    sequences: committed.sequences,
    changes: committed.changes,
    published,
  };
}

/**
 * Stage 4, record: each scope's summary and status (with a `Source Degraded`
 * or `Source Recovered` event on a transition), each source's answer shape
 * (`Schema Changed`), and the placeholder scopes the fetch settled. These
 * writes touch different items (STATUS per scope, SCHEMA per source), so they
 * all go out at once.
 */
import type { UpstreamError } from '../../core/errors';
import type { Logger } from '../../core/log';
import type { StoreDeps } from '../../store/deps';
import type { ErrorInfo } from '../../store/items';
import { SOURCE_DEGRADED } from '../../core/detail-types';
import { expiresAt, scopesStatusEvent } from '../../store/outbox';
import type { ScopePlan } from '../../store/plans';
import { putOutbox } from '../../store/publish-state';
import { recordStatus, recordStatuses, type StatusesRead } from '../../store/status';
import type { ScopeOutcome, ScopeSummary } from '../pipeline';
import { recordShapeDrift } from '../shape-drift';
import { failureKey, scopeEvents, type ScopeTransition } from '../scope-events';
import type { ScopeResult } from '../sources/types';

export interface RecordInput {
  store: StoreDeps;
  log: Logger;
  results: readonly ScopeResult[];
  /** The plans committed, per scope. */
  committed: ReadonlyMap<string, ScopePlan>;
  /** Scopes whose answer could not be committed. */
  failed: ReadonlyMap<string, ErrorInfo>;
  /** Placeholder scopes to record as a success, when they exist. */
  settled: readonly { scope: string; source: string }[];
  /** The STATUS items read at the pass's start (undefined when that read failed): the status writes go out together over them. */
  statuses?: Promise<StatusesRead | undefined>;
  at: string;
  retentionDays: number;
  newId: () => string;
}

export function errorInfo(error: UpstreamError, at: string): ErrorInfo {
  const { requestId } = error.details;
  return { code: error.publicCode, message: error.message, at, ...(requestId ? { requestId } : {}) };
}

/** Pure: one scope's summary (consecutiveFailures still 0: the status write fills it in). */
export function summarise(result: ScopeResult, plan: ScopePlan | undefined, error: ErrorInfo | undefined): ScopeSummary {
  const count = (type: string) => plan?.changes.filter((c) => c.type === type).length ?? 0;
  const base = {
    scope: result.scope,
    source: result.source,
    added: count('region.added'),
    changed: count('region.changed'),
    removed: count('region.removed'),
    consecutiveFailures: 0,
  };
  if (error) return { ...base, outcome: 'failed', regions: 0, heldRemovals: 0, error };
  const regions = result.ok ? result.regions.length : 0;
  const held = plan?.head.hold?.regionIds.length ?? 0;
  const outcome: ScopeOutcome = held ? 'held' : plan?.changes.length ? 'ok' : 'unchanged';
  return { ...base, outcome, regions, heldRemovals: held };
}

export async function recordStage(input: RecordInput): Promise<ScopeSummary[]> {
  const { store, at, newId } = input;
  const ttl = expiresAt(at, input.retentionDays);
  const scopes = input.results.map((r) =>
    summarise(r, input.committed.get(r.scope), r.ok ? input.failed.get(r.scope) : errorInfo(r.error, at)),
  );
  // One failing upstream call serving several scopes (Zilliz v2) hands each the very same error:
  // that identity is the call, and its scopes are one Degraded event (scope-events.ts).
  const calls = new Map<UpstreamError, string>();
  const callOf = (r: ScopeResult): string | undefined => {
    if (r.ok) return undefined;
    if (!calls.has(r.error)) calls.set(r.error, `call-${calls.size}`);
    return calls.get(r.error);
  };
  const transitions: ScopeTransition[] = [];
  /** Writes every scope's status (filling in its consecutive failures) and notes the transitions. */
  const outcomes = async () => {
    const updates = scopes.map((summary) => ({ scope: summary.scope, source: summary.source, at, error: summary.error }));
    const written = await recordStatuses(store, updates, await input.statuses);
    written.forEach(({ transition, consecutiveFailures, previousError }, i) => {
      const summary = scopes[i]!;
      summary.consecutiveFailures = consecutiveFailures;
      if (transition === 'degraded') transitions.push({ scope: summary.scope, source: summary.source, transition, error: summary.error, key: callOf(input.results[i]!) ?? failureKey(summary.error) });
      // Scopes recover together when they failed by the same call: their stored errors are equal.
      if (transition === 'recovered') transitions.push({ scope: summary.scope, source: summary.source, transition, error: previousError, key: failureKey(previousError) });
    });
  };
  const announce = async () => {
    for (const { detailType, detail } of scopeEvents(transitions, at)) {
      const transition = detailType === SOURCE_DEGRADED ? 'degraded' : 'recovered';
      const error = transition === 'degraded' ? transitions.find((t) => t.scope === detail.scope && t.transition === transition)?.error : undefined;
      await putOutbox(store, scopesStatusEvent(transition, { scopes: detail.scopes, source: detail.source, at, error, summary: detail.summary }, { newId, ttl }));
    }
  };
  await Promise.all([
    outcomes().then(announce),
    recordShapeDrift({ store, log: input.log, results: input.results, uncommitted: input.failed, at, newId, expiresAt: ttl }),
    // No event: a placeholder never announced a degradation (it had never succeeded).
    ...input.settled.map(({ scope, source }) => recordStatus(store, { scope, source, at, onlyIfExists: true })),
  ]);
  return scopes;
}

/**
 * Source Degraded and Source Recovered, pure: one event per failing upstream
 * call, not one per scope. Zilliz v2 answers every cloud with one call, so one
 * outage used to announce three degradations and three recoveries; now the
 * scopes a call served are named together in `scopes` (beside `scope`, the
 * first of them, for the subscribers that read only it).
 *
 * Which scopes belong together is decided by the caller through `key`: for a
 * degradation, the failing call (the very error every scope it served carries);
 * for a recovery, the failure it recovers from (the stored `lastError`, equal
 * for scopes that failed by the same call).
 */
import { SOURCE_DEGRADED, SOURCE_RECOVERED } from '../core/detail-types';
import { degradedSummary, recoveredSummary } from '../core/summary';
import type { ErrorInfo } from '../store/items';

export interface ScopeTransition {
  scope: string;
  source: string;
  transition: 'degraded' | 'recovered';
  /** The failure of this pass (degraded) or the one recovered from (recovered). */
  error?: ErrorInfo | undefined;
  /** Scopes with equal keys (and transition) are one event. */
  key: string;
}

export interface ScopeEventDetail {
  scope: string;
  scopes: string[];
  source: string;
  at: string;
  error?: { code: string; message: string; requestId?: string };
  summary: string;
}

export interface ScopeEvent {
  detailType: typeof SOURCE_DEGRADED | typeof SOURCE_RECOVERED;
  detail: ScopeEventDetail;
}

/** The events of one pass's transitions, in the order their first scope came. */
export function scopeEvents(transitions: readonly ScopeTransition[], at: string): ScopeEvent[] {
  const groups = new Map<string, ScopeTransition[]>();
  for (const t of transitions) {
    const id = `${t.transition}|${t.source}|${t.key}`;
    groups.set(id, [...(groups.get(id) ?? []), t]);
  }
  return [...groups.values()].map((group) => {
    const first = group[0]!;
    const scopes = group.map((t) => t.scope).sort();
    if (first.transition === 'recovered') {
      return { detailType: SOURCE_RECOVERED, detail: { scope: scopes[0]!, scopes, source: first.source, at, summary: recoveredSummary(scopes) } };
    }
    const error = first.error ? { code: first.error.code, message: first.error.message, ...(first.error.requestId ? { requestId: first.error.requestId } : {}) } : undefined;
    return {
      detailType: SOURCE_DEGRADED,
      detail: { scope: scopes[0]!, scopes, source: first.source, at, ...(error ? { error } : {}), summary: degradedSummary(scopes, error) },
    };
  });
}

/** A key naming one stored failure: equal for the scopes one failing call served. */
export function failureKey(error: ErrorInfo | undefined): string {
  return error ? JSON.stringify([error.code, error.message, error.at, error.requestId ?? '']) : '';
}

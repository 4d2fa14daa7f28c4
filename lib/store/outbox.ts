/**
 * The outbox of operational events, one module for all of them: the items'
 * key (`OUTBOX` / a ULID, so the publisher sends them in the order queued),
 * their TTL (the retention period, like the changesets), and the shape of
 * every event's detail. Nothing else builds an outbox item.
 *
 * The detail field names are the contract's. One name differs between events
 * and is kept as the contract gives it: the time of the observation is `at` in
 * `Source Degraded`, `Source Recovered` and `Removals Held`, and `detectedAt`
 * in `Schema Changed`.
 */
import { REMOVALS_HELD, SCHEMA_CHANGED, SOURCE_DEGRADED, SOURCE_RECOVERED } from '../core/detail-types';
import type { Json } from '../core/region';
import { heldSummary } from '../core/summary';
import { PK, type ErrorInfo, type OutboxItem } from './items';
import type { ScopePlan } from './plans';

/** The TTL attribute (epoch seconds) of an item kept `retentionDays` after `now`. */
export function expiresAt(now: string, retentionDays: number): number {
  return Math.floor(Date.parse(now) / 1000) + retentionDays * 86_400;
}

/** Where and until when an event is queued: its id (a ULID) and its TTL. */
export interface Queued {
  newId: () => string;
  /** epoch seconds, from expiresAt(). */
  ttl: number;
}

function item(detailType: string, detail: Record<string, unknown>, { newId, ttl }: Queued): OutboxItem {
  return { pk: PK.outbox, sk: newId(), detailType, detail: JSON.stringify(detail), expiresAt: ttl };
}

/** `Source Degraded` / `Source Recovered`: a scope's first failure after a success, or its first success after failures. */
export function sourceStatusEvent(
  transition: 'degraded' | 'recovered',
  s: { scope: string; source: string; at: string; error?: ErrorInfo | undefined },
  queued: Queued,
): OutboxItem {
  const error = s.error ? { error: { code: s.error.code, message: s.error.message, ...(s.error.requestId ? { requestId: s.error.requestId } : {}) } } : {};
  return item(transition === 'degraded' ? SOURCE_DEGRADED : SOURCE_RECOVERED, { scope: s.scope, source: s.source, at: s.at, ...error }, queued);
}

/** `Removals Held`: a scope's removals were held back as a likely upstream glitch; how many of how many, and when they may confirm. */
export function removalsHeldEvent(plan: ScopePlan, at: string, queued: Queued): OutboxItem {
  const hold = plan.head.hold;
  const held = {
    count: hold?.regionIds.length ?? 0,
    of: plan.head.regionCount,
    since: hold?.since ?? at,
    confirmsAfter: hold?.confirmsAfter ?? hold?.since ?? at,
    passes: hold?.passes ?? 1,
    passesNeeded: hold?.passesNeeded ?? 1,
  };
  return item(
    REMOVALS_HELD,
    {
      scope: plan.scope,
      source: plan.source,
      at,
      heldRegionKeys: hold?.regionIds ?? [],
      heldCount: held.count,
      previousCount: plan.previousCount,
      // As /sources shows it, and the line people are told.
      held,
      summary: heldSummary({ scope: plan.scope, count: held.count, of: held.of, confirmsAfter: held.confirmsAfter, passesNeeded: held.passesNeeded }),
    },
    queued,
  );
}

/**
 * `Source Degraded` / `Source Recovered` for several scopes at once: one failing upstream call that
 * served them all (Zilliz v2) is one event naming them in `scopes` (`scope` is the first).
 */
export function scopesStatusEvent(
  transition: 'degraded' | 'recovered',
  e: { scopes: string[]; source: string; at: string; error?: ErrorInfo | undefined; summary: string },
  queued: Queued,
): OutboxItem {
  const error = e.error ? { error: { code: e.error.code, message: e.error.message, ...(e.error.requestId ? { requestId: e.error.requestId } : {}) } } : {};
  return item(
    transition === 'degraded' ? SOURCE_DEGRADED : SOURCE_RECOVERED,
    { scope: e.scopes[0], scopes: e.scopes, source: e.source, at: e.at, ...error, summary: e.summary },
    queued,
  );
}

/** `Schema Changed`: a field appeared in or vanished from a source's answers (`example` only when added). */
export function schemaChangedEvent(
  e: { source: string; field: string; change: 'added' | 'removed'; example?: Json; detectedAt: string },
  queued: Queued,
): OutboxItem {
  const example = e.change === 'added' ? { example: e.example ?? null } : {};
  return item(SCHEMA_CHANGED, { source: e.source, field: e.field, change: e.change, ...example, detectedAt: e.detectedAt }, queued);
}

/**
 * `Schema Changed`: the shape of a source's answers, pass after pass. Each
 * pass observes, over the regions of the source's scopes that succeeded, which
 * upstream fields some region carries and which every region carries; against
 * the set last stored for the source, a field that appears where none had it is
 * `added`, one that vanishes where all had it is `removed`. A field missing from
 * some regions only is no change of shape. The first successful pass sets the
 * baseline and announces nothing.
 *
 * The new field set and its events are written in one conditional transaction
 * (lib/store/known-fields.ts), the events into the outbox the publisher drains: two
 * concurrent passes cannot both announce a change, and a crash after the write
 * only delays the events.
 *
 * Fields are the upstream's own names, read back from the normalised record:
 * the fields a source maps (Zilliz `regionId`, `description`, `apiBaseUrl`
 * unless it is the one a plain-host `domain` gives;
 * ModelArts `region_id`, `locales`) when the record shows they were given, plus
 * every attribute key (kept as given).
 */
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import type { Logger } from '../core/log';
import type { Json, RegionContent, SourceName } from '../core/region';
import type { StoreDeps } from '../store/deps';
import type { OutboxItem } from '../store/items';
import { schemaChangedEvent } from '../store/outbox';
import { readKnownFields, writeKnownFields, type KnownFields } from '../store/known-fields';
import type { ScopeResult } from './sources/types';

/** Events per write: a transaction holds 100 items; the rest are announced by the next pass. */
export const MAX_SCHEMA_EVENTS = 90;
const MAX_EXAMPLE_CHARS = 1000;

/** The upstream fields one normalised region shows, with their values. */
export function upstreamFields(region: RegionContent): Map<string, Json> {
  const fields = new Map<string, Json>();
  if (region.source === 'zilliz') {
    fields.set('regionId', region.regionId);
    if (region.name !== region.regionId) fields.set('description', region.name);
    // An apiBaseUrl that is https://<domain> came from today's `domain`, not from an `apiBaseUrl` field.
    const fromDomain = typeof region.attributes.domain === 'string' && region.apiBaseUrl === `https://${region.attributes.domain}`;
    if (region.apiBaseUrl !== null && !fromDomain) fields.set('apiBaseUrl', region.apiBaseUrl);
  } else {
    fields.set('region_id', region.regionId);
    if (Object.keys(region.localizedNames).length > 0) fields.set('locales', region.localizedNames);
  }
  for (const [key, value] of Object.entries(region.attributes)) if (!fields.has(key)) fields.set(key, value);
  return fields;
}

export interface Observation {
  regions: number;
  /** Carried by at least one region, sorted. */
  fields: string[];
  /** Carried by every region, sorted. */
  universal: string[];
  /** A value of each field, from the first region (by id) carrying it. */
  examples: Map<string, Json>;
}

export function observe(regions: readonly RegionContent[]): Observation {
  const counts = new Map<string, number>();
  const examples = new Map<string, Json>();
  for (const region of [...regions].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))) {
    for (const [field, value] of upstreamFields(region)) {
      counts.set(field, (counts.get(field) ?? 0) + 1);
      if (!examples.has(field)) examples.set(field, value);
    }
  }
  const fields = [...counts.keys()].sort();
  return { regions: regions.length, fields, universal: fields.filter((f) => counts.get(f) === regions.length), examples };
}

export interface ShapeDecision {
  next: KnownFields;
  added: string[];
  removed: string[];
}

const minus = (a: readonly string[], b: readonly string[]) => a.filter((x) => !b.includes(x));
const union = (a: readonly string[], b: readonly string[]) => [...new Set([...a, ...b])].sort();

/**
 * Pure: the next stored state and what changed. `complete` is true when every
 * scope of the source succeeded, so the observation covers the whole source;
 * otherwise what the failed scopes may still carry is kept.
 */
export function compareShapes(previous: KnownFields | undefined, seen: Observation, complete: boolean, maxEvents = MAX_SCHEMA_EVENTS): ShapeDecision {
  if (!previous) return { next: { fields: seen.fields, universal: seen.universal }, added: [], removed: [] };
  const allAdded = minus(seen.fields, previous.fields);
  const allRemoved = minus(previous.universal, seen.fields);
  const added = allAdded.slice(0, maxEvents);
  const removed = allRemoved.slice(0, maxEvents - added.length);
  // What the cap leaves unannounced is stored as it was, so the next pass announces it.
  const deferredAdded = allAdded.slice(added.length);
  const deferredRemoved = allRemoved.slice(removed.length);
  const next: KnownFields = complete
    ? {
        fields: union(minus(seen.fields, deferredAdded), deferredRemoved),
        universal: union(minus(seen.universal, deferredAdded), deferredRemoved),
      }
    : {
        // Regions of the failed scopes may still carry what this pass did not see.
        fields: minus(minus(union(previous.fields, seen.fields), deferredAdded), removed),
        universal: union(previous.universal.filter((f) => seen.universal.includes(f)), deferredRemoved),
      };
  return { next, added, removed };
}

function example(value: Json | undefined): Json {
  const text = JSON.stringify(value ?? null);
  return text.length <= MAX_EXAMPLE_CHARS ? (value ?? null) : `${text.slice(0, MAX_EXAMPLE_CHARS)}…`;
}

export function schemaEvents(
  source: SourceName,
  decision: ShapeDecision,
  seen: Observation,
  at: string,
  newId: () => string,
  expiresAt: number,
): OutboxItem[] {
  const queued = { newId, ttl: expiresAt };
  return [
    ...decision.added.map((field) => schemaChangedEvent({ source, field, change: 'added', example: example(seen.examples.get(field)), detectedAt: at }, queued)),
    ...decision.removed.map((field) => schemaChangedEvent({ source, field, change: 'removed', detectedAt: at }, queued)),
  ];
}

const sameState = (a: KnownFields, b: KnownFields) =>
  a.fields.join('\n') === b.fields.join('\n') && a.universal.join('\n') === b.universal.join('\n');

export interface ShapeDriftInput {
  store: StoreDeps;
  log: Logger;
  results: readonly ScopeResult[];
  /** Scopes whose answer could not be committed: they count as failed. */
  uncommitted: ReadonlyMap<string, unknown>;
  at: string;
  newId: () => string;
  expiresAt: number;
}

/** Compares and records each source's fields for this pass; returns the events queued. */
export async function recordShapeDrift(input: ShapeDriftInput): Promise<number> {
  let queued = 0;
  const sources = [...new Set(input.results.map((r) => r.source))].sort();
  for (const source of sources) {
    const own = input.results.filter((r) => r.source === source);
    const succeeded = (r: ScopeResult): r is Extract<ScopeResult, { ok: true }> => r.ok && !input.uncommitted.has(r.scope);
    const regions = own.flatMap((r) => (succeeded(r) ? r.regions : []));
    // No region answered: nothing is known about the shape, and nothing vanished.
    if (regions.length === 0) continue;
    const seen = observe(regions);
    const complete = own.every(succeeded);
    for (let attempt = 1; attempt <= 3; attempt++) {
      const stored = await readKnownFields(input.store, source);
      const decision = compareShapes(stored, seen, complete);
      if (stored && sameState(stored, decision.next)) break;
      const events = schemaEvents(source, decision, seen, input.at, input.newId, input.expiresAt);
      try {
        await writeKnownFields(input.store, { source, expectedVersion: stored?.version, state: decision.next, events, at: input.at });
        queued += events.length;
        break;
      } catch (error: unknown) {
        // A concurrent pass recorded the shape first: read what it wrote and compare again.
        if (!(error instanceof TransactionCanceledException || error instanceof ConditionalCheckFailedException) || attempt === 3) throw error;
        input.log.info('schema state moved under us; re-reading', { source, attempt });
      }
    }
  }
  return queued;
}

/**
 * The Region and Change records of the contract, and the helpers that make a
 * region's content comparable: canonical JSON (sorted keys, sorted lists) so
 * that neither key order nor list order of an upstream answer ever produces a
 * diff, while the region itself keeps the upstream's values as given.
 */
import type { SourceName } from './api-records';

// The records themselves are defined once, as zod schemas, in ./api-records; re-exported for the modules that use the helpers.
export { SOURCES } from './api-records';
export type { Change, ChangeType, Json, Region, RegionContent, SourceName } from './api-records';

/** The fields whose difference makes a `region.changed` (attributes are compared key by key). */
export const COMPARED_FIELDS = ['name', 'localizedNames', 'apiBaseUrl', 'cloudId'] as const;

/** The catalog's order: by region key (`Region.id`), code unit by code unit. */
export function byRegionKey(a: { id: string }, b: { id: string }): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

export function regionKey(source: SourceName, regionId: string): string {
  return `${source}:${regionId}`;
}

/** JSON with object keys sorted at every depth: equal content gives equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const sorted: Record<string, unknown> = {};
      for (const k of Object.keys(v).sort()) sorted[k] = (v as Record<string, unknown>)[k];
      return sorted;
    }
    return v;
  });
}

/** Lists sorted (by their elements' canonical JSON) and keys sorted, at every depth. */
export function canonicalValue(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map(canonicalValue).sort((a, b) => {
      const [x, y] = [JSON.stringify(a), JSON.stringify(b)];
      return x < y ? -1 : x > y ? 1 : 0;
    });
  }
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, canonicalValue((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

/**
 * The text two values are compared by: neither key order nor list order
 * counts. Only comparisons (the answer hash, the diff) use it; what is stored
 * and served keeps the upstream's order.
 */
export function comparableJson(value: unknown): string {
  // canonicalValue already orders every object's keys: a plain stringify keeps that order (no second sort).
  return JSON.stringify(canonicalValue(value));
}


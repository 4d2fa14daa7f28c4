/**
 * The helpers that make a region's content comparable: canonical JSON (sorted
 * keys) so that neither key order nor list order of an upstream answer ever
 * produces a diff, the compared fields and the region key.
 */
import type { SourceName } from './schemas';

// The records themselves are defined once, as zod schemas, in ./schemas; re-exported for the modules that use the helpers.
export { SOURCES } from './schemas';
export type { Change, ChangeType, Json, Region, RegionContent, SourceName } from './schemas';

/** The fields whose difference makes a `region.changed` (attributes are compared key by key). */
export const COMPARED_FIELDS = ['name', 'localizedNames', 'apiBaseUrl', 'cloudId'] as const;

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

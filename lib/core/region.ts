/**
 * The Region and Change records of the contract, and the helpers that make a
 * region's content comparable: canonical JSON (sorted keys) so that neither key
 * order nor list order of an upstream answer ever produces a diff.
 */
export const SOURCES = ['zilliz', 'modelarts'] as const;
export type SourceName = (typeof SOURCES)[number];

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export interface Region {
  id: string;
  source: SourceName;
  cloudId: string;
  regionId: string;
  name: string;
  localizedNames: Record<string, string>;
  apiBaseUrl: string | null;
  attributes: Record<string, Json>;
  firstSeenAt: string;
  updatedAt: string;
}

/** What a source yields before the store stamps `firstSeenAt` / `updatedAt`. */
export type RegionContent = Omit<Region, 'firstSeenAt' | 'updatedAt'>;

export type ChangeType = 'region.added' | 'region.removed' | 'region.changed';

export interface Change {
  id: string;
  type: ChangeType;
  regionKey: string;
  source: SourceName;
  scope: string;
  regionId: string;
  before: Region | null;
  after: Region | null;
  changedFields: string[];
  detectedAt: string;
}

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

export function contentOf(region: Region | RegionContent): RegionContent {
  const { id, source, cloudId, regionId, name, localizedNames, apiBaseUrl, attributes } = region;
  return { id, source, cloudId, regionId, name, localizedNames, apiBaseUrl, attributes };
}

/**
 * What the page shows, pure: the catalog (now, or at a past point) filtered by
 * the query and cut to one page, the choices of the filters, the health and
 * changes as read, and one region's history when asked for.
 */
import type { Change, Region } from '../../core/region';
import type { PlacedChange } from '../../store/latest';
import type { SourceStatus } from '../../core/api-records';
import type { PageQuery } from './query';

/** The point a past view stands at, as `/regions?at=` resolved it. */
export interface PastPoint {
  /** The `at` as given (kept in the page's links and forms). */
  raw: string;
  version: number;
  syncedAt: string | null;
}

/** One region's changes within the retention, oldest first. */
export interface RegionHistory {
  regionKey: string;
  source: string;
  regionId: string;
  changes: Change[];
  /** Whether the region is in the catalog now (its JSON route answers). */
  current: boolean;
}

export interface PageModel {
  query: PageQuery;
  /** The regions of this page, sorted by id. */
  regions: readonly Region[];
  /** Regions matching the query, all pages. */
  matching: number;
  /** Regions in the catalog. */
  total: number;
  pages: number;
  clouds: string[];
  /** The health now; null on a past view (health is not kept in history). */
  sources: SourceStatus[] | null;
  /** The changes listed, newest first, with their place in the feed. */
  changes: PlacedChange[];
  /** Older changes (that pass the filters) remain: the list ends with an "older" link. */
  moreChanges: boolean;
  version: number;
  syncedAt: string | null;
  past: PastPoint | null;
  history: RegionHistory | null;
  /** Where people read catalog/latest.json (CATALOG_FILE_URL), when the catalog is published as a file. */
  fileUrl: string | null;
}

/** The text a search matches: id, name, localized names, cloud and API base URL, lower-cased. */
export function searchText(region: Region): string {
  return [region.id, region.name, ...Object.values(region.localizedNames), region.cloudId, region.apiBaseUrl ?? ''].join(' ').toLowerCase();
}

export function matches(region: Region, query: PageQuery): boolean {
  return (
    (query.source === '' || region.source === query.source) &&
    (query.cloud === '' || region.cloudId === query.cloud) &&
    (query.q === '' || searchText(region).includes(query.q))
  );
}

/** A change follows the page's filters by its region (as it is, or as it was when removed). */
export function changeMatches(change: Change, query: PageQuery): boolean {
  const region = change.after ?? change.before;
  return region !== null && matches(region, query);
}

export interface PageInput {
  query: PageQuery;
  regions: readonly Region[];
  sources: SourceStatus[] | null;
  changes: PlacedChange[];
  moreChanges?: boolean;
  version: number;
  syncedAt: string | null;
  past?: PastPoint | null;
  history?: RegionHistory | null;
  fileUrl?: string | null;
}

export function buildPageModel({ query, regions, sources, changes, moreChanges = false, version, syncedAt, past = null, history = null, fileUrl = null }: PageInput): PageModel {
  const found = regions.filter((r) => matches(r, query));
  const start = (query.page - 1) * query.limit;
  return {
    query,
    regions: found.slice(start, start + query.limit),
    matching: found.length,
    total: regions.length,
    pages: Math.max(1, Math.ceil(found.length / query.limit)),
    clouds: [...new Set(regions.map((r) => r.cloudId))].sort(),
    sources,
    changes,
    moreChanges,
    version,
    syncedAt,
    past,
    history,
    fileUrl,
  };
}

/**
 * What the page shows, pure: the catalog filtered by the query and cut to one
 * page, the choices of the filters, and the health and changes as read.
 */
import type { Change, Region } from '../../core/region';
import type { SourceStatus } from '../../core/schemas';
import type { PageQuery } from './query';

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
  sources: SourceStatus[];
  changes: Change[];
  version: number;
  syncedAt: string | null;
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

export interface PageInput {
  query: PageQuery;
  regions: readonly Region[];
  sources: SourceStatus[];
  changes: Change[];
  version: number;
  syncedAt: string | null;
}

export function buildPageModel({ query, regions, sources, changes, version, syncedAt }: PageInput): PageModel {
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
    version,
    syncedAt,
  };
}

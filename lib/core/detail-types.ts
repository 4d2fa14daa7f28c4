/**
 * The EventBridge `DetailType` of every event region-sync publishes: one per
 * change type, and one constant per operational event. Every writer uses
 * these (the pass, the commit's outbox item, the publisher), so subscribers'
 * rules and the code cannot disagree on a name.
 */
import type { ChangeType } from './schemas';

export const REGION_DETAIL_TYPES: Record<ChangeType, string> = {
  'region.added': 'Region Added',
  'region.removed': 'Region Removed',
  'region.changed': 'Region Changed',
};

/** A scope failed after succeeding (announced once per degradation). */
export const SOURCE_DEGRADED = 'Source Degraded';
/** A degraded scope succeeded again. */
export const SOURCE_RECOVERED = 'Source Recovered';
/** A mass removal is held until later passes confirm it. */
export const REMOVALS_HELD = 'Removals Held';
/** A source's answers started or stopped carrying an upstream field. */
export const SCHEMA_CHANGED = 'Schema Changed';
/** The catalog file `catalog/latest.json` moved to a newer version (issue 20: the catalog as a file). */
export const CATALOG_PUBLISHED = 'Catalog Published';

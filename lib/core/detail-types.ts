/**
 * The EventBridge `DetailType` of every event region-sync publishes: one per
 * change type, and one constant per operational event. Every writer uses
 * these (the pass, the commit's outbox item, the publisher), so subscribers'
 * rules and the code cannot disagree on a name.
 */
import type { ChangeType } from './api-records';

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

/**
 * The notification rule families (deploy/notify.cjs): each family is one
 * EventBridge rule with its own message. deploy/detail-types.json is generated
 * from this (scripts/gen-deploy-constants.ts) and checked by a test, so the
 * CommonJS file serverless.yml loads never copies a name.
 */
export const NOTIFICATION_FAMILIES = {
  region: [REGION_DETAIL_TYPES['region.added'], REGION_DETAIL_TYPES['region.removed']],
  changed: [REGION_DETAIL_TYPES['region.changed']],
  scope: [SOURCE_DEGRADED, SOURCE_RECOVERED, REMOVALS_HELD],
  schema: [SCHEMA_CHANGED],
} as const satisfies Record<string, readonly string[]>;

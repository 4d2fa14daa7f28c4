/**
 * The records of region-sync: the sources, the change types and the
 * TypeScript types of Region, Change, a scope's status and the catalog API's
 * answers, inferred from their zod schemas in ./api-schemas (so the types,
 * the OpenAPI document and the answers cannot drift apart). This module holds
 * no schema: importing it (every function does, for `SOURCES`) builds none,
 * and zod stays out of a cold start that does not need it.
 */
import type * as z from 'zod';
import type {
  CatalogPublishedSchema,
  ChangeFeedSchema,
  ChangeSchema,
  ChangeTypeSchema,
  HeldSchema,
  JsonSchema,
  RegionListSchema,
  RegionSchema,
  SourceListSchema,
  SourceNameSchema,
  SourceStateSchema,
  SourceStatusSchema,
  ProblemSchema,
} from './api-schemas';

export { CHANGE_TYPES, SOURCES } from './record-names';

export type SourceName = z.infer<typeof SourceNameSchema>;
export type Json = z.infer<typeof JsonSchema>;
export type Region = z.infer<typeof RegionSchema>;
/** What a source yields before the store stamps `firstSeenAt` / `updatedAt`. */
export type RegionContent = Omit<Region, 'firstSeenAt' | 'updatedAt'>;
export type ChangeType = z.infer<typeof ChangeTypeSchema>;
export type Change = z.infer<typeof ChangeSchema>;
export type SourceState = z.infer<typeof SourceStateSchema>;
export type SourceStatus = z.infer<typeof SourceStatusSchema>;
export type Held = z.infer<typeof HeldSchema>;
export type RegionList = z.infer<typeof RegionListSchema>;
export type SourceList = z.infer<typeof SourceListSchema>;
export type ChangeFeed = z.infer<typeof ChangeFeedSchema>;
export type Problem = z.infer<typeof ProblemSchema>;
export type CatalogPublished = z.infer<typeof CatalogPublishedSchema>;

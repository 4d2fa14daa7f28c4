/**
 * The records of region-sync as zod schemas: Region and Change (stored,
 * published as events, served by the feed), a scope's status, and the
 * catalog API's answers. ./api-records infers the TypeScript types from them,
 * and lib/catalog/openapi.ts generates the OpenAPI components from
 * `apiSchemas` with `z.toJSONSchema`, so the types, the document and the
 * answers cannot drift apart. The schemas describe what the service writes
 * (zod's output side); nothing is parsed with them on a hot path. No
 * function builds them at cold start: the catalog loads the modules that use
 * them (the OpenAPI document, the event schemas) on the first request that
 * needs one (lib/catalog/routes), and the sync function never does.
 */
import * as z from 'zod';
import { CHANGE_TYPES, SOURCES } from './record-names';

const isoTime = () => z.iso.datetime();
const count = () => z.int().min(0);

export const SourceNameSchema = z.enum(SOURCES);

/** Any JSON value: what an upstream field may hold. */
export const JsonSchema = z.json();

export const RegionSchema = z.object({
  id: z.string().meta({ description: '`<source>:<regionId>`' }),
  source: SourceNameSchema,
  cloudId: z.string(),
  regionId: z.string(),
  name: z.string(),
  localizedNames: z.record(z.string(), z.string()),
  apiBaseUrl: z.string().nullable(),
  attributes: z.record(z.string(), JsonSchema).meta({ description: 'Every other upstream field, as given.' }),
  firstSeenAt: isoTime(),
  updatedAt: isoTime(),
});

export const ChangeTypeSchema = z.enum(CHANGE_TYPES);

export const ChangeSchema = z.object({
  id: z.string().meta({ description: 'Unique per change; subscribers deduplicate on it.' }),
  type: ChangeTypeSchema,
  regionKey: z.string(),
  source: SourceNameSchema,
  scope: z.string(),
  regionId: z.string(),
  before: RegionSchema.nullable(),
  after: RegionSchema.nullable(),
  changedFields: z.array(z.string()),
  detectedAt: isoTime(),
  summary: z.string().meta({
    description: 'One line for people, with the values: `apiBaseUrl: https://a → https://b; name: X → Y` for a change, the name and API base URL for an addition or removal; a value over 80 characters is cut with …. Never holds `"`, `\\` or a control character.',
  }),
  initial: z.literal(true).optional().meta({ description: "True on the changes of a scope's first successful pass (absent otherwise): people are told of them once per scope." }),
  initialSummary: z
    .string()
    .optional()
    .meta({ description: "On the first change of a scope's first successful pass only: the one line people are told instead of one per region (`zilliz/aws: first sync, 13 regions`)." }),
});

export const SourceStateSchema = z.enum(['ok', 'degraded', 'held', 'never-synced']);

export const LastErrorSchema = z.object({
  code: z.string(),
  message: z.string(),
  at: isoTime(),
  requestId: z.string().optional().meta({ description: 'The request id the upstream sent (Zilliz `requestid`, Huawei `request_id` or `X-Request-Id`), to quote to its support.' }),
});

export const HeldSchema = z
  .object({
    count: count().meta({ description: 'Removals held.' }),
    of: count().meta({ description: "The scope's regions in the catalog (the held ones included)." }),
    since: isoTime().meta({ description: 'The first pass that found them absent.' }),
    confirmsAfter: isoTime().meta({ description: 'No pass confirms them before this time (the first pass plus REMOVAL_HOLD_MINUTES).' }),
    passes: count().meta({ description: 'Consecutive successful passes they have been absent from.' }),
    passesNeeded: count().meta({ description: 'REMOVAL_HOLD_PASSES: the passes that must also have seen them absent.' }),
  })
  .meta({ description: 'A mass removal waiting for confirmation: it commits at the first pass that is both the `passesNeeded`-th and after `confirmsAfter`.' });

export const SourceStatusSchema = z.object({
  scope: z.string().meta({ examples: ['zilliz/aws'] }),
  source: SourceNameSchema,
  status: SourceStateSchema,
  lastAttemptAt: isoTime().nullable(),
  lastSuccessAt: isoTime().nullable(),
  consecutiveFailures: count(),
  lastError: LastErrorSchema.nullable(),
  regionCount: count(),
  held: HeldSchema.optional().meta({ description: 'While removals are held, else absent.' }),
});

export const RegionListSchema = z.object({
  regions: z.array(RegionSchema),
  count: count(),
  version: z.string().regex(/^\d+$/).meta({ description: 'The commit sequence of this catalog; "0" before the first sync.' }),
  syncedAt: isoTime().nullable().meta({ description: 'When that commit was made; null before the first sync.' }),
});

export const SourceListSchema = z.object({
  sources: z.array(SourceStatusSchema),
  fields: z
    .record(z.string(), z.array(z.string()))
    .meta({ description: "Per source, the upstream fields its answers carried when last seen (what `Schema Changed` compares against)." }),
});

export const RegionHistorySchema = z.object({ changes: z.array(ChangeSchema) });

export const ChangeFeedSchema = z.object({
  changes: z.array(ChangeSchema),
  next: z.string().meta({ description: 'Opaque cursor for the next poll; always given.' }),
});

export const ProblemSchema = z
  .object({
    type: z.string().meta({ format: 'uri' }),
    title: z.string(),
    status: z.int().min(400).max(599),
    detail: z.string().optional(),
  })
  .meta({ description: 'RFC 9457 problem details.' });

/** The detail of `Catalog Published`: the version `catalog/latest.json` now holds, and how to check its bytes. */
export const CatalogPublishedSchema = z.object({
  version: z.string().regex(/^\d+$/).meta({ description: 'The commit sequence the file holds (the `version` of its body).' }),
  syncedAt: isoTime().nullable().meta({ description: 'When that commit was made (the `syncedAt` of its body).' }),
  count: count().meta({ description: 'Regions in the file.' }),
  key: z.string().meta({ description: 'The immutable object of that version, `catalog/v/<version>.json` (`catalog/latest.json` holds the same bytes).', examples: ['catalog/v/42.json'] }),
  sha256: z.string().regex(/^[0-9a-f]{64}$/).meta({ description: 'Hex SHA-256 of the object\'s bytes.' }),
});

/**
 * The schemas the OpenAPI document names, by component name. A new answer is
 * one more entry here; its components and `$ref`s follow.
 */
export const apiSchemas = {
  SourceName: SourceNameSchema,
  JsonValue: JsonSchema,
  Region: RegionSchema,
  RegionList: RegionListSchema,
  SourceStatus: SourceStatusSchema,
  SourceList: SourceListSchema,
  RegionHistory: RegionHistorySchema,
  Change: ChangeSchema,
  ChangeType: ChangeTypeSchema,
  ChangeFeed: ChangeFeedSchema,
  Problem: ProblemSchema,
} as const;

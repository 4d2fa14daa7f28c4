/**
 * The `detail` of every event region-sync publishes, as zod schemas, and the
 * JSON Schemas generated from them: served by the catalog (`/schemas`, the
 * OpenAPI `webhooks`), registered in the EventBridge schema registry at
 * package time, and used by the tests to validate every event emitted.
 *
 * The list of DetailTypes is read from ./detail-types (every exported
 * DetailType constant and the change types' map), so a DetailType added there
 * is published everywhere at once; one without a schema below fails the
 * generation (and `serverless package`) naming it.
 */
import * as z from 'zod';
import * as detailTypes from './detail-types';
import { listDetailTypes, webhookType } from './detail-type-list';
import { ChangeSchema, HeldSchema, JsonSchema, RegionSchema, SourceNameSchema } from './api-schemas';

const isoTime = () => z.iso.datetime();

const change = (type: 'region.added' | 'region.removed' | 'region.changed') =>
  ChangeSchema.extend({
    type: z.literal(type),
    before: type === 'region.added' ? z.null() : RegionSchema,
    after: type === 'region.removed' ? z.null() : RegionSchema,
  });

const ScopeEventBase = {
  scope: z.string().meta({ description: 'The scope, `<source>/<part>` (e.g. `zilliz/aws`).' }),
  scopes: z.array(z.string()).optional().meta({ description: 'Every scope the one failing (or recovering) upstream call serves, `scope` first.' }),
  source: SourceNameSchema,
  at: isoTime(),
  summary: z.string().optional().meta({ description: 'One line for people: the scopes, and for a failure its error.' }),
};

export const SourceDegradedSchema = z.object({
  ...ScopeEventBase,
  error: z.object({
    code: z.string(),
    message: z.string(),
    requestId: z.string().optional().meta({ description: "The upstream's request id, to quote to its support." }),
  }),
});

export const SourceRecoveredSchema = z.object(ScopeEventBase);

export const RemovalsHeldSchema = z.object({
  scope: z.string(),
  source: SourceNameSchema,
  at: isoTime(),
  heldRegionKeys: z.array(z.string()),
  heldCount: z.int().min(0),
  previousCount: z.int().min(0),
  held: HeldSchema.optional().meta({ description: 'The hold as `/sources` shows it: how many of how many, since when, and when they may confirm.' }),
  summary: z.string().optional().meta({ description: 'One line for people: how many of how many, and when they confirm.' }),
});

export const SchemaChangedSchema = z.object({
  source: SourceNameSchema,
  field: z.string().meta({ description: "The upstream's own field name." }),
  change: z.enum(['added', 'removed']),
  example: JsonSchema.optional().meta({ description: 'A value of the field (added only), cut to 200 characters as JSON.' }),
  detectedAt: isoTime(),
});

export const CatalogPublishedSchema = z.object({
  version: z.string().regex(/^\d+$/),
  syncedAt: isoTime(),
  count: z.int().min(0),
  key: z.string().meta({ description: 'The object key of the immutable catalog file, `catalog/v/<version>.json`.' }),
  sha256: z.string().regex(/^[0-9a-f]{64}$/).meta({ description: "Hex SHA-256 of the object's bytes." }),
});

/** The schema of each DetailType's `detail`, by DetailType. */
const SCHEMAS: Record<string, z.ZodType> = {
  [detailTypes.REGION_DETAIL_TYPES['region.added']]: change('region.added'),
  [detailTypes.REGION_DETAIL_TYPES['region.removed']]: change('region.removed'),
  [detailTypes.REGION_DETAIL_TYPES['region.changed']]: change('region.changed'),
  [detailTypes.SOURCE_DEGRADED]: SourceDegradedSchema,
  [detailTypes.SOURCE_RECOVERED]: SourceRecoveredSchema,
  [detailTypes.REMOVALS_HELD]: RemovalsHeldSchema,
  [detailTypes.SCHEMA_CHANGED]: SchemaChangedSchema,
  // Its constant comes with the catalog file (issue 20); the contract names the detail already.
  'Catalog Published': CatalogPublishedSchema,
};

export { listDetailTypes, webhookType };

export function detailSchema(detailType: string): z.ZodType {
  const schema = Object.hasOwn(SCHEMAS, detailType) ? SCHEMAS[detailType] : undefined;
  if (!schema) throw new Error(`DetailType '${detailType}' has no detail schema in lib/core/event-schemas.ts`);
  return schema;
}

export type SchemaTarget = 'draft-2020-12' | 'draft-4';

const JSON_VALUE_DESCRIPTION = 'Any JSON value (string, number, boolean, null, array or object), as the upstream gave it.';

/**
 * The JSON Schema of one DetailType's detail. `JsonValue` is written as the
 * empty schema (any value) rather than zod's recursive union: it means the
 * same, and generated code (openapi-typescript, EventBridge code bindings)
 * fails on the recursive form.
 */
export function detailJsonSchema(detailType: string, target: SchemaTarget): Record<string, unknown> {
  const schema = z.toJSONSchema(detailSchema(detailType), {
    target,
    io: 'output',
    unrepresentable: 'throw',
    cycles: 'ref',
    reused: 'inline',
    override: (ctx) => {
      if (ctx.zodSchema === JsonSchema) replaceWithAny(ctx.jsonSchema);
    },
  }) as Record<string, unknown>;
  return {
    ...inlineDefinitions(schema),
    title: detailType,
    description: `The \`detail\` of a \`${detailType}\` event (webhook type \`${webhookType(detailType)}\`).`,
  };
}

/** Every DetailType's detail schema, by DetailType. */
export function detailJsonSchemas(target: SchemaTarget): Record<string, Record<string, unknown>> {
  return Object.fromEntries(listDetailTypes().map((t) => [t, detailJsonSchema(t, target)]));
}

export function replaceWithAny(jsonSchema: Record<string, unknown>): void {
  for (const key of Object.keys(jsonSchema)) delete jsonSchema[key];
  jsonSchema.description = JSON_VALUE_DESCRIPTION;
}

/**
 * The schema with its `$defs` / `definitions` written in place: they are the
 * any-value leaves above, and a self-contained schema can be embedded
 * anywhere (the OpenAPI components, the registry) without its refs moving.
 */
function inlineDefinitions(schema: Record<string, unknown>): Record<string, unknown> {
  const { $defs, definitions, ...rest } = schema as { $defs?: Record<string, unknown>; definitions?: Record<string, unknown> };
  const defs: Record<string, unknown> = { ...(definitions ?? {}), ...($defs ?? {}) };
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (!node || typeof node !== 'object') return node;
    const { $ref, ...others } = node as Record<string, unknown>;
    const name = typeof $ref === 'string' ? /^#\/(?:\$defs|definitions)\/(.+)$/.exec($ref)?.[1] : undefined;
    const target = name !== undefined ? defs[name] : undefined;
    if (target && !JSON.stringify(target).includes('"$ref"')) return { ...(walk(target) as object), ...(walk(others) as object) };
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, walk(v)]));
  };
  const out = walk(rest) as Record<string, unknown>;
  const leftover = Object.keys(defs).filter((name) => JSON.stringify(out).includes(`/${name}"`));
  if (leftover.length) throw new Error(`detail schema keeps references to ${leftover.join(', ')}`);
  return out;
}

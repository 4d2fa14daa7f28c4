/**
 * The OpenAPI 3.1 document of the catalog API, served at /openapi.json. Its
 * component schemas are generated from the zod schemas of lib/core/api-records
 * with `z.toJSONSchema` (JSON Schema 2020-12, OpenAPI 3.1's dialect; the
 * output side, which is what the API sends). Each route is written once, as
 * its GET operation; `route()` derives its HEAD (the same answers without a
 * body) and its OPTIONS (the CORS preflight). Adding a route is one entry in
 * `paths`. A test validates real answers of every route against this document
 * and CI lints it (`npm run lint:openapi`).
 */
import * as z from 'zod';
import { detailJsonSchema, listDetailTypes, replaceWithAny, webhookType } from '../core/event-schemas';
import {
  ATOM_DEFAULT_LIMIT,
  DEFAULT_LIMIT,
  FILTER_VALUE_PATTERN,
  MAX_AT,
  MAX_FILTER_VALUES,
  MAX_LIMIT,
  MAX_Q,
  PAGE_DEFAULT_LIMIT,
  PAGE_MAX_LIMIT,
  PAGE_MAX_PAGE,
  REGION_ID_PATTERN,
  REGION_KEY_PATTERN,
} from '../core/limits';
import { SOURCES } from '../core/api-records';
import { apiSchemas, JsonSchema } from '../core/api-schemas';

type Json = Record<string, unknown>;

interface Response {
  description: string;
  headers?: Json;
  content?: Json;
}

interface GetOperation {
  operationId: string;
  summary: string;
  description?: string;
  parameters?: Json[];
  responses: Record<string, Response>;
}

/** The component schemas, generated: one per entry of `apiSchemas`, `$ref`s between them by name. */
function componentSchemas(): Record<string, Json> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(apiSchemas)) registry.add(schema, { id });
  const { schemas } = z.toJSONSchema(registry, {
    target: 'draft-2020-12',
    io: 'output',
    unrepresentable: 'throw',
    uri: (id) => `#/components/schemas/${id}`,
    // Any JSON value, not zod's recursive union: generated clients (openapi-typescript) cannot compile the recursive form (TS2502).
    override: (ctx) => {
      if (ctx.zodSchema === JsonSchema) replaceWithAny(ctx.jsonSchema);
    },
  });
  // The document's jsonSchemaDialect names the dialect once; a fragment-only `$id` is no valid 2020-12 id.
  return Object.fromEntries(Object.entries(schemas).map(([id, { $schema: _dialect, $id: _id, ...schema }]) => [id, schema]));
}

const schema = (name: keyof typeof apiSchemas) => ({ $ref: `#/components/schemas/${name}` });

/** `Region Added` → `RegionAddedDetail`: the component name of a DetailType's detail. */
const detailComponent = (detailType: string) => `${detailType.replace(/ /g, '')}Detail`;

/** The detail schemas of every DetailType (lib/core/event-schemas), as components. */
function detailSchemas(): Record<string, Json> {
  return Object.fromEntries(
    listDetailTypes().map((detailType) => {
      const { $schema: _dialect, ...detail } = detailJsonSchema(detailType, 'draft-2020-12');
      return [detailComponent(detailType), detail];
    }),
  );
}

const webhookHeader = (name: string, description: string, example: string) => ({ name, in: 'header', required: true, description, schema: { type: 'string' }, example });

/**
 * One webhook per DetailType: what the delivery function POSTs to each endpoint
 * of `webhookEndpoints` (Standard Webhooks: body, id, timestamp, signature).
 */
function webhooks(): Record<string, Json> {
  return Object.fromEntries(
    listDetailTypes().map((detailType) => {
      const type = webhookType(detailType);
      return [
        type,
        {
          post: {
            operationId: `deliver${detailType.replace(/ /g, '')}`,
            summary: `A \`${detailType}\` event, signed as Standard Webhooks describes.`,
            description:
              'Verify with any `standardwebhooks` library and the endpoint\'s `whsec_` secret. Deduplicate on `webhook-id`: it is the same on every try and on a replay.',
            parameters: [
              { $ref: '#/components/parameters/WebhookId' },
              { $ref: '#/components/parameters/WebhookTimestamp' },
              { $ref: '#/components/parameters/WebhookSignature' },
            ],
            requestBody: {
              required: true,
              content: {
                'application/json': {
                  schema: {
                    type: 'object',
                    required: ['type', 'timestamp', 'data'],
                    additionalProperties: false,
                    properties: {
                      type: { type: 'string', const: type },
                      timestamp: { type: 'string', format: 'date-time', description: 'When the change was detected, or the time of the event.' },
                      data: { $ref: `#/components/schemas/${detailComponent(detailType)}` },
                    },
                  },
                },
              },
            },
            responses: {
              '2XX': { description: 'Delivered.' },
              default: { description: 'Not delivered (as is no answer within 10 s): tried again with backoff for 24 hours, then kept in a dead-letter queue.' },
            },
          },
        },
      ];
    }),
  );
}
const json = (body: unknown) => ({ 'application/json': { schema: body } });

const problem = (description: string, headers?: Json): Response => ({
  description,
  ...(headers ? { headers } : {}),
  content: { 'application/problem+json': { schema: schema('Problem') } },
});

const cacheHeaders = {
  ETag: { description: 'Strong tag of this body; an encoding suffix (`-br`, `-gzip`) names a compressed one.', schema: { type: 'string' } },
  'Cache-Control': { schema: { type: 'string' } },
};

/** Answers every route may give. */
const common: Record<string, Response> = {
  '405': problem('The path exists but answers only GET and HEAD (and OPTIONS for a CORS preflight).', {
    Allow: { schema: { type: 'string', const: 'GET, HEAD' } },
  }),
  '414': problem('The path is over 1 kB or the query string over 4 kB.'),
  '500': problem('A fault of the service; `detail` is never given.'),
  '503': problem('Commits kept landing while the catalog was read; retry.', { 'Retry-After': { schema: { type: 'string' } } }),
};

const ok = (description: string, body: unknown, headers: Json = cacheHeaders): Response => ({ description, headers, content: json(body) });
const okAs = (description: string, mediaType: string, headers: Json = cacheHeaders): Response => ({
  description,
  headers,
  content: { [mediaType]: { schema: { type: 'string' } } },
});
/** A comma list (`?source=zilliz,modelarts`): an array in form style, not exploded, of values of the given schema. */
const commaList = (name: string, description: string, items: unknown, example: string[]) => ({
  name,
  in: 'query',
  description,
  style: 'form',
  explode: false,
  schema: { type: 'array', items, maxItems: MAX_FILTER_VALUES },
  example,
});
/** A cloud id filter value: the pattern lib/catalog/params enforces (lib/core/limits). */
const cloudIdItems = () => ({ type: 'string', pattern: FILTER_VALUE_PATTERN });
const notModified: Response = { description: 'Not modified: `If-None-Match` named the current tag. No body.', headers: cacheHeaders };
/** The path parameters naming one region. */
const regionPath = [
  { name: 'source', in: 'path', required: true, schema: schema('SourceName') },
  { name: 'regionId', in: 'path', required: true, schema: { type: 'string', pattern: REGION_ID_PATTERN } },
];
const ifNoneMatch = { $ref: '#/components/parameters/IfNoneMatch' };

/** HEAD: the GET's answers, headers only. */
function headOf(get: GetOperation) {
  const responses = Object.fromEntries(Object.entries(get.responses).map(([status, { description, headers }]) => [status, { description, ...(headers ? { headers } : {}) }]));
  return { operationId: `${get.operationId}Head`, summary: `${get.summary} Headers only.`, parameters: get.parameters, responses };
}

/** OPTIONS: the CORS preflight of the route (its path parameters, and the preflight's headers). */
function preflightOf(get: GetOperation) {
  const pathParameters = (get.parameters ?? []).filter((p) => p.in === 'path');
  return {
    operationId: `${get.operationId}Preflight`,
    summary: 'CORS preflight.',
    parameters: [...pathParameters, { $ref: '#/components/parameters/AccessControlRequestMethod' }, { $ref: '#/components/parameters/Origin' }],
    responses: {
      '204': { $ref: '#/components/responses/Preflight' },
      '405': { $ref: '#/components/responses/NotAPreflight' },
      '414': common['414'],
    },
  };
}

/** A route: its GET, written once, and the HEAD and OPTIONS derived from it. */
function route(get: Omit<GetOperation, 'responses'> & { responses: Record<string, Response> }) {
  const full: GetOperation = { ...get, responses: { ...get.responses, ...common } };
  return { get: full, head: headOf(full), options: preflightOf(full) };
}

/**
 * The document, built on first use: generating the components costs the
 * catalog's cold start nothing unless /openapi.json is asked for.
 */
export function openapiDocument() {
  return (built ??= buildDocument());
}

let built: ReturnType<typeof buildDocument> | undefined;

function buildDocument() {
  return {
    openapi: '3.1.0',
    info: {
      title: 'region-sync catalog API',
      version: '1.0.0',
      description:
        'The region catalog of Zilliz Cloud and Huawei ModelArts, the status of each synced scope, and the feed of region changes. ' +
        'Errors are RFC 9457 `application/problem+json`. Every GET route also answers HEAD, and OPTIONS for a CORS preflight.',
      license: { name: 'UNLICENSED', identifier: 'LicenseRef-Proprietary' },
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    servers: [{ url: '/', description: 'The API Gateway stage (or `npm start` locally) serving this document.' }],
    // A public, read-only API: no operation needs credentials.
    security: [],
    paths: {
      '/regions': route({
        operationId: 'listRegions',
        summary: 'Every region, sorted by id, optionally filtered.',
        parameters: [
          commaList('source', 'Comma list of sources (at most 20).', schema('SourceName'), ['zilliz', 'modelarts']),
          commaList('cloudId', 'Comma list of cloud ids (at most 20).', cloudIdItems(), ['aws', 'gcp']),
          {
            name: 'at',
            in: 'query',
            description:
              'A past point: a feed cursor (the catalog as a client that has read the feed up to it holds it) or an RFC 3339 time. ' +
              'The answer has the same shape, the filters apply, and `version` is the sequence of that moment; a settled past answer is `immutable`.',
            schema: { type: 'string' },
            example: '2026-11-24T09:00:00Z',
          },
          ifNoneMatch,
        ],
        responses: {
          '200': ok('The catalog (now, or at `at`).', schema('RegionList')),
          '304': notModified,
          '400': problem('A filter value is invalid, or `at` does not parse, lies in the future or is ahead of the last commit; `detail` names the parameter.'),
          '410': problem('`at` is older than the change retention.'),
        },
      }),
      '/regions/{source}/{regionId}': route({
        operationId: 'getRegion',
        summary: 'One region.',
        parameters: [
          ...regionPath,
          ifNoneMatch,
        ],
        responses: {
          '200': ok('The region.', schema('Region')),
          '304': notModified,
          '400': problem('The source or the region id is invalid.'),
          '404': problem('No such region.'),
        },
      }),
      '/regions/{source}/{regionId}/history': route({
        operationId: 'getRegionHistory',
        summary: "Every change of one region within the retention, oldest first (removed regions included).",
        parameters: [
          ...regionPath,
          ifNoneMatch,
        ],
        responses: {
          '200': ok("The region's changes.", schema('RegionHistory')),
          '304': notModified,
          '400': problem('The source or the region id is invalid.'),
          '404': problem('The region has no change within the retention and is not in the catalog.'),
        },
      }),
      '/sources': route({
        operationId: 'listSources',
        summary: 'The sync status of every scope, sorted by scope.',
        parameters: [ifNoneMatch],
        responses: {
          '200': ok('Status per scope.', schema('SourceList')),
          '304': notModified,
          '400': problem('The request is not an HTTP API request.'),
        },
      }),
      '/changes': route({
        operationId: 'listChanges',
        summary: 'Region changes after a cursor, oldest first.',
        description:
          'Poll with the `next` of the previous answer: it is always given (the same cursor when nothing is new), ' +
          'so no change is missed nor repeated. Changesets older than the retention period are deleted; a cursor pointing before them answers 410.',
        parameters: [
          {
            name: 'since',
            in: 'query',
            description: 'A `next` cursor from a previous answer; omitted, the feed starts at the oldest retained change.',
            schema: { type: 'string' },
          },
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: MAX_LIMIT, default: DEFAULT_LIMIT } },
          commaList('source', 'Comma list of sources; `next` still moves past the changes the filter leaves out.', schema('SourceName'), ['zilliz']),
          commaList('type', 'Comma list of change types.', schema('ChangeType'), ['region.removed']),
        ],
        responses: {
          '200': ok('The next changes.', schema('ChangeFeed'), { 'Cache-Control': { schema: { type: 'string', const: 'no-store' } } }),
          '400': problem('`limit`, `since`, `source` or `type` is invalid, or the cursor is ahead of the last commit.'),
          '410': problem('The cursor points before the oldest retained change; restart without `since`.'),
        },
      }),
      '/changes.atom': route({
        operationId: 'getChangesAtom',
        summary: 'The latest changes as an Atom 1.0 feed (RFC 4287), newest first.',
        parameters: [
          commaList('source', 'Comma list of sources.', schema('SourceName'), ['zilliz']),
          commaList('type', 'Comma list of change types.', schema('ChangeType'), ['region.added', 'region.removed']),
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: MAX_LIMIT, default: ATOM_DEFAULT_LIMIT } },
          ifNoneMatch,
        ],
        responses: {
          '200': okAs('The feed.', 'application/atom+xml'),
          '304': notModified,
          '400': problem('A parameter is invalid; `detail` names it.'),
        },
      }),
      '/': route({
        operationId: 'getPage',
        summary: 'The catalog page for people: health, the catalog (search, filters, pages) and the latest changes.',
        description: 'Server-rendered; reads with JavaScript off. Every asset comes from this origin (`Content-Security-Policy`).',
        parameters: [
          { name: 'q', in: 'query', description: `Search text (at most ${MAX_Q} characters).`, schema: { type: 'string', maxLength: MAX_Q } },
          { name: 'source', in: 'query', schema: { type: 'string', enum: ['', ...SOURCES] } },
          // Empty means any cloud.
          { name: 'cloud', in: 'query', schema: { type: 'string', pattern: `^$|${FILTER_VALUE_PATTERN}` } },
          { name: 'page', in: 'query', schema: { type: 'integer', minimum: 1, maximum: PAGE_MAX_PAGE, default: 1 } },
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: PAGE_MAX_LIMIT, default: PAGE_DEFAULT_LIMIT } },
          {
            name: 'at',
            in: 'query',
            description: 'The page at a past point, as `GET /regions?at=` answers it: a feed cursor or an RFC 3339 time. The health is not shown; a settled point is served `immutable`.',
            schema: { type: 'string', maxLength: MAX_AT },
          },
          {
            name: 'region',
            in: 'query',
            description: "Adds that region's history (`<source>:<regionId>`), oldest first, removed regions included.",
            schema: { type: 'string', pattern: REGION_KEY_PATTERN },
          },
          ifNoneMatch,
        ],
        responses: {
          '200': okAs('The page.', 'text/html'),
          '304': notModified,
          '400': problem('A parameter is invalid (`at` that does not parse or lies in the future included); `detail` names it.'),
          '404': problem('`region` has no change within the retention and is not in the catalog.'),
          '410': problem('`at` is older than the change retention.'),
        },
      }),
      '/assets/page.css': route({
        operationId: 'getPageCss',
        summary: "The page's style sheet.",
        parameters: [{ name: 'v', in: 'query', description: 'Content hash; a matching `v` is cached for a year.', schema: { type: 'string' } }, ifNoneMatch],
        responses: { '200': okAs('The style sheet.', 'text/css'), '304': notModified },
      }),
      '/assets/page.js': route({
        operationId: 'getPageJs',
        summary: "The page's script (instant search and filters; the page works without it).",
        parameters: [{ name: 'v', in: 'query', description: 'Content hash; a matching `v` is cached for a year.', schema: { type: 'string' } }, ifNoneMatch],
        responses: { '200': okAs('The script.', 'text/javascript'), '304': notModified },
      }),
      '/schemas': route({
        operationId: 'listSchemas',
        summary: 'The JSON Schema of every event DetailType (the same as under `webhooks` and in the EventBridge schema registry).',
        parameters: [ifNoneMatch],
        responses: {
          '200': ok('The schemas, by DetailType.', {
            type: 'object',
            required: ['schemas'],
            properties: {
              schemas: {
                type: 'array',
                items: {
                  type: 'object',
                  required: ['detailType', 'url'],
                  properties: { detailType: { type: 'string', examples: ['Region Added'] }, url: { type: 'string', examples: ['/schemas/Region%20Added'] } },
                },
              },
            },
          }),
          '304': notModified,
          '400': problem('The request is not an HTTP API request.'),
        },
      }),
      '/schemas/{detailType}': route({
        operationId: 'getSchema',
        summary: "The JSON Schema (2020-12) of one DetailType's `detail`.",
        parameters: [
          {
            name: 'detailType',
            in: 'path',
            required: true,
            description: 'A DetailType (`Region Added`) or its webhook type (`region.added`).',
            schema: { type: 'string', enum: listDetailTypes().flatMap((t) => [t, webhookType(t)]) },
          },
          ifNoneMatch,
        ],
        responses: {
          '200': {
            description: 'The schema.',
            headers: cacheHeaders,
            content: {
              'application/schema+json': {
                schema: {
                  type: 'object',
                  required: ['$schema', '$id', 'type'],
                  properties: { $schema: { type: 'string', const: 'https://json-schema.org/draft/2020-12/schema' }, $id: { type: 'string' }, type: { type: 'string', const: 'object' } },
                },
              },
            },
          },
          '304': notModified,
          '400': problem('The request is not an HTTP API request.'),
          '404': problem('No such DetailType.'),
        },
      }),
      '/openapi.json': route({
        operationId: 'getOpenApi',
        summary: 'This document.',
        parameters: [ifNoneMatch],
        responses: {
          '200': ok('The OpenAPI 3.1 document.', {
            type: 'object',
            required: ['openapi', 'paths'],
            properties: { openapi: { type: 'string', pattern: '^3\\.1\\.' }, paths: { type: 'object' } },
          }),
          '304': notModified,
          '400': problem('The request is not an HTTP API request.'),
        },
      }),
    },
    components: {
      parameters: {
        IfNoneMatch: {
          name: 'If-None-Match',
          in: 'header',
          description: 'Tags of bodies the client holds (or `*`); a match answers 304.',
          schema: { type: 'string' },
        },
        AccessControlRequestMethod: {
          name: 'Access-Control-Request-Method',
          in: 'header',
          required: true,
          description: 'The method of the request the browser will send; without it, OPTIONS answers 405.',
          schema: { type: 'string', enum: ['GET', 'HEAD'] },
        },
        Origin: { name: 'Origin', in: 'header', description: 'The origin of the calling page.', schema: { type: 'string' } },
        WebhookId: webhookHeader('webhook-id', 'The change id for a change, the event id otherwise: the same on every try.', '01JDQ8Z4Y3K3V0W7N2C5R8T6AB'),
        WebhookTimestamp: webhookHeader('webhook-timestamp', 'Unix seconds of this try; reject one far from your clock.', '1764669600'),
        WebhookSignature: webhookHeader(
          'webhook-signature',
          '`v1,<base64 HMAC-SHA256 of "<webhook-id>.<webhook-timestamp>.<body>">`, keyed with the base64-decoded part of the `whsec_` secret.',
          'v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=',
        ),
      },
      responses: {
        Preflight: {
          description: 'The preflight is answered; the CORS headers are given when the origin is allowed (`CORS_ORIGINS`).',
          headers: {
            'Access-Control-Allow-Origin': { schema: { type: 'string' } },
            'Access-Control-Allow-Methods': { schema: { type: 'string', const: 'GET, HEAD' } },
            'Access-Control-Allow-Headers': { schema: { type: 'string' } },
            'Access-Control-Max-Age': { schema: { type: 'string' } },
          },
        },
        NotAPreflight: problem('An OPTIONS request without `Access-Control-Request-Method` is not a preflight.', {
          Allow: { schema: { type: 'string', const: 'GET, HEAD' } },
        }),
      },
      schemas: { ...componentSchemas(), ...detailSchemas() },
    },
    webhooks: webhooks(),
  };
}

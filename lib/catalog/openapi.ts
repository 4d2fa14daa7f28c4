/**
 * The OpenAPI 3.1 document of the catalog API, served at /openapi.json. Its
 * schemas are JSON Schema 2020-12; a test validates real answers of every
 * route against them, so the document cannot drift from the code.
 */
const problemRef = { $ref: '#/components/schemas/Problem' };
const isoTime = { type: 'string', format: 'date-time' };
const nullableTime = { type: ['string', 'null'], format: 'date-time' };

const problem = (description: string, headers?: Record<string, unknown>) => ({
  description,
  ...(headers ? { headers } : {}),
  content: { 'application/problem+json': { schema: problemRef } },
});

const errors = {
  '405': { $ref: '#/components/responses/MethodNotAllowed' },
  '414': { $ref: '#/components/responses/UriTooLong' },
  '500': { $ref: '#/components/responses/InternalError' },
  '503': { $ref: '#/components/responses/Unavailable' },
};

const cacheHeaders = {
  ETag: { description: 'Strong tag of this body; an encoding suffix (`-br`, `-gzip`) names a compressed one.', schema: { type: 'string' } },
  'Cache-Control': { schema: { type: 'string' } },
};

const notModified = { description: 'Not modified: `If-None-Match` named the current tag. No body.', headers: cacheHeaders };

const json = (schema: unknown) => ({ 'application/json': { schema } });

const ifNoneMatch = { $ref: '#/components/parameters/IfNoneMatch' };

export const openapiDocument = {
  openapi: '3.1.0',
  info: {
    title: 'region-sync catalog API',
    version: '1.0.0',
    description:
      'The region catalog of Zilliz Cloud and Huawei ModelArts, the status of each synced scope, and the feed of region changes. ' +
      'Errors are RFC 9457 `application/problem+json`. Every GET route also answers HEAD.',
  },
  jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
  paths: {
    '/regions': {
      get: {
        operationId: 'listRegions',
        summary: 'Every region, sorted by id, optionally filtered.',
        parameters: [
          {
            name: 'source',
            in: 'query',
            description: 'Comma list of sources (at most 20).',
            schema: { type: 'string' },
            example: 'zilliz,modelarts',
          },
          {
            name: 'cloudId',
            in: 'query',
            description: 'Comma list of cloud ids (at most 20), each matching `^[a-z0-9][a-z0-9._-]{0,63}$`.',
            schema: { type: 'string' },
            example: 'aws,gcp',
          },
          ifNoneMatch,
        ],
        responses: {
          '200': { description: 'The catalog.', headers: cacheHeaders, content: json({ $ref: '#/components/schemas/RegionList' }) },
          '304': notModified,
          '400': problem('A filter value is invalid; `detail` names the parameter.'),
          ...errors,
        },
      },
    },
    '/regions/{source}/{regionId}': {
      get: {
        operationId: 'getRegion',
        summary: 'One region.',
        parameters: [
          { name: 'source', in: 'path', required: true, schema: { $ref: '#/components/schemas/SourceName' } },
          { name: 'regionId', in: 'path', required: true, schema: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,128}$' } },
          ifNoneMatch,
        ],
        responses: {
          '200': { description: 'The region.', headers: cacheHeaders, content: json({ $ref: '#/components/schemas/Region' }) },
          '304': notModified,
          '400': problem('The source or the region id is invalid.'),
          '404': problem('No such region.'),
          ...errors,
        },
      },
    },
    '/sources': {
      get: {
        operationId: 'listSources',
        summary: 'The sync status of every scope, sorted by scope.',
        parameters: [ifNoneMatch],
        responses: {
          '200': { description: 'Status per scope.', headers: cacheHeaders, content: json({ $ref: '#/components/schemas/SourceList' }) },
          '304': notModified,
          ...errors,
        },
      },
    },
    '/changes': {
      get: {
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
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 500, default: 100 } },
        ],
        responses: {
          '200': {
            description: 'The next changes.',
            headers: { 'Cache-Control': { schema: { type: 'string', const: 'no-store' } } },
            content: json({ $ref: '#/components/schemas/ChangeFeed' }),
          },
          '400': problem('`limit` or `since` is invalid, or the cursor is ahead of the last commit.'),
          '410': problem('The cursor points before the oldest retained change; restart without `since`.'),
          ...errors,
        },
      },
    },
    '/openapi.json': {
      get: {
        operationId: 'getOpenApi',
        summary: 'This document.',
        parameters: [ifNoneMatch],
        responses: {
          '200': { description: 'The OpenAPI 3.1 document.', headers: cacheHeaders, content: json({ type: 'object', required: ['openapi', 'paths'] }) },
          '304': notModified,
          ...errors,
        },
      },
    },
  },
  components: {
    parameters: {
      IfNoneMatch: {
        name: 'If-None-Match',
        in: 'header',
        description: 'Tags of bodies the client holds (or `*`); a match answers 304.',
        schema: { type: 'string' },
      },
    },
    responses: {
      NotFound: problem('No such route.'),
      MethodNotAllowed: problem('The path exists but answers only GET and HEAD.', {
        Allow: { schema: { type: 'string', const: 'GET, HEAD' } },
      }),
      UriTooLong: problem('The path is over 1 kB or the query string over 4 kB.'),
      InternalError: problem('A fault of the service; `detail` is never given.'),
      Unavailable: problem('Commits kept landing while the catalog was read; retry.', { 'Retry-After': { schema: { type: 'string' } } }),
    },
    schemas: {
      SourceName: { type: 'string', enum: ['zilliz', 'modelarts'] },
      Region: {
        type: 'object',
        required: ['id', 'source', 'cloudId', 'regionId', 'name', 'localizedNames', 'apiBaseUrl', 'attributes', 'firstSeenAt', 'updatedAt'],
        properties: {
          id: { type: 'string', description: '`<source>:<regionId>`' },
          source: { $ref: '#/components/schemas/SourceName' },
          cloudId: { type: 'string' },
          regionId: { type: 'string' },
          name: { type: 'string' },
          localizedNames: { type: 'object', additionalProperties: { type: 'string' } },
          apiBaseUrl: { type: ['string', 'null'] },
          attributes: { type: 'object', description: 'Every other upstream field, as given.' },
          firstSeenAt: isoTime,
          updatedAt: isoTime,
        },
      },
      RegionList: {
        type: 'object',
        required: ['regions', 'count', 'version', 'syncedAt'],
        additionalProperties: false,
        properties: {
          regions: { type: 'array', items: { $ref: '#/components/schemas/Region' } },
          count: { type: 'integer', minimum: 0 },
          version: { type: 'string', pattern: '^\\d+$', description: 'The commit sequence of this catalog; "0" before the first sync.' },
          syncedAt: { ...nullableTime, description: 'When that commit was made; null before the first sync.' },
        },
      },
      SourceStatus: {
        type: 'object',
        required: ['scope', 'source', 'status', 'lastAttemptAt', 'lastSuccessAt', 'consecutiveFailures', 'lastError', 'regionCount'],
        additionalProperties: false,
        properties: {
          scope: { type: 'string', examples: ['zilliz/aws'] },
          source: { type: 'string' },
          status: { type: 'string', enum: ['ok', 'degraded', 'held', 'never-synced'] },
          lastAttemptAt: nullableTime,
          lastSuccessAt: nullableTime,
          consecutiveFailures: { type: 'integer', minimum: 0 },
          lastError: {
            oneOf: [
              { type: 'null' },
              {
                type: 'object',
                required: ['code', 'message', 'at'],
                additionalProperties: false,
                properties: { code: { type: 'string' }, message: { type: 'string' }, at: isoTime, requestId: { type: 'string', description: "the upstream's request id, to quote to its support" } },
              },
            ],
          },
          regionCount: { type: 'integer', minimum: 0 },
        },
      },
      SourceList: {
        type: 'object',
        required: ['sources'],
        additionalProperties: false,
        properties: {
          sources: { type: 'array', items: { $ref: '#/components/schemas/SourceStatus' } },
          // Issue 14: per source, the upstream field names its answers carried when last seen.
          fields: { type: 'object', additionalProperties: { type: 'array', items: { type: 'string' } } },
        },
      },
      Change: {
        type: 'object',
        required: ['id', 'type', 'regionKey', 'source', 'scope', 'regionId', 'before', 'after', 'changedFields', 'detectedAt'],
        properties: {
          id: { type: 'string', description: 'Unique per change; subscribers deduplicate on it.' },
          type: { type: 'string', enum: ['region.added', 'region.removed', 'region.changed'] },
          regionKey: { type: 'string' },
          source: { $ref: '#/components/schemas/SourceName' },
          scope: { type: 'string' },
          regionId: { type: 'string' },
          before: { oneOf: [{ type: 'null' }, { $ref: '#/components/schemas/Region' }] },
          after: { oneOf: [{ type: 'null' }, { $ref: '#/components/schemas/Region' }] },
          changedFields: { type: 'array', items: { type: 'string' } },
          detectedAt: isoTime,
        },
      },
      ChangeFeed: {
        type: 'object',
        required: ['changes', 'next'],
        additionalProperties: false,
        properties: {
          changes: { type: 'array', items: { $ref: '#/components/schemas/Change' } },
          next: { type: 'string', description: 'Opaque cursor for the next poll; always given.' },
        },
      },
      Problem: {
        type: 'object',
        description: 'RFC 9457 problem details.',
        required: ['type', 'title', 'status'],
        properties: {
          type: { type: 'string', format: 'uri' },
          title: { type: 'string' },
          status: { type: 'integer', minimum: 400, maximum: 599 },
          detail: { type: 'string' },
        },
      },
    },
  },
} as const;

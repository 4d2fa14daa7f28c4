/**
 * The catalog function: regions, sources and the change feed over API Gateway
 * HTTP API. Middy wiring only; the routes live in lib/http/routes.ts.
 */
import middy from '@middy/core';
import httpCors from '@middy/http-cors';
import httpSecurityHeaders from '@middy/http-security-headers';
import type { Context } from 'aws-lambda';
import { loadCatalogConfig } from '../lib/config/catalog';
import { problemMiddleware, type HttpResult } from '../lib/http/problem';
import { createRouter, type CatalogDeps, type CatalogEvent } from '../lib/http/routes';
import { createDocumentClient } from '../lib/store/client';

export interface CatalogHandlerDeps extends CatalogDeps {
  corsOrigins: string[];
}

// Not a literal, so the untyped `reportingEndpoints` passes: it would otherwise send an empty header.
const securityHeaders = { contentTypeOptions: { action: 'nosniff' }, reportingEndpoints: false };

export function createCatalogHandler(deps: CatalogHandlerDeps) {
  return middy<CatalogEvent, HttpResult>()
    .use(httpSecurityHeaders(securityHeaders))
    .use(httpCors({ origins: deps.corsOrigins, methods: 'GET, HEAD', headers: 'If-None-Match', exposeHeaders: 'ETag' }))
    .use(problemMiddleware()) // used last, so its onError runs first and the others decorate its answer
    .handler(createRouter(deps));
}

let instance: ReturnType<typeof createCatalogHandler> | undefined;

export const handler = (event: CatalogEvent, context: Context): Promise<HttpResult> => {
  if (!instance) {
    const config = loadCatalogConfig();
    instance = createCatalogHandler({
      doc: createDocumentClient({ region: config.AWS_REGION, endpoint: config.DYNAMODB_ENDPOINT }),
      tableName: config.TABLE_NAME,
      corsOrigins: config.CORS_ORIGINS,
      revalidateMs: config.CATALOG_REVALIDATE_MS,
      maxAgeSeconds: config.CATALOG_MAX_AGE_SECONDS,
    });
  }
  return instance(event, context);
};

/**
 * The catalog function: regions, sources and the change feed over API Gateway
 * HTTP API. Routing is @middy/http-router's; around it, two plain steps: every
 * thrown error becomes problem+json, and every answer gets its security and
 * CORS headers. Without middy core around them: its per-request machinery was
 * the largest cost of a warm 304 (BENCHMARKS.md), and these two steps are all
 * this function needs of it.
 */
import type { Context } from 'aws-lambda';
import { loadCatalogConfig, type CatalogConfig } from '../lib/catalog/config';
import { createHeaderDecorator } from '../lib/catalog/headers';
import { catalogLog, toProblem, type HttpResult } from '../lib/catalog/problem';
import { createRouter, type CatalogDeps, type CatalogEvent } from '../lib/catalog/routes';
import { createDocumentClient } from '../lib/store/client';

export interface CatalogHandlerDeps extends CatalogDeps {
  corsOrigins: string[];
}

export type CatalogHandler = (event: CatalogEvent, context: Context) => Promise<HttpResult>;

export function createCatalogHandler(deps: CatalogHandlerDeps): CatalogHandler {
  const route = createRouter(deps);
  const decorate = createHeaderDecorator(deps.corsOrigins);
  return async (event, context) => {
    let response: HttpResult;
    try {
      response = (await route(event, context)) as HttpResult;
    } catch (error: unknown) {
      response = toProblem(error, catalogLog);
    }
    return decorate(event, response);
  };
}

/** The handler for a parsed configuration: what the Lambda entry point builds at cold start. */
export function catalogHandlerFromConfig(config: CatalogConfig): CatalogHandler {
  return createCatalogHandler({
    doc: createDocumentClient({ region: config.AWS_REGION, endpoint: config.DYNAMODB_ENDPOINT }),
    tableName: config.TABLE_NAME,
    corsOrigins: config.CORS_ORIGINS,
    revalidateMs: config.CATALOG_REVALIDATE_MS,
    maxAgeSeconds: config.CATALOG_MAX_AGE_SECONDS,
    retentionDays: config.CHANGES_RETENTION_DAYS,
  });
}

let instance: CatalogHandler | undefined;

export const handler: CatalogHandler = (event, context) => {
  instance ??= catalogHandlerFromConfig(loadCatalogConfig());
  return instance(event, context);
};

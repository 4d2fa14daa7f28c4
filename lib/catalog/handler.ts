/**
 * The catalog function's handler, built by one factory for the Lambda entry
 * point, the tests and the benchmarks. Routing is @middy/http-router's (see
 * ./routes); around it, two plain steps: every thrown error becomes
 * problem+json, and every answer gets its security and CORS headers. Without
 * middy core around them: its per-request machinery was the largest cost of a
 * warm 304 (BENCHMARKS.md), and these two steps are all this function needs.
 */
import type { Context } from 'aws-lambda';
import { createDocumentClient } from '../store/client';
import { createArchiveReader } from '../store/archive';
import { createS3Client } from '../store/s3';
import type { BucketDeps } from '../store/catalog-files';
import type { CatalogConfig } from './config';
import { createHeaderDecorator } from './headers';
import { catalogLog, toProblem, type HttpResult } from './problem';
import { createRouter, type CatalogDeps, type CatalogEvent } from './routes';
import { prefersHtml, problemPage } from './page/error';

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
      response = await route(event, context);
    } catch (error: unknown) {
      response = toProblem(error, catalogLog);
      // A browser gets the same error as a page (by Accept); programs keep problem+json.
      if (prefersHtml(event.headers?.accept ?? event.headers?.Accept)) response = problemPage(response);
      // A HEAD answer never has a body, an error's included.
      if (event.requestContext?.http?.method === 'HEAD') response.body = '';
    }
    return decorate(event, response);
  };
}

/** The handler for a parsed configuration: what the Lambda entry point builds at cold start. */
export function catalogHandlerFromConfig(config: CatalogConfig): CatalogHandler {
  const bucket = config.CATALOG_BUCKET;
  // The S3 client is built (and its module loaded) on the first request that needs the archive.
  let client: Promise<BucketDeps> | undefined;
  const archive = bucket
    ? createArchiveReader(() => (client ??= createS3Client({ region: config.AWS_REGION, endpoint: config.S3_ENDPOINT }).then((s3) => ({ s3, bucket }))))
    : undefined;
  return createCatalogHandler({
    ...(archive ? { archive } : {}),
    ...(config.CATALOG_FILE_URL ? { catalogFileUrl: config.CATALOG_FILE_URL } : {}),
    store: { doc: createDocumentClient({ region: config.AWS_REGION, endpoint: config.DYNAMODB_ENDPOINT }), table: config.TABLE_NAME },
    corsOrigins: config.CORS_ORIGINS,
    revalidateMs: config.CATALOG_REVALIDATE_MS,
    maxAgeSeconds: config.CATALOG_MAX_AGE_SECONDS,
    retentionDays: config.CHANGES_RETENTION_DAYS,
  });
}

/**
 * The catalog API's routes on @middy/http-router: each validates its input,
 * calls one reader and maps the result. The router's "no route" becomes 404,
 * or 405 with `Allow` when the path is known; oversized requests stop at 414.
 */
import httpRouterHandler, { type Method } from '@middy/http-router';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { createCatalogCache, type CachedCatalog, type CatalogCache } from './cache';
import { errorMessage } from '../core/errors';
import { readFeed } from './feed';
import { createLogger } from '../core/log';
import type { StoreDeps } from '../store/deps';
import { listKnownFields, listSources, loadCatalog, readChangesetsBackward, readSeq } from '../store/read';
import { regionListBody } from '../store/catalog-layout';
import type { ArchiveReader } from '../store/archive';
import { createRegionHistory } from './region-history';
import { createPastCatalogs, IMMUTABLE, isBeyondRetention, isSettled, parsePoint, pastRepresentation } from './at';
import { encodeCursor } from './cursor';
import { Representation, entityTag, respond, shortHash } from './etag';
import { filterKey, isUnfiltered, parseChangeFilter, parseLimit, parseRegionFilter, parseRegionPath, parseSince } from './params';
import { HttpProblem, invalidParameter, type HttpResult } from './problem';
import { createPageRoutes, type PastAt } from './page/routes';

export interface CatalogDeps {
  store: StoreDeps;
  /** How long a warm catalog is served without asking DynamoDB (ms). */
  revalidateMs: number;
  /** `max-age` of the catalog routes. */
  maxAgeSeconds: number;
  /** Changeset retention (days): `?at=` a time before it is 410. Default 30. */
  retentionDays?: number;
  /** Injected in tests; built from the above by default. */
  cache?: CatalogCache;
  /** The catalog files' archive (lib/store/archive): answers `?at=` beyond the table's retention. */
  archive?: ArchiveReader;
  /** Where people read catalog/latest.json (CATALOG_FILE_URL): the page links to it. */
  catalogFileUrl?: string | undefined;
  now?: () => number;
}

export type CatalogEvent = APIGatewayProxyEventV2;
export type RouteHandler = (event: CatalogEvent) => Promise<HttpResult>;

export const MAX_PATH_BYTES = 1024;
export const MAX_QUERY_BYTES = 4096;
export const ALLOW = 'GET, HEAD';

const log = createLogger({ function: 'catalog' }, (line) => console.error(line));

/** A route template (`/regions/{source}/{regionId}`) as a pattern of the paths it serves, trailing slash allowed. */
const pathPattern = (template: string) =>
  new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}/?$`);

/**
 * The OpenAPI document and the event schemas are generated from zod schemas
 * (lib/core/api-schemas, lib/core/event-schemas): their modules, and zod with
 * them, load on the first request for one of them, so the cold start of the
 * other routes neither builds those schemas nor evaluates zod. (esbuild keeps
 * them in the one bundle; `import()` only defers their evaluation.)
 */
const openapiModule = () => import('./openapi');
const schemasModule = () => import('./schemas');

// Built on the first request for it, and kept.
let openapiRepresentation: Representation | undefined;
const openapiBody = async () => {
  if (openapiRepresentation) return openapiRepresentation;
  const body = JSON.stringify((await openapiModule()).openapiDocument());
  return (openapiRepresentation ??= new Representation(body, `"o-${shortHash(body)}"`));
};

function headersOf(event: CatalogEvent): Record<string, string | undefined> {
  return event.headers ?? {};
}

export function createRoutes(deps: CatalogDeps): Record<string, RouteHandler> {
  const { store } = deps;
  const cache =
    deps.cache ??
    createCatalogCache({
      loader: { readHead: () => readSeq(store), load: () => loadCatalog(store) },
      revalidateMs: deps.revalidateMs,
      onStale: (error) => log.warn('serving the held catalog: revalidation failed', { error: errorMessage(error) }),
      ...(deps.now ? { now: deps.now } : {}),
    });
  const catalogCacheControl = deps.maxAgeSeconds > 0 ? `public, max-age=${deps.maxAgeSeconds}` : 'no-cache';
  const clock = deps.now ?? Date.now;
  const catalogAt = createPastCatalogs(
    {
      current: () => cache.get(),
      head: () => readSeq(store),
      load: () => loadCatalog(store),
      changesets: (range) => readChangesetsBackward(store, { ...range, now: clock() }),
    },
    clock,
  );

  // With the archive, a region's history reaches beyond the table's retention (./region-history).
  const regionHistory = createRegionHistory({ store, archive: deps.archive });

  /** `?at=` as both `/regions` and the page answer it: the catalog then, or the 400 / 410 problem. */
  const pastAt: PastAt = async (at) => {
    const nowMs = clock();
    const point = parsePoint(at, nowMs);
    const past = isBeyondRetention(point, nowMs, deps.retentionDays ?? 30) ? ({ kind: 'expired' } as const) : await catalogAt(point);
    if (past.kind === 'expired' && deps.archive) {
      // Beyond the table's retention: the bucket's archive answers as the table would have.
      const head = await readSeq(store);
      const archived = await deps.archive.catalogAt(point.kind === 'cursor' ? { kind: 'cursor', ...point.position } : point, head.version);
      if (archived) return { catalog: archived, settled: isSettled(point, nowMs) };
    }
    if (past.kind === 'ahead') throw invalidParameter('at', 'the cursor is ahead of the last commit');
    if (past.kind === 'expired') throw new HttpProblem(410, 'point-expired', 'at: older than the change retention; the changes since then are no longer kept');
    return { catalog: past.catalog, settled: isSettled(point, nowMs) };
  };

  const catalogBody = (catalog: CachedCatalog, key: string, make: () => unknown) =>
    catalog.memo(key, () => new Representation(JSON.stringify(make()), entityTag(catalog.version, key)));

  return {
    '/regions': async (event) => {
      const filter = parseRegionFilter(event.queryStringParameters);
      const at = event.queryStringParameters?.at;
      if (at !== undefined) {
        const { catalog: past, settled } = await pastAt(at);
        return respond(pastRepresentation(past, filter), headersOf(event), { cacheControl: settled ? IMMUTABLE : catalogCacheControl });
      }
      const catalog = await cache.get();
      const key = filterKey(filter);
      // The body is the one catalog/latest.json holds (lib/store/catalog-layout), byte for byte.
      const rep = catalog.memo(key, () => {
        const regions = catalog.regions.filter(
          (r) => (filter.source.length === 0 || filter.source.includes(r.source)) && (filter.cloudId.length === 0 || filter.cloudId.includes(r.cloudId)),
        );
        return new Representation(regionListBody(regions, catalog.version, catalog.syncedAt), entityTag(catalog.version, key));
      });
      return respond(rep, headersOf(event), { cacheControl: catalogCacheControl });
    },

    '/regions/{source}/{regionId}': async (event) => {
      const { source, regionId } = parseRegionPath(event.pathParameters);
      const catalog = await cache.get();
      const id = `${source}:${regionId}`;
      const region = catalog.region(id);
      if (!region) throw new HttpProblem(404, 'not-found', `region ${id} not found`);
      return respond(catalogBody(catalog, `region:${id}`, () => region), headersOf(event), { cacheControl: catalogCacheControl });
    },

    '/regions/{source}/{regionId}/history': async (event) => {
      const { source, regionId } = parseRegionPath(event.pathParameters);
      const id = `${source}:${regionId}`;
      const { changes } = await regionHistory(id, clock());
      if (changes.length === 0 && !(await cache.get()).region(id)) throw new HttpProblem(404, 'not-found', `region ${id} has no change within the retention and is not in the catalog`);
      const body = JSON.stringify({ changes });
      return respond(new Representation(body, `"h-${shortHash(body)}"`), headersOf(event), { cacheControl: 'public, max-age=5' });
    },

    '/sources': async (event) => {
      const [sources, fields] = await Promise.all([listSources(store), listKnownFields(store)]);
      const body = JSON.stringify({ sources, fields });
      return respond(new Representation(body, `"s-${shortHash(body)}"`), headersOf(event), { cacheControl: 'public, max-age=5' });
    },

    '/changes': async (event) => {
      const query = event.queryStringParameters;
      const limit = parseLimit(query?.limit);
      const since = parseSince(query?.since);
      const filter = parseChangeFilter(query);
      const feed = await readFeed(store, since, limit, isUnfiltered(filter) ? undefined : filter, clock());
      if (feed.kind === 'ahead') throw new HttpProblem(400, 'invalid-parameter', 'since: the cursor is ahead of the last commit');
      if (feed.kind === 'expired') throw new HttpProblem(410, 'cursor-expired', 'since: cursor expired; restart from the beginning');
      const body = JSON.stringify({ changes: feed.changes, next: encodeCursor(feed.next) });
      return respond(new Representation(body, undefined, 5), headersOf(event), { cacheControl: 'no-store' });
    },

    '/openapi.json': async (event) => respond(await openapiBody(), headersOf(event), { cacheControl: 'public, max-age=300' }),

    // The event schemas (lib/catalog/schemas): one per DetailType, generated from lib/core.
    '/schemas': async (event) => respond((await schemasModule()).schemaList(), headersOf(event), { cacheControl: 'public, max-age=300' }),
    '/schemas/{detailType}': async (event) => {
      const { schemaOf, SCHEMA_MEDIA_TYPE } = await schemasModule();
      return respond(schemaOf(event.pathParameters?.detailType), headersOf(event), { cacheControl: 'public, max-age=300', contentType: SCHEMA_MEDIA_TYPE });
    },

    // For people: the page, the Atom feed and the page's assets (lib/catalog/page).
    ...createPageRoutes({ store, cache, pastAt, regionHistory, now: clock, fileUrl: deps.catalogFileUrl }),
  };
}

function methodNotAllowed(): HttpProblem {
  return new HttpProblem(405, 'method-not-allowed', `only ${ALLOW} are allowed here`, { Allow: ALLOW });
}

/** A CORS preflight on a known path answers 204 (lib/catalog/headers adds its CORS headers); any other OPTIONS is a 405. */
const preflight: RouteHandler = async (event) => {
  if (!headersOf(event)['access-control-request-method']) throw methodNotAllowed();
  return { statusCode: 204, headers: { 'Access-Control-Max-Age': '600' }, body: '' };
};

/** HEAD: the GET answer with its headers and without its body. */
const head =
  (get: RouteHandler): RouteHandler =>
  async (event) => {
    const { statusCode, headers } = await get(event);
    return { statusCode, headers, body: '' };
  };

function checkSize(event: CatalogEvent): void {
  const http = event?.requestContext?.http;
  if (typeof http?.method !== 'string' || typeof http.path !== 'string' || !http.path.startsWith('/')) {
    throw new HttpProblem(400, 'bad-request', 'not an HTTP API request');
  }
  if ((event.rawPath ?? http.path).length > MAX_PATH_BYTES || http.path.length > MAX_PATH_BYTES) {
    throw new HttpProblem(414, 'uri-too-long', `the path is over ${MAX_PATH_BYTES} bytes`);
  }
  const query =
    event.rawQueryString ??
    Object.entries(event.queryStringParameters ?? {})
      .map(([k, v]) => `${k}=${v ?? ''}`)
      .join('&');
  if (query.length > MAX_QUERY_BYTES) throw new HttpProblem(414, 'uri-too-long', `the query string is over ${MAX_QUERY_BYTES} bytes`);
}

/** The inner handler of the catalog function: size checks, then the router. */
export function createRouter(deps: CatalogDeps): (event: CatalogEvent, context: Context) => Promise<HttpResult> {
  const table = createRoutes(deps);
  // A known path asked with another method is a 405, not a 404.
  const known = Object.keys(table).map(pathPattern);
  const routes = Object.entries(table).flatMap(([path, handler]) =>
    (
      [
        ['GET', handler],
        ['HEAD', head(handler)],
        ['OPTIONS', preflight],
      ] as const
    ).map(([method, h]) => ({ method: method as Method, path, handler: h })),
  );
  const router = httpRouterHandler<CatalogEvent, HttpResult>({
    routes,
    notFoundResponse: ({ path }) => {
      if (known.some((re) => re.test(path))) throw methodNotAllowed();
      throw new HttpProblem(404, 'not-found', 'no such route');
    },
  });
  return async (event, context) => {
    checkSize(event);
    return router(event, context);
  };
}

/**
 * The routes for people: `GET /` (the page), `GET /changes.atom` and the
 * page's two assets. Same discipline as the JSON routes: strong entity tags
 * bound to the catalog version (and, for the page, to the health it shows),
 * 304 on If-None-Match, br/gzip; each rendered body is built once per version.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Change } from '../../core/region';
import { readLatestChanges } from '../../store/latest';
import { listSources } from '../../store/read';
import { renderAtom } from '../atom';
import type { CatalogCache } from '../cache';
import { Representation, entityTag, respond, shortHash } from '../etag';
import { PAGE_CSP } from '../headers';
import { isUnfiltered, matchesChange, parseChangeFilter, parseLimit } from '../params';
import type { HttpResult } from '../problem';
import type { APIGatewayProxyEventV2 as CatalogEvent } from 'aws-lambda';
import { ASSETS } from './assets';
import { buildPageModel } from './model';
import { pageQueryKey, parsePageQuery } from './query';
import { renderPage } from './render';

export const PAGE_CHANGES = 20;
export const ATOM_DEFAULT_LIMIT = 50;
const MEMO_LIMIT = 64;

export interface PageRouteDeps {
  doc: DynamoDBDocumentClient;
  tableName: string;
  cache: CatalogCache;
}

type Handler = (event: CatalogEvent) => Promise<HttpResult>;

/** The API's own origin as the client called it (API Gateway sets X-Forwarded-Proto; locally it is plain http). */
export function baseUrl(event: CatalogEvent): string {
  const headers = event.headers ?? {};
  const host = headers.host ?? event.requestContext.domainName;
  const local = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?$/.test(host);
  const proto = headers['x-forwarded-proto']?.split(',')[0]?.trim() || (local ? 'http' : 'https');
  return `${proto}://${host}`;
}

export function createPageRoutes({ doc, tableName, cache }: PageRouteDeps): Record<string, Handler> {
  // Bodies of the current catalog version; a failed build is forgotten, not kept.
  let memoVersion = -1;
  const memo = new Map<string, Promise<Representation>>();
  const once = (version: number, key: string, build: () => Promise<Representation>): Promise<Representation> => {
    if (version !== memoVersion) {
      memo.clear();
      memoVersion = version;
    }
    let hit = memo.get(key);
    if (!hit) {
      hit = build();
      hit.catch(() => memo.delete(key));
      if (memo.size >= MEMO_LIMIT) memo.delete(memo.keys().next().value as string);
      memo.set(key, hit);
    }
    return hit;
  };
  let latestVersion = -1;
  let latest: Promise<Change[]> | undefined;
  const latestChanges = (version: number): Promise<Change[]> => {
    if (version !== latestVersion || !latest) {
      latestVersion = version;
      const read = readLatestChanges(doc, tableName, { toSeq: version, limit: PAGE_CHANGES });
      read.catch(() => {
        if (latest === read) latest = undefined;
      });
      latest = read;
    }
    return latest;
  };

  const routes: Record<string, Handler> = {
    '/': async (event) => {
      const query = parsePageQuery(event.queryStringParameters);
      const [catalog, sources] = await Promise.all([cache.get(), listSources(doc, tableName)]);
      // The health changes with every pass, commit or not: it is part of the tag.
      const key = `${pageQueryKey(query)}|${shortHash(JSON.stringify(sources))}`;
      const rep = await once(catalog.version, key, async () => {
        const changes = await latestChanges(catalog.version);
        const model = buildPageModel({ query, regions: catalog.regions, sources, changes, version: catalog.version, syncedAt: catalog.syncedAt });
        return new Representation(renderPage(model), entityTag(catalog.version, key));
      });
      const res = respond(rep, event.headers ?? {}, { cacheControl: 'no-cache', contentType: 'text/html; charset=utf-8' });
      res.headers['Content-Security-Policy'] = PAGE_CSP;
      return res;
    },

    '/changes.atom': async (event) => {
      const q = event.queryStringParameters;
      // The same filters as GET /changes (comma lists of sources and change types).
      const filter = parseChangeFilter(q);
      const limit = q?.limit === undefined || q.limit === '' ? ATOM_DEFAULT_LIMIT : parseLimit(q.limit);
      const base = baseUrl(event);
      const self = new URLSearchParams();
      if (filter.source.length) self.set('source', filter.source.join(','));
      if (filter.type.length) self.set('type', filter.type.join(','));
      if (q?.limit) self.set('limit', String(limit));
      const selfQuery = self.size ? `?${self.toString()}` : '';
      const catalog = await cache.get();
      const key = `atom|${base}|${selfQuery}`;
      const rep = await once(catalog.version, key, async () => {
        const changes = await readLatestChanges(doc, tableName, {
          toSeq: catalog.version,
          limit,
          ...(isUnfiltered(filter) ? {} : { keep: (c: Change) => matchesChange(filter, c) }),
        });
        return new Representation(renderAtom({ base, selfQuery, sources: filter.source, changes, fallbackUpdated: catalog.syncedAt }), entityTag(catalog.version, key));
      });
      return respond(rep, event.headers ?? {}, { cacheControl: 'public, max-age=30', contentType: 'application/atom+xml; charset=utf-8' });
    },
  };

  for (const a of ASSETS) {
    const rep = new Representation(a.body, `"a-${a.hash}"`);
    routes[a.path] = async (event) =>
      respond(rep, event.headers ?? {}, {
        // The page links `?v=<hash>`: that URL never changes content, so it may be kept a year.
        cacheControl: event.queryStringParameters?.v === a.hash ? 'public, max-age=31536000, immutable' : 'public, max-age=300',
        contentType: a.contentType,
      });
  }
  return routes;
}

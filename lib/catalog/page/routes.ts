/**
 * The routes for people: `GET /` (the page), `GET /changes.atom` and the
 * page's two assets. Same discipline as the JSON routes: strong entity tags
 * bound to the catalog version (and, for the page, to the health it shows),
 * 304 on If-None-Match, br/gzip; each rendered body is built once per version.
 * `/?at=` is the page at a past point, resolved by the very `catalogAt` of
 * `GET /regions?at=`; `/?region=` adds that region's history.
 */
import { ATOM_DEFAULT_LIMIT } from '../../core/limits';
import type { StoreDeps } from '../../store/deps';
import type { Change } from '../../core/region';
import { readChangesBefore, readLatestChanges, type PlacedChange } from '../../store/latest';
import type { RegionHistoryReader } from '../region-history';
import { listSources, readChangesetsBackward } from '../../store/read';
import { IMMUTABLE, type PastCatalog } from '../at';
import type { FeedPosition } from '../cursor';
import { renderAtom } from '../atom';
import type { CatalogCache } from '../cache';
import { Representation, entityTag, respond, shortHash } from '../etag';
import { PAGE_CSP } from '../headers';
import { isUnfiltered, matchesChange, parseChangeFilter, parseLimit } from '../params';
import { HttpProblem, type HttpResult } from '../problem';
import type { APIGatewayProxyEventV2 as CatalogEvent } from 'aws-lambda';
import { ASSETS } from './assets';
import { buildPageModel, changeMatches, type RegionHistory } from './model';
import { pageQueryKey, parsePageQuery, type PageQuery } from './query';
import { renderPage } from './render';

/** The most changes the page lists at once (the latest 24 hours, or one page of older ones). */
export const PAGE_CHANGES = 200;
/** One page of the "older" link. */
export const OLDER_CHANGES = 50;
/** The latest changes shown: those of the last day before the newest (so at least the last pass's). */
const RECENT_MS = 24 * 3600_000;
export { ATOM_DEFAULT_LIMIT };
const MEMO_LIMIT = 64;

/** A past catalog for `at` as `/regions?at=` resolves it, or the 400/410 problem it answers. */
export interface PastView {
  catalog: PastCatalog;
  /** The answer can never change (served as immutable). */
  settled: boolean;
}
export type PastAt = (at: string) => Promise<PastView>;

export interface PageRouteDeps {
  store: StoreDeps;
  cache: CatalogCache;
  /** Shared with `GET /regions?at=`: one instance and one memo, so the page and the API never disagree. */
  pastAt: PastAt;
  /** Shared with `GET /regions/{source}/{regionId}/history`: the table's, and the archive's beyond it. */
  regionHistory: RegionHistoryReader;
  /** The clock that decides which changesets have expired (epoch ms). */
  now?: () => number;
  /** Where people read catalog/latest.json (CATALOG_FILE_URL): the page links to it. */
  fileUrl?: string | undefined;
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

export function createPageRoutes({ store, cache, pastAt, regionHistory: readHistory, now: clock = Date.now, fileUrl }: PageRouteDeps): Record<string, Handler> {
  // Bodies of the current catalog version; a failed build is forgotten, not kept. A body lists
  // changes, so it is also dropped once the first changeset it read expires (`memoUntil`): an
  // expired changeset is never shown, even when no commit has come since.
  let memoVersion = -1;
  let memoUntil = Infinity;
  const memo = new Map<string, Promise<Representation>>();
  const keepUntil = (ms: number) => {
    memoUntil = Math.min(memoUntil, ms);
  };
  const once = (version: number, key: string, build: () => Promise<Representation>): Promise<Representation> => {
    if (version !== memoVersion || clock() >= memoUntil) {
      memo.clear();
      memoVersion = version;
      memoUntil = Infinity;
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
  /**
   * The changes the page lists, following its filters: the latest day's (newest first, grouped by
   * pass when rendered), or with `?older=` one page of those before that place in the feed.
   */
  const listedChanges = async (version: number, query: PageQuery): Promise<{ changes: PlacedChange[]; more: boolean }> => {
    const keep = (c: Change) => changeMatches(c, query);
    const now = clock();
    if (query.older) {
      const [seq, index] = query.older.split('.').map(Number) as [number, number];
      const page = await readChangesBefore(store, { toSeq: Math.min(seq, version), beforeIndex: seq <= version ? index : undefined, limit: OLDER_CHANGES, keep, now });
      keepUntil(page.expiresAtMs);
      return page;
    }
    const read = await readChangesBefore(store, { toSeq: version, limit: PAGE_CHANGES, keep, now });
    keepUntil(read.expiresAtMs);
    const newest = read.changes[0];
    if (!newest) return read;
    const from = Date.parse(newest.change.detectedAt) - RECENT_MS;
    const recent = read.changes.filter((p) => Date.parse(p.change.detectedAt) >= from);
    return { changes: recent, more: read.more || recent.length < read.changes.length };
  };

  const current = async (regionKey: string) => (await cache.get()).region(regionKey) !== undefined;

  /** The region's story for `?region=`, or a 404 like its JSON route when it has none and is not in the catalog. */
  const regionHistory = async (regionKey: string): Promise<RegionHistory | null> => {
    if (!regionKey) return null;
    const [{ changes, expiresAtMs }, inCatalog] = await Promise.all([readHistory(regionKey, clock()), current(regionKey)]);
    keepUntil(expiresAtMs);
    if (changes.length === 0 && !inCatalog) throw new HttpProblem(404, 'not-found', `region: ${regionKey} has no change within the retention and is not in the catalog`);
    const colon = regionKey.indexOf(':');
    return { regionKey, source: regionKey.slice(0, colon), regionId: regionKey.slice(colon + 1), changes, current: inCatalog };
  };

  /** The latest changes a client held at `position`, newest first: the changes after it in its commit are left out. */
  const changesUpTo = async (position: FeedPosition, query: PageQuery, until: { ms: number }): Promise<{ changes: PlacedChange[]; more: boolean }> => {
    const out: PlacedChange[] = [];
    for await (const { seq, changes, expiresAtMs } of readChangesetsBackward(store, { fromSeq: 1, toSeq: position.seq, pageSize: 10, now: clock() })) {
      until.ms = Math.min(until.ms, expiresAtMs);
      const held = seq === position.seq ? changes.slice(0, position.index + 1) : changes;
      for (let i = held.length - 1; i >= 0; i--) {
        if (!changeMatches(held[i]!, query)) continue;
        if (out.length === OLDER_CHANGES) return { changes: out, more: true };
        out.push({ change: held[i]!, seq, index: i });
      }
    }
    return { changes: out, more: false };
  };

  // Settled past views never change (without a region's history, which grows) until the first
  // changeset they list expires: each is built once and kept until then.
  const pastMemo = new Map<string, { rep: Promise<Representation>; until: { ms: number } }>();
  const html = (rep: Representation, event: CatalogEvent, cacheControl: string): HttpResult => {
    const res = respond(rep, event.headers ?? {}, { cacheControl, contentType: 'text/html; charset=utf-8' });
    res.headers['Content-Security-Policy'] = PAGE_CSP;
    return res;
  };

  /** `/?at=`: the catalog as `/regions?at=` answers it (the same instance, so they never disagree); the health is left out. */
  const pastPage = async (event: CatalogEvent, query: PageQuery): Promise<HttpResult> => {
    const { catalog: past, settled } = await pastAt(query.at);
    const history = await regionHistory(query.region);
    // The tag names the position and everything the body shows of the query (the raw `at` is in its links).
    const historyTag = history ? `-${shortHash(JSON.stringify([history.changes.map((c) => c.id), history.current]))}` : '';
    const key = `"p${past.position.seq}.${past.position.index}-${shortHash(`${pageQueryKey(query)}|${query.at}`)}${historyTag}`;
    const until = { ms: Infinity };
    const build = async () => {
      const { changes, more } = await changesUpTo(past.position, query, until);
      // The changes listed are part of the tag: one expiring changes the body.
      const tag = `${key}-${shortHash(changes.map((p) => p.change.id).join())}"`;
      const model = buildPageModel({
        query,
        regions: past.regions,
        sources: null,
        changes,
        moreChanges: more,
        version: past.version,
        syncedAt: past.syncedAt,
        past: { raw: query.at, version: past.version, syncedAt: past.syncedAt },
        history,
        fileUrl: fileUrl ?? null,
      });
      return new Representation(renderPage(model), tag);
    };
    const immutable = settled && !history;
    const hit = immutable ? pastMemo.get(key) : undefined;
    let rep = hit && clock() < hit.until.ms ? hit.rep : undefined;
    if (!rep) {
      rep = build();
      if (immutable) {
        const mine = rep;
        mine.catch(() => pastMemo.delete(key));
        if (pastMemo.size >= MEMO_LIMIT) pastMemo.delete(pastMemo.keys().next().value as string);
        pastMemo.set(key, { rep: mine, until });
      }
    }
    return html(await rep, event, immutable ? IMMUTABLE : 'no-cache');
  };

  const routes: Record<string, Handler> = {
    '/': async (event) => {
      const query = parsePageQuery(event.queryStringParameters);
      if (query.at) return pastPage(event, query);
      const [catalog, sources] = await Promise.all([cache.get(), listSources(store)]);
      // The health changes with every pass, commit or not: it is part of the tag.
      const key = `${pageQueryKey(query)}|${shortHash(JSON.stringify(sources))}`;
      const rep = await once(catalog.version, key, async () => {
        const [{ changes, more }, history] = await Promise.all([listedChanges(catalog.version, query), regionHistory(query.region)]);
        const model = buildPageModel({ query, regions: catalog.regions, sources, changes, moreChanges: more, version: catalog.version, syncedAt: catalog.syncedAt, history, fileUrl: fileUrl ?? null });
        // The changes listed are part of the tag: one expiring changes the body, with no commit.
        const listed = shortHash([...changes.map((p) => p.change.id), ...(history?.changes ?? []).map((c) => c.id)].join());
        return new Representation(renderPage(model), entityTag(catalog.version, `${key}|${listed}`));
      });
      return html(rep, event, 'no-cache');
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
        const { changes, expiresAtMs } = await readLatestChanges(store, {
          toSeq: catalog.version,
          limit,
          now: clock(),
          ...(isUnfiltered(filter) ? {} : { keep: (c: Change) => matchesChange(filter, c) }),
        });
        keepUntil(expiresAtMs);
        const listed = shortHash(changes.map((c) => c.id).join());
        return new Representation(renderAtom({ base, selfQuery, sources: filter.source, types: filter.type, changes, fallbackUpdated: catalog.syncedAt }), entityTag(catalog.version, `${key}|${listed}`));
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

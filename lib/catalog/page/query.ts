/**
 * The page's query string, `/?q=&source=&cloud=&page=&limit=&at=&region=`:
 * what the GET forms submit without JavaScript. Each bad value is a 400 naming
 * it, as on the JSON routes; an empty value means "any" (or "now" for `at`).
 * `at` is only checked for size here: the route parses it as `/regions?at=`
 * does, with the same clock.
 */
import { SOURCES, type SourceName } from '../../core/region';
import { FILTER_VALUE_PATTERN, MAX_AT, MAX_Q, PAGE_DEFAULT_LIMIT, PAGE_MAX_LIMIT, PAGE_MAX_PAGE, REGION_KEY_PATTERN } from '../../core/limits';
import { invalidParameter } from '../problem';
import type { Query } from '../params';

export interface PageQuery {
  /** Lower-cased search text; '' for none. */
  q: string;
  source: SourceName | '';
  cloud: string;
  /** 1-based. */
  page: number;
  limit: number;
  /** The raw point (a feed cursor or an RFC 3339 time); '' for now. */
  at: string;
  /** `<source>:<regionId>` whose history is shown; '' for none. */
  region: string;
  /** `<seq>.<index>`: list the changes older than that place in the feed (the "older" link); '' for the latest. */
  older: string;
}

export { PAGE_DEFAULT_LIMIT, PAGE_MAX_LIMIT };
const CLOUD = new RegExp(FILTER_VALUE_PATTERN);
const REGION_KEY = new RegExp(REGION_KEY_PATTERN);
const OLDER = /^\d{1,12}\.\d{1,6}$/;
/** What people type into "View at": `2026-11-23 10:00` (UTC), with or without seconds. */
const PLAIN_TIME = /^(\d{4}-\d\d-\d\d)[ T](\d\d:\d\d(?::\d\d)?)$/;

/** `2026-11-23 10:00` → `2026-11-23T10:00:00Z`; anything else unchanged (an RFC 3339 time or a cursor). */
export function normaliseAt(at: string): string {
  const m = PLAIN_TIME.exec(at);
  if (!m) return at;
  return `${m[1]}T${m[2]!.length === 5 ? `${m[2]}:00` : m[2]}Z`;
}

function whole(name: string, raw: string | undefined, fallback: number, max: number): number {
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d{1,6}$/.test(raw) || Number(raw) < 1 || Number(raw) > max) throw invalidParameter(name, `expected a whole number from 1 to ${max}`);
  return Number(raw);
}

export function parsePageQuery(query: Query): PageQuery {
  const q = (query?.q ?? '').trim();
  if (q.length > MAX_Q) throw invalidParameter('q', `at most ${MAX_Q} characters`);
  const source = (query?.source ?? '').trim();
  if (source !== '' && !(SOURCES as readonly string[]).includes(source)) throw invalidParameter('source', `expected ${SOURCES.join(' or ')} or empty`);
  const cloud = (query?.cloud ?? '').trim();
  if (cloud !== '' && !CLOUD.test(cloud)) throw invalidParameter('cloud', 'expected 1-64 of a-z 0-9 . _ - or empty');
  const at = normaliseAt((query?.at ?? '').trim().replace(/\s+/g, ' '));
  if (at.length > MAX_AT) throw invalidParameter('at', `at most ${MAX_AT} characters`);
  const region = (query?.region ?? '').trim();
  if (region !== '' && !REGION_KEY.test(region)) throw invalidParameter('region', `expected <source>:<regionId>, such as zilliz:aws-us-east-1`);
  const older = (query?.older ?? '').trim();
  if (older !== '' && !OLDER.test(older)) throw invalidParameter('older', 'expected the place in the feed an "older" link gives, such as 42.0');
  return {
    q: q.toLowerCase(),
    source: source as SourceName | '',
    cloud,
    page: whole('page', query?.page, 1, PAGE_MAX_PAGE),
    limit: whole('limit', query?.limit, PAGE_DEFAULT_LIMIT, PAGE_MAX_LIMIT),
    at,
    region,
    older,
  };
}

/** The query as a link's query string, leaving defaults out; `page` overrides the page. The point viewed is kept, the region's history is not. */
export function pageHref(query: PageQuery, page = query.page): string {
  const params = new URLSearchParams();
  if (query.at) params.set('at', query.at);
  if (query.q) params.set('q', query.q);
  if (query.source) params.set('source', query.source);
  if (query.cloud) params.set('cloud', query.cloud);
  if (page !== 1) params.set('page', String(page));
  if (query.limit !== PAGE_DEFAULT_LIMIT) params.set('limit', String(query.limit));
  const text = params.toString();
  return text ? `/?${text}` : '/';
}

/** The page listing the changes older than `place` (`<seq>.<index>`), with the same filters. */
export function olderHref(query: PageQuery, place: string): string {
  const base = pageHref(query, 1);
  return `${base}${base.includes('?') ? '&' : '?'}older=${place}`;
}

/** The page of a region's history, at the point viewed. */
export function historyHref(regionKey: string, at = ''): string {
  const params = new URLSearchParams({ region: regionKey });
  if (at) params.set('at', at);
  return `/?${params.toString()}`;
}

/** Equal queries, equal key (and entity tag), the point aside: a past view's tag names the position it resolved to. */
export function pageQueryKey(query: PageQuery): string {
  return `page:${query.q}|${query.source}|${query.cloud}|${query.page}|${query.limit}|${query.region}|${query.older}`;
}

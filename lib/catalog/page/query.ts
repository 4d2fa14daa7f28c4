/**
 * The page's query string, `/?q=&source=&cloud=&page=&limit=`: what the GET
 * form submits without JavaScript. Each bad value is a 400 naming it, as on
 * the JSON routes; an empty value means "any".
 */
import { SOURCES, type SourceName } from '../../core/region';
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
}

export const PAGE_DEFAULT_LIMIT = 100;
export const PAGE_MAX_LIMIT = 500;
const MAX_Q = 100;
const CLOUD = /^[a-z0-9][a-z0-9._-]{0,63}$/;

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
  return {
    q: q.toLowerCase(),
    source: source as SourceName | '',
    cloud,
    page: whole('page', query?.page, 1, 100_000),
    limit: whole('limit', query?.limit, PAGE_DEFAULT_LIMIT, PAGE_MAX_LIMIT),
  };
}

/** The query as a link's query string, leaving defaults out; `page` overrides the page. */
export function pageHref(query: PageQuery, page = query.page): string {
  const params = new URLSearchParams();
  if (query.q) params.set('q', query.q);
  if (query.source) params.set('source', query.source);
  if (query.cloud) params.set('cloud', query.cloud);
  if (page !== 1) params.set('page', String(page));
  if (query.limit !== PAGE_DEFAULT_LIMIT) params.set('limit', String(query.limit));
  const text = params.toString();
  return text ? `/?${text}` : '/';
}

/** Equal queries, equal key (and entity tag). */
export function pageQueryKey(query: PageQuery): string {
  return `page:${query.q}|${query.source}|${query.cloud}|${query.page}|${query.limit}`;
}

/**
 * The one home of the catalog's query limits and value patterns, and of the
 * retention default: the validators (lib/catalog/params.ts, page/query.ts),
 * the OpenAPI document (lib/catalog/openapi.ts) and both functions'
 * configuration read them from here, so the documented and the enforced
 * values cannot drift apart.
 */
import { SOURCES } from './api-records';

/** Days a changeset (and its history and outbox items) is kept: CHANGES_RETENTION_DAYS' default. */
export const DEFAULT_RETENTION_DAYS = 30;

/** `limit` of the JSON routes (`/regions`, `/changes`). */
export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 500;
/** `limit` of `/changes.atom`. */
export const ATOM_DEFAULT_LIMIT = 50;
/** The page's `limit` and `page`. */
export const PAGE_DEFAULT_LIMIT = 100;
export const PAGE_MAX_LIMIT = 500;
export const PAGE_MAX_PAGE = 100_000;
/** The page's search text and `at`, in characters. */
export const MAX_Q = 100;
export const MAX_AT = 64;
/** Values of one comma-list filter. */
export const MAX_FILTER_VALUES = 20;

/** An upstream region id (path parameter `regionId`). */
export const REGION_ID_PATTERN = '^[A-Za-z0-9._-]{1,128}$';
/** A cloud id filter value (`cloudId`, the page's `cloud`). */
export const FILTER_VALUE_PATTERN = '^[a-z0-9][a-z0-9._-]{0,63}$';
/** A region key, `<source>:<regionId>` (the page's `region`). */
export const REGION_KEY_PATTERN = `^(${SOURCES.join('|')}):${REGION_ID_PATTERN.slice(1)}`;

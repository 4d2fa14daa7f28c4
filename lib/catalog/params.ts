/**
 * Validation of query and path parameters. Each failure is a 400 problem whose
 * detail starts with the parameter's name; a value is echoed only shortened.
 */
import { SOURCES, type Change, type ChangeType, type Region, type SourceName } from '../core/region';
import { CHANGE_TYPES } from '../core/api-records';
import { DEFAULT_LIMIT, FILTER_VALUE_PATTERN, MAX_FILTER_VALUES, MAX_LIMIT, REGION_ID_PATTERN } from '../core/limits';
import { decodeCursor, START, type FeedPosition } from './cursor';
import { invalidParameter } from './problem';

export type Query = Record<string, string | undefined> | undefined;

export interface RegionFilter {
  /** Sorted, unique; empty means every source. */
  source: SourceName[];
  /** Sorted, unique; empty means every cloud. */
  cloudId: string[];
}

const FILTER_VALUE = new RegExp(FILTER_VALUE_PATTERN);
const MAX_VALUES = MAX_FILTER_VALUES;
const REGION_ID = new RegExp(REGION_ID_PATTERN);
export { DEFAULT_LIMIT, MAX_LIMIT };

const EXPECTED_SOURCES = SOURCES.join(' or ');

function shown(value: string): string {
  return value.length > 40 ? `'${value.slice(0, 40)}…'` : `'${value}'`;
}

function isSource(value: string): value is SourceName {
  return (SOURCES as readonly string[]).includes(value);
}

function commaList(name: string, raw: string | undefined): string[] {
  if (raw === undefined) return [];
  const values = raw
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
  if (values.length > MAX_VALUES) throw invalidParameter(name, `at most ${MAX_VALUES} values`);
  return [...new Set(values)].sort();
}

export function parseRegionFilter(query: Query): RegionFilter {
  const source = commaList('source', query?.source).map((value) => {
    if (!isSource(value)) throw invalidParameter('source', `unknown source ${shown(value)}; expected ${EXPECTED_SOURCES}`);
    return value;
  });
  const cloudId = commaList('cloudId', query?.cloudId);
  for (const value of cloudId) {
    if (!FILTER_VALUE.test(value)) {
      throw invalidParameter('cloudId', `invalid value ${shown(value)}; expected 1-64 of a-z 0-9 . _ - starting with a letter or digit`);
    }
  }
  return { source, cloudId };
}

/** Which changes a feed reader wants; empty lists mean all. Shared by `/changes` and the Atom feed. */
export interface ChangeFilter {
  /** Sorted, unique. */
  source: SourceName[];
  /** Sorted, unique. */
  type: ChangeType[];
}

function isChangeType(value: string): value is ChangeType {
  return (CHANGE_TYPES as readonly string[]).includes(value);
}

/** `source` and `type` of the feed (comma lists); an unknown value is a 400 naming its parameter. */
export function parseChangeFilter(query: Query): ChangeFilter {
  const source = commaList('source', query?.source).map((value) => {
    if (!isSource(value)) throw invalidParameter('source', `unknown source ${shown(value)}; expected ${EXPECTED_SOURCES}`);
    return value;
  });
  const type = commaList('type', query?.type).map((value) => {
    if (!isChangeType(value)) throw invalidParameter('type', `unknown change type ${shown(value)}; expected ${CHANGE_TYPES.join(', ')}`);
    return value;
  });
  return { source, type };
}

export function isUnfiltered(filter: ChangeFilter): boolean {
  return filter.source.length === 0 && filter.type.length === 0;
}

export function matchesChange(filter: ChangeFilter, change: Pick<Change, 'source' | 'type'>): boolean {
  return (filter.source.length === 0 || filter.source.includes(change.source)) && (filter.type.length === 0 || filter.type.includes(change.type));
}

export function matchesRegion(filter: RegionFilter, region: Pick<Region, 'source' | 'cloudId'>): boolean {
  return (filter.source.length === 0 || filter.source.includes(region.source)) && (filter.cloudId.length === 0 || filter.cloudId.includes(region.cloudId));
}

/** The normalised filter as text: equal filters, equal key (and ETag). */
export function filterKey({ source, cloudId }: RegionFilter): string {
  return `source=${source.join(',')}&cloudId=${cloudId.join(',')}`;
}

function decodeSegment(name: string, raw: string | undefined): string {
  if (raw === undefined || raw === '') throw invalidParameter(name, 'missing');
  try {
    return raw.includes('%') ? decodeURIComponent(raw) : raw;
  } catch {
    throw invalidParameter(name, 'malformed percent-encoding');
  }
}

export function parseRegionPath(params: Query): { source: SourceName; regionId: string } {
  const source = decodeSegment('source', params?.source);
  if (!isSource(source)) throw invalidParameter('source', `unknown source ${shown(source)}; expected ${EXPECTED_SOURCES}`);
  const regionId = decodeSegment('regionId', params?.regionId);
  if (!REGION_ID.test(regionId)) throw invalidParameter('regionId', 'expected 1-128 of A-Z a-z 0-9 . _ -');
  return { source, regionId };
}

export function parseLimit(raw: string | undefined): number {
  if (raw === undefined || raw === '') return DEFAULT_LIMIT;
  if (!/^\d{1,4}$/.test(raw)) throw invalidParameter('limit', `expected a whole number from 1 to ${MAX_LIMIT}`);
  const limit = Number(raw);
  if (limit < 1 || limit > MAX_LIMIT) throw invalidParameter('limit', `expected a whole number from 1 to ${MAX_LIMIT}`);
  return limit;
}

export function parseSince(raw: string | undefined): FeedPosition {
  if (raw === undefined || raw === '') return START;
  const position = decodeCursor(raw);
  if (!position) throw invalidParameter('since', 'not a cursor issued by this API; use the `next` of a previous answer or omit it');
  return position;
}

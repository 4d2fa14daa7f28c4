/**
 * The Region and Change records of the contract, and the helpers that make a
 * region's content comparable: canonical JSON (sorted keys, sorted lists) so
 * that neither key order nor list order of an upstream answer ever produces a
 * diff, while the region itself keeps the upstream's values as given.
 */
import type { SourceName } from './api-records';

// The records' types are ./api-records (their zod schemas, ./api-schemas); re-exported for the modules that use the helpers.
export { SOURCES } from './api-records';
export type { Change, ChangeType, Json, Region, RegionContent, SourceName } from './api-records';

/** The fields whose difference makes a `region.changed` (attributes are compared key by key). */
export const COMPARED_FIELDS = ['name', 'localizedNames', 'apiBaseUrl', 'cloudId'] as const;

/** The catalog's order: by region key (`Region.id`), code unit by code unit. */
export function byRegionKey(a: { id: string }, b: { id: string }): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

export function regionKey(source: SourceName, regionId: string): string {
  return `${source}:${regionId}`;
}

/** JSON with object keys sorted at every depth: equal content gives equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const sorted: Record<string, unknown> = {};
      for (const k of Object.keys(v).sort()) sorted[k] = (v as Record<string, unknown>)[k];
      return sorted;
    }
    return v;
  });
}

const byCodeUnit = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);
/** An array index, which JSON.stringify orders first (numerically) in any object. */
function isIndex(key: string): boolean {
  const c = key.charCodeAt(0);
  return c >= 48 && c <= 57 && /^(?:0|[1-9]\d{0,9})$/.test(key) && Number(key) < 4_294_967_295;
}

/** Keys in the order JSON.stringify gives an object built from them sorted: array indices first, numerically. */
function sortedKeys(value: object): string[] {
  const keys = Object.keys(value).sort(byCodeUnit);
  if (!keys.some(isIndex)) return keys;
  const indices = keys.filter(isIndex).sort((a, b) => Number(a) - Number(b));
  return [...indices, ...keys.filter((k) => !isIndex(k))];
}

/** Object keys as JSON text: an answer repeats the same few keys in every region. */
const quoted = new Map<string, string>();
function quote(key: string): string {
  let text = quoted.get(key);
  if (text === undefined) {
    text = JSON.stringify(key);
    if (quoted.size < 10_000) quoted.set(key, text);
  }
  return text;
}

/** The comparable text of one value (undefined where JSON.stringify leaves an object member out). */
function comparableText(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return JSON.stringify(value) as string | undefined;
  if (Array.isArray(value)) {
    // A list's order does not count: its members' texts, sorted.
    const texts: string[] = [];
    for (const member of value as unknown[]) texts.push(comparableText(member) ?? 'null');
    return `[${texts.sort(byCodeUnit).join(',')}]`;
  }
  let out = '';
  for (const key of sortedKeys(value)) {
    const text = comparableText((value as Record<string, unknown>)[key]);
    if (text !== undefined) out += `${out ? ',' : ''}${quote(key)}:${text}`;
  }
  return `{${out}}`;
}

/**
 * The text two values are compared by: neither key order nor list order
 * counts (keys sorted, and each list's members sorted by their own text, at
 * every depth). Only comparisons (the answer hash, the diff) use it; what is
 * stored and served keeps the upstream's order. Written out in one walk: it is
 * exactly the JSON of the value with its lists and keys sorted (the test holds
 * it to that model), without building the sorted copy first.
 */
export function comparableJson(value: unknown): string {
  return comparableText(value) as string;
}


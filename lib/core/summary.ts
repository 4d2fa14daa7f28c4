/**
 * The one line people read, pure: a change's `summary` (the values, not only
 * the field names) and the lines of the operational events. The sync writes
 * them into what it stores and publishes; the page, the Atom feed and the
 * notifications show them as written.
 *
 * A line is safe inside a JSON string as it stands: it holds no `"`, no `\`
 * and no control character. EventBridge's input transformers insert a value
 * into the webhook's `{"text": "…"}` without escaping it, so a quote in an
 * upstream name would otherwise break the notification. Programs read
 * `before` and `after`, which keep every value exactly.
 */
import type { Change, Region } from './api-records';

/** A value longer than this is cut, its last character an ellipsis. */
export const SUMMARY_VALUE_MAX = 80;

/** One line, safe in a JSON string: `"` → `'`, `\` → `∖`, control characters and newlines → a space. */
export function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/"/g, "'").replace(/\\/g, '∖').replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ');
}

/** A value as a person reads it: strings as they are, none for a missing value, the rest as compact JSON; cut at `max` characters. */
export function displayValue(value: unknown, max = SUMMARY_VALUE_MAX): string {
  const text = value === undefined || value === null ? 'none' : typeof value === 'string' ? value : JSON.stringify(value);
  const chars = [...oneLine(text)];
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : chars.join('');
}

export interface ValueChange {
  /** `apiBaseUrl`, `attributes.status`, `localizedNames.zh_cn`. */
  field: string;
  before: unknown;
  after: unknown;
}

/** The value at a changed-field path: `attributes.domain` reads `region.attributes.domain`, a top-level name that field. */
export function fieldValue(region: Region | null, field: string): unknown {
  if (!region) return undefined;
  if (field.startsWith('attributes.')) return region.attributes[field.slice('attributes.'.length)];
  return (region as unknown as Record<string, unknown>)[field];
}

/**
 * Each changed value, with `localizedNames` opened per locale (`localizedNames.zh_cn: 华东 → 华东二`)
 * so a renamed locale reads as names, not as two JSON objects.
 */
export function valueChanges(change: Change): ValueChange[] {
  return change.changedFields.flatMap((field): ValueChange[] => {
    const before = fieldValue(change.before, field);
    const after = fieldValue(change.after, field);
    if (field !== 'localizedNames') return [{ field, before, after }];
    const b = (before ?? {}) as Record<string, string>;
    const a = (after ?? {}) as Record<string, string>;
    return [...new Set([...Object.keys(b), ...Object.keys(a)])]
      .sort()
      .filter((locale) => b[locale] !== a[locale])
      .map((locale) => ({ field: `localizedNames.${locale}`, before: b[locale], after: a[locale] }));
  });
}

/** A region as it came or went: its name and its API base URL. */
function regionLine(region: Region | null, regionId: string): string {
  if (!region) return displayValue(regionId);
  return `${displayValue(region.name)}, ${region.apiBaseUrl ? displayValue(region.apiBaseUrl) : 'no API base URL'}`;
}

/** The contract's `summary`: `apiBaseUrl: https://a → https://b; name: X → Y`, or the region's name and API base URL. */
export function changeSummary(change: Change): string {
  if (change.type === 'region.added') return regionLine(change.after, change.regionId);
  if (change.type === 'region.removed') return regionLine(change.before, change.regionId);
  return valueChanges(change)
    .map((c) => `${oneLine(c.field)}: ${displayValue(c.before)} → ${displayValue(c.after)}`)
    .join('; ');
}

/** The line of a scope's first successful pass, told once instead of once per region. */
export function initialSummary(scope: string, regions: number): string {
  return oneLine(`${scope}: first sync, ${regions} region${regions === 1 ? '' : 's'}`);
}

export interface HeldLine {
  scope: string;
  count: number;
  of: number;
  confirmsAfter: string;
  passesNeeded: number;
}

/** `zilliz/aws: 13 of 13 regions held; removed only if still absent after 3 passes and 2026-12-02 13:30 UTC`. */
export function heldSummary({ scope, count, of, confirmsAfter, passesNeeded }: HeldLine): string {
  return oneLine(
    `${scope}: removal of ${count} of ${of} regions held; they are removed only if still absent from ${passesNeeded} consecutive passes, the last at or after ${shortUtc(confirmsAfter)}`,
  );
}

export interface ScopeErrorLine {
  code: string;
  message: string;
  requestId?: string | undefined;
}

/** `zilliz/aws, zilliz/gcp: upstream.http (HTTP 503 …), request id 7f3c`. */
export function degradedSummary(scopes: readonly string[], error: ScopeErrorLine | undefined): string {
  const detail = error ? `${error.code}: ${displayValue(error.message, 160)}${error.requestId ? `, request id ${error.requestId}` : ''}` : 'failed';
  return oneLine(`${scopes.join(', ')}: ${detail}`);
}

export function recoveredSummary(scopes: readonly string[]): string {
  return oneLine(`${scopes.join(', ')}: syncing again`);
}

/** `2026-11-23T10:15:00.000Z` as `2026-11-23 10:15 UTC`. */
export function shortUtc(iso: string): string {
  const m = /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d)/.exec(iso);
  return m ? `${m[1]} ${m[2]} UTC` : iso;
}

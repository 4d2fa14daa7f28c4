/**
 * The pure diff of one scope: its stored regions against a fresh upstream
 * answer, giving the change records and the regions as they will be stored.
 * No I/O, no clock, no id source of its own: all are passed in.
 */
import { byRegionKey, comparableJson, COMPARED_FIELDS, type Change, type Region, type RegionContent } from '../core/region';
import { changeSummary } from '../core/summary';

export interface DiffInput {
  scope: string;
  previous: readonly Region[];
  next: readonly RegionContent[];
  now: string;
  newId: () => string;
}

/** Top-level fields that differ (neither key nor list order counts), with `attributes.<key>` per attribute key; sorted. */
export function changedFields(before: RegionContent, after: RegionContent): string[] {
  const fields: string[] = [];
  for (const field of COMPARED_FIELDS) {
    if (comparableJson(before[field]) !== comparableJson(after[field])) fields.push(field);
  }
  const keys = new Set([...Object.keys(before.attributes), ...Object.keys(after.attributes)]);
  for (const key of keys) {
    if (comparableJson(before.attributes[key]) !== comparableJson(after.attributes[key])) fields.push(`attributes.${key}`);
  }
  return fields.sort();
}

function change(type: Change['type'], scope: string, before: Region | null, after: Region | null, fields: string[], input: DiffInput): Change {
  const region = (after ?? before) as Region;
  const record: Omit<Change, 'summary'> = {
    id: input.newId(),
    type,
    regionKey: region.id,
    source: region.source,
    scope,
    regionId: region.regionId,
    before,
    after,
    changedFields: fields,
    detectedAt: input.now,
  };
  return { ...record, summary: changeSummary({ ...record, summary: '' }) };
}

/**
 * A quick yes for the usual case, an unchanged region: the stored region less its two stamps
 * serialises exactly as the fresh content when the upstream kept its key order (both are built
 * the same way). Any difference, reordering included, goes to changedFields, which decides.
 */
function sameAsStored(before: Region, content: RegionContent): boolean {
  const { firstSeenAt: _firstSeenAt, updatedAt: _updatedAt, ...stored } = before;
  return JSON.stringify(stored) === JSON.stringify(content);
}

/** Changes ordered added, changed, removed, each by region id: the same input always gives the same order. */
export function diffScope(input: DiffInput): Change[] {
  const { scope, previous, next, now } = input;
  const old = new Map(previous.map((r) => [r.id, r]));
  const fresh = new Map(next.map((r) => [r.id, r]));
  const added: Change[] = [];
  const changed: Change[] = [];
  const removed: Change[] = [];
  for (const content of [...fresh.values()].sort(byRegionKey)) {
    const before = old.get(content.id);
    if (!before) {
      added.push(change('region.added', scope, null, { ...content, firstSeenAt: now, updatedAt: now }, [], input));
      continue;
    }
    if (sameAsStored(before, content)) continue;
    const fields = changedFields(before, content);
    if (fields.length) {
      const after: Region = { ...content, firstSeenAt: before.firstSeenAt, updatedAt: now };
      changed.push(change('region.changed', scope, before, after, fields, input));
    }
  }
  for (const before of [...old.values()].sort(byRegionKey)) {
    if (!fresh.has(before.id)) removed.push(change('region.removed', scope, before, null, [], input));
  }
  return [...added, ...changed, ...removed];
}


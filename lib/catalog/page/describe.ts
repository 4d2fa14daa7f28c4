/**
 * A change in words, shared by the page, the Atom feed and the notification
 * preview's tests: its title ("Region Added: zilliz:aws-sa-east-1") and each
 * changed field with its value before and after.
 */
import { REGION_DETAIL_TYPES } from '../../core/detail-types';
import type { Change } from '../../core/region';
import { fieldValue } from '../../core/summary';
import { shortValue } from './escape';

/** A change's title is its event's DetailType. */
export const CHANGE_TITLES: Record<Change['type'], string> = REGION_DETAIL_TYPES;

export function changeTitle(change: Change): string {
  return `${CHANGE_TITLES[change.type]}: ${change.regionKey}`;
}

export interface FieldChange {
  field: string;
  before: string;
  after: string;
}

export function fieldChanges(change: Change, max = 80): FieldChange[] {
  return change.changedFields.map((field) => ({
    field,
    before: shortValue(fieldValue(change.before, field), max),
    after: shortValue(fieldValue(change.after, field), max),
  }));
}

/** One line naming what changed: "apiBaseUrl: a → b; name: c → d", or the region's name for an addition or removal. */
export function changeSummary(change: Change): string {
  if (change.type === 'region.added') return `added ${change.after?.name ?? change.regionId} (${change.after?.cloudId ?? '?'})`;
  if (change.type === 'region.removed') return `removed ${change.before?.name ?? change.regionId} (${change.before?.cloudId ?? '?'})`;
  return fieldChanges(change)
    .map((f) => `${f.field}: ${f.before} → ${f.after}`)
    .join('; ');
}

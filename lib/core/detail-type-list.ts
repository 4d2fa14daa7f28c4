/**
 * Every DetailType of ./detail-types as one list, and each one's webhook type,
 * without zod: the delivery function needs the names, not the schemas
 * (./event-schemas), and its cold start pays for every byte it loads.
 */
import * as detailTypes from './detail-types';

const DETAIL_TYPE = /^[A-Z][a-z]+( [A-Z][a-z]+)+$/;

/** Every DetailType exported by ./detail-types, sorted: string constants and the values of constant maps. */
export function listDetailTypes(): string[] {
  const found = new Set<string>();
  const visit = (value: unknown) => {
    if (typeof value === 'string' && DETAIL_TYPE.test(value)) found.add(value);
    else if (Array.isArray(value)) value.forEach(visit);
    else if (value && typeof value === 'object') Object.values(value).forEach(visit);
  };
  Object.values(detailTypes).forEach(visit);
  return [...found].sort();
}

/** The webhook `type` of a DetailType: `Region Added` → `region.added`. */
export function webhookType(detailType: string): string {
  return detailType.toLowerCase().replace(/ /g, '.');
}

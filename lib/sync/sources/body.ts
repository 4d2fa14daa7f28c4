/**
 * Turning an upstream answer's text into validated data: JSON that does not
 * parse, or that does not match the schema, fails the scope as `invalid-body`
 * with the first schema issue named (never the body itself, which may echo
 * anything).
 */
import type { z } from 'zod';
import { UpstreamError } from '../../core/errors';
import { byRegionKey, comparableJson, type RegionContent } from '../../core/region';

export function parseJson(scope: string, path: string, text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error: unknown) {
    const kind = /^\s*</.test(text) ? 'an HTML page' : text.trim() === '' ? 'an empty body' : 'malformed JSON';
    throw new UpstreamError('invalid-body', scope, `${path}: expected JSON, got ${kind}`, { path }, { cause: error });
  }
}

export function validate<T extends z.ZodType>(schema: T, scope: string, path: string, data: unknown): z.output<T> {
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const at = issue?.path.length ? issue.path.join('.') : 'body';
  throw new UpstreamError('invalid-body', scope, `${path}: unexpected body at ${at}: ${issue?.message ?? 'invalid'}`, { path });
}

/** One entry per region, sorted by id: a repeat with equal content collapses (the first kept as given), a conflicting one fails the scope. */
export function uniqueRegions(scope: string, regions: readonly RegionContent[]): RegionContent[] {
  const byKey = new Map<string, RegionContent>();
  for (const region of regions) {
    const seen = byKey.get(region.id);
    if (seen && comparableJson(seen) !== comparableJson(region)) {
      throw new UpstreamError('invalid-body', scope, `region ${region.regionId} listed twice with different content`);
    }
    if (!seen) byKey.set(region.id, region);
  }
  return [...byKey.values()].sort(byRegionKey);
}

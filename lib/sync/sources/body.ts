/**
 * Turning an upstream answer's text into validated data: JSON that does not
 * parse, or that does not match the schema, fails the scope as `invalid-body`
 * with the first schema issue named (never the body itself, which may echo
 * anything).
 */
import type { z } from 'zod';
import { UpstreamError } from '../../core/errors';
import type { RegionContent } from '../../core/region';

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

/** Sorts lists and drops key order so equal content compares equal, whatever order the upstream used. */
export function canonicalValue(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map(canonicalValue).sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
  }
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, canonicalValue((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

/** One entry per region, sorted by id: an identical repeat collapses, a conflicting one fails the scope. */
export function uniqueRegions(scope: string, regions: readonly RegionContent[]): RegionContent[] {
  const byId = new Map<string, RegionContent>();
  for (const region of regions) {
    const seen = byId.get(region.id);
    if (seen && JSON.stringify(seen) !== JSON.stringify(region)) {
      throw new UpstreamError('invalid-body', scope, `region ${region.regionId} listed twice with different content`);
    }
    byId.set(region.id, region);
  }
  return [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
}

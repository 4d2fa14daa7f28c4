/**
 * Zilliz Cloud: List Cloud Providers (unless cloud ids are configured), then
 * List Cloud Regions per cloud, in parallel under the documented rate. Success
 * is body `code` 200 (v1) or 0 (v2); any other code is an error, whether it
 * came under HTTP 200 or 401. One scope per cloud: `zilliz/<cloudId>`.
 */
import * as z from 'zod';
import type { ZillizConfig } from '../config';
import { UpstreamError } from '../../core/errors';
import { redact } from '../../core/log';
import { regionKey, type Json, type RegionContent } from '../../core/region';
import { canonicalValue, parseJson, uniqueRegions, validate } from './body';
import type { UpstreamRequest, UpstreamResponse } from './http';
import { createLimiter } from '../../core/limit';
import type { ScopeResult, SourceContext } from './types';

const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

const envelope = z.looseObject({ code: z.union([z.number(), z.string()]), message: z.string().optional(), data: z.unknown().optional() });
const cloudsSchema = z.array(z.looseObject({ cloudId: z.string().regex(SAFE_ID), description: z.string().optional() }));
const regionsSchema = z.array(
  z.looseObject({
    regionId: z.string().regex(SAFE_ID, { message: 'expected a region id of letters, digits, . _ -' }),
    cloudId: z.string().optional(),
    apiBaseUrl: z.string().nullable().optional(),
    description: z.string().nullable().optional(),
  }),
);

export function scopeOf(cloudId: string): string {
  return `zilliz/${cloudId}`;
}

/** Reads the Zilliz envelope: the `data` of a success, else an error naming the code. */
export function unwrap(scope: string, path: string, response: UpstreamResponse): unknown {
  // Server-side failures (left after retries) are HTTP errors whatever their body says.
  if (response.status >= 500 || response.status === 429 || response.status === 408) {
    throw new UpstreamError('http', scope, `${path}: HTTP ${response.status}`, { path, status: response.status });
  }
  const body = validate(envelope, scope, path, parseJson(scope, path, response.body));
  const code = Number(body.code);
  if ((code === 200 || code === 0) && response.status < 300) return body.data;
  const message = redact(body.message ?? 'no message').slice(0, 200);
  const kind = response.status === 401 || response.status === 403 || [80001, 80002].includes(code) ? 'auth' : 'business';
  throw new UpstreamError(kind, scope, `${path}: code ${body.code}: ${message}`, {
    path,
    status: response.status,
    upstreamCode: String(body.code),
  });
}

export function normaliseZilliz(cloudId: string, items: z.output<typeof regionsSchema>, scope: string): RegionContent[] {
  const regions = items.map(({ regionId, cloudId: itemCloud, apiBaseUrl, description, ...rest }): RegionContent => ({
    id: regionKey('zilliz', regionId),
    source: 'zilliz',
    cloudId: itemCloud ?? cloudId,
    regionId,
    name: description ?? regionId,
    localizedNames: {},
    apiBaseUrl: apiBaseUrl ?? null,
    attributes: canonicalValue(rest) as Record<string, Json>,
  }));
  return uniqueRegions(scope, regions);
}

async function listClouds(request: UpstreamRequest): Promise<string[]> {
  const path = '/v1/clouds';
  const data = unwrap('zilliz/*', path, await request('zilliz/*', path));
  return validate(cloudsSchema, 'zilliz/*', path, data).map((cloud) => cloud.cloudId);
}

async function listRegions(request: UpstreamRequest, config: ZillizConfig, cloudId: string): Promise<ScopeResult> {
  const scope = scopeOf(cloudId);
  const path = '/v1/regions';
  try {
    const response =
      config.regionsMethod === 'POST'
        ? await request(scope, path, { method: 'POST', body: { cloudId } })
        : await request(scope, path, { query: { cloudId } });
    const items = validate(regionsSchema, scope, path, unwrap(scope, path, response));
    return { scope, source: 'zilliz', ok: true, regions: normaliseZilliz(cloudId, items, scope) };
  } catch (error: unknown) {
    if (error instanceof UpstreamError) return { scope, source: 'zilliz', ok: false, error };
    throw error;
  }
}

export async function fetchZilliz(config: ZillizConfig, ctx: SourceContext): Promise<ScopeResult[]> {
  const request = ctx.http(config.baseUrl, { authorization: `Bearer ${config.apiKey}` });
  const limit = createLimiter({ concurrency: config.concurrency, ratePerSecond: config.ratePerSecond });
  let cloudIds = config.cloudIds;
  if (cloudIds.length === 0) {
    try {
      cloudIds = await limit(() => listClouds(request));
    } catch (error: unknown) {
      if (!(error instanceof UpstreamError)) throw error;
      // Discovery failed: every known cloud fails with it; none is read as emptied.
      const scopes = ctx.knownScopes.length ? ctx.knownScopes : ['zilliz/*'];
      return scopes.map((scope) => ({ scope, source: 'zilliz', ok: false, error }));
    }
  }
  const results = await Promise.all(cloudIds.map((cloudId) => limit(() => listRegions(request, config, cloudId))));
  if (config.cloudIds.length === 0) {
    // A cloud that left the provider list answers "no regions": the mass-removal hold guards it.
    const listed = new Set(results.map((r) => r.scope));
    for (const scope of ctx.knownScopes) {
      if (!listed.has(scope) && scope !== 'zilliz/*') results.push({ scope, source: 'zilliz', ok: true, regions: [] });
    }
  }
  return results;
}

/**
 * Huawei Cloud ModelArts MaaS: Obtaining Region Information, one scope per
 * project (`modelarts/<project_id>`). A rejected token (HTTP 401 such as
 * APIG.0301, or the documented 400 ModelArts.0104 "Invalid token.") is renewed
 * once and the call retried. Error bodies come as `{error_code, error_msg}` or
 * `{code, message}`.
 */
import * as z from 'zod';
import type { ModelartsConfig } from '../config';
import { UpstreamError } from '../../core/errors';
import { redact } from '../../core/log';
import { regionKey, type Json, type RegionContent } from '../../core/region';
import { canonicalValue, parseJson, uniqueRegions, validate } from './body';
import type { UpstreamResponse } from './http';
import { createTokenSource } from './huawei-iam';
import type { ScopeResult, SourceContext } from './types';

const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const TOKEN_REJECTED = new Set(['APIG.0301', 'APIG.0307', 'ModelArts.0104']);

const regionsSchema = z.looseObject({
  region_items: z.array(
    z.looseObject({
      region_id: z.string().regex(SAFE_ID, { message: 'expected a region id of letters, digits, . _ -' }),
      locales: z.record(z.string(), z.string()).optional(),
    }),
  ),
});

const errorSchema = z.union([
  z.looseObject({ error_code: z.string(), error_msg: z.string().optional() }).transform((e) => ({ code: e.error_code, message: e.error_msg })),
  z.looseObject({ code: z.union([z.string(), z.number()]), message: z.string().optional() }).transform((e) => ({ code: String(e.code), message: e.message })),
]);

export function scopeOf(projectId: string): string {
  return `modelarts/${projectId}`;
}

/** The upstream error code and message of a non-2xx answer, whichever shape it came in. */
export function readError(response: UpstreamResponse): { code: string | undefined; message: string } {
  try {
    const parsed = errorSchema.safeParse(JSON.parse(response.body));
    if (parsed.success) return { code: parsed.data.code, message: redact(parsed.data.message ?? '').slice(0, 200) };
  } catch {
    // Not JSON (an HTML error page, say): the status alone speaks.
  }
  return { code: undefined, message: '' };
}

export function isTokenRejected(response: UpstreamResponse): boolean {
  const { code } = readError(response);
  return response.status === 401 || (code !== undefined && TOKEN_REJECTED.has(code));
}

export function normaliseModelarts(items: z.output<typeof regionsSchema>['region_items'], scope: string): RegionContent[] {
  const regions = items.map(({ region_id, locales = {}, ...rest }): RegionContent => ({
    id: regionKey('modelarts', region_id),
    source: 'modelarts',
    cloudId: 'huaweicloud',
    regionId: region_id,
    name: locales.en_us ?? region_id,
    localizedNames: canonicalValue(locales) as Record<string, string>,
    apiBaseUrl: null,
    attributes: canonicalValue(rest) as Record<string, Json>,
  }));
  return uniqueRegions(scope, regions);
}

export async function fetchModelarts(config: ModelartsConfig, ctx: SourceContext): Promise<ScopeResult[]> {
  const scope = scopeOf(config.projectId);
  const path = `/v1/${config.projectId}/maas/services/custom-endpoint/regions`;
  const request = ctx.http(config.endpoint);
  const tokens = createTokenSource(config.auth, config.projectId, (base) => ctx.http(base), scope);
  try {
    const call = async () =>
      request(scope, path, { headers: { 'x-auth-token': await tokens.get(), 'content-type': 'application/json' } });
    let response = await call();
    if (response.status >= 400 && isTokenRejected(response) && tokens.invalidate()) {
      ctx.log.info('token rejected; renewing once', { scope, status: response.status });
      response = await call();
    }
    if (response.status >= 300) {
      const { code, message } = readError(response);
      const serverSide = response.status >= 500 || response.status === 429 || response.status === 408;
      const kind = serverSide ? 'http' : isTokenRejected(response) ? 'auth' : code ? 'business' : 'http';
      throw new UpstreamError(kind, scope, `${path}: HTTP ${response.status}${code ? ` ${code}` : ''}${message ? `: ${message}` : ''}`, {
        path,
        status: response.status,
        ...(code && kind !== 'http' ? { upstreamCode: code } : {}),
      });
    }
    const body = validate(regionsSchema, scope, path, parseJson(scope, path, response.body));
    return [{ scope, source: 'modelarts', ok: true, regions: normaliseModelarts(body.region_items, scope) }];
  } catch (error: unknown) {
    if (error instanceof UpstreamError) return [{ scope, source: 'modelarts', ok: false, error }];
    throw error;
  }
}

/**
 * Huawei Cloud ModelArts MaaS: Obtaining Region Information, one scope per
 * project (`modelarts/<project_id>`), authenticated by AK/SK signing (no
 * token, no IAM call), a static token or an IAM password login. A rejected
 * token (HTTP 401 such as APIG.0301, or the documented 400 ModelArts.0104
 * "Invalid token.") is renewed once and the call retried; a rejected
 * signature fails the scope as `auth` at once (five failures in a row lock
 * the key for five minutes). Error bodies come as `{error_code, error_msg}`,
 * `{code, message}` or `{error: {code, message}}`, and an error keeps the
 * upstream's request id (`request_id` in the body, or `X-Request-Id`).
 */
import * as z from 'zod';
import type { ModelartsConfig } from '../config';
import { UpstreamError } from '../../core/errors';
import { redact } from '../../core/log';
import { regionKey, type Json, type RegionContent } from '../../core/region';
import { parseJson, uniqueRegions, validate } from './body';
import type { UpstreamRequestInit, UpstreamResponse } from './http';
import { createTokenSource } from './huawei-iam';
import { signRequest } from './huawei-signer';
import type { ScopeResult, Source, SourceContext } from './types';

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

const requestId = z.string().max(128).optional();
const errorSchema = z.union([
  z
    .looseObject({ error_code: z.string(), error_msg: z.string().optional(), request_id: requestId })
    .transform((e) => ({ code: e.error_code, message: e.error_msg, requestId: e.request_id })),
  z
    .looseObject({ error: z.looseObject({ code: z.union([z.string(), z.number()]), message: z.string().optional(), request_id: requestId }), request_id: requestId })
    .transform((e) => ({ code: String(e.error.code), message: e.error.message, requestId: e.request_id ?? e.error.request_id })),
  z
    .looseObject({ code: z.union([z.string(), z.number()]), message: z.string().optional(), request_id: requestId })
    .transform((e) => ({ code: String(e.code), message: e.message, requestId: e.request_id })),
]);

export function scopeOf(projectId: string): string {
  return `modelarts/${projectId}`;
}

/** The upstream error code, message and request id of a non-2xx answer, whichever shape it came in. */
export function readError(response: UpstreamResponse): { code: string | undefined; message: string; requestId: string | undefined } {
  const header = response.headers.get('x-request-id')?.slice(0, 128) ?? undefined;
  try {
    const parsed = errorSchema.safeParse(JSON.parse(response.body));
    if (parsed.success) {
      return { code: parsed.data.code, message: redact(parsed.data.message ?? '').slice(0, 200), requestId: parsed.data.requestId ?? header };
    }
  } catch {
    // Not JSON (an HTML error page, say): the status alone speaks.
  }
  return { code: undefined, message: '', requestId: header };
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
    localizedNames: locales,
    apiBaseUrl: null,
    attributes: rest as Record<string, Json>,
  }));
  return uniqueRegions(scope, regions);
}

/** How each attempt authenticates: signed headers (AK/SK), or a token that can be renewed once when rejected. */
interface Authenticator {
  init(): Promise<Pick<UpstreamRequestInit, 'headers' | 'sign'>>;
  /** Forgets a rejected token; false when there is nothing to renew (a signature, a static token). */
  renew(): boolean;
}

function authenticator(config: ModelartsConfig, ctx: SourceContext, scope: string): Authenticator {
  const { auth } = config;
  if (auth.kind === 'aksk') {
    const credentials = { accessKey: auth.accessKey, secretKey: auth.secretKey, securityToken: auth.securityToken };
    return {
      init: async () => ({ headers: { 'x-project-id': config.projectId }, sign: (request) => signRequest(request, credentials) }),
      renew: () => false,
    };
  }
  const tokens = createTokenSource(auth, config.projectId, (base) => ctx.http(base), scope);
  return { init: async () => ({ headers: { 'x-auth-token': await tokens.get() } }), renew: () => tokens.invalidate() };
}

export async function fetchModelarts(config: ModelartsConfig, ctx: SourceContext): Promise<ScopeResult[]> {
  const scope = scopeOf(config.projectId);
  const path = `/v1/${config.projectId}/maas/services/custom-endpoint/regions`;
  const request = ctx.http(config.endpoint);
  const auth = authenticator(config, ctx, scope);
  try {
    const call = async () => {
      const { headers, sign } = await auth.init();
      return request(scope, path, { headers: { 'content-type': 'application/json', ...headers }, ...(sign ? { sign } : {}) });
    };
    let response = await call();
    if (response.status >= 400 && isTokenRejected(response) && auth.renew()) {
      ctx.log.info('token rejected; renewing once', { scope, status: response.status });
      response = await call();
    }
    if (response.status >= 300) {
      const { code, message, requestId } = readError(response);
      const serverSide = response.status >= 500 || response.status === 429 || response.status === 408;
      const kind = serverSide ? 'http' : isTokenRejected(response) ? 'auth' : code ? 'business' : 'http';
      throw new UpstreamError(kind, scope, `${path}: HTTP ${response.status}${code ? ` ${code}` : ''}${message ? `: ${message}` : ''}`, {
        path,
        status: response.status,
        ...(code && kind !== 'http' ? { upstreamCode: code } : {}),
        ...(requestId ? { requestId } : {}),
      });
    }
    const body = validate(regionsSchema, scope, path, parseJson(scope, path, response.body));
    return [{ scope, source: 'modelarts', ok: true, regions: normaliseModelarts(body.region_items, scope) }];
  } catch (error: unknown) {
    if (error instanceof UpstreamError) return [{ scope, source: 'modelarts', ok: false, error }];
    throw error;
  }
}

export function modelartsSource(config: ModelartsConfig): Source {
  return { name: 'modelarts', fetch: (ctx) => fetchModelarts(config, ctx) };
}

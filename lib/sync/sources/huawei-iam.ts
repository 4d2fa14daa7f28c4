/**
 * Huawei Cloud IAM tokens for ModelArts: a password login scoped to the
 * project (`POST /v3/auth/tokens`, token in the `X-Subject-Token` header),
 * cached per identity until shortly before `expires_at`, so a warm Lambda logs
 * in once a day rather than once a pass. A static token is used as given.
 */
import * as z from 'zod';
import type { HuaweiAuth } from '../config';
import { UpstreamError } from '../../core/errors';
import { parseJson, validate } from './body';
import type { UpstreamRequest } from './http';

/** Renew this long before the token expires, so no call carries a token about to lapse. */
const EXPIRY_MARGIN_MS = 5 * 60_000;

const tokenBody = z.looseObject({ token: z.looseObject({ expires_at: z.string() }) });

interface CachedToken {
  token: string;
  renewAt: number;
}

const cache = new Map<string, CachedToken>();

export interface TokenSource {
  get(): Promise<string>;
  /** Forgets a token the upstream rejected; returns false when it cannot be renewed (a static token). */
  invalidate(): boolean;
}

export function createTokenSource(
  auth: Exclude<HuaweiAuth, { kind: 'aksk' }>,
  projectId: string,
  iamRequest: (baseUrl: string) => UpstreamRequest,
  scope: string,
  now: () => number = Date.now,
): TokenSource {
  if (auth.kind === 'static') return { get: async () => auth.token, invalidate: () => false };
  const key = `${auth.iamEndpoint}|${auth.domainName}|${auth.username}|${projectId}`;
  const request = iamRequest(auth.iamEndpoint);
  return {
    async get() {
      const cached = cache.get(key);
      if (cached && cached.renewAt > now()) return cached.token;
      const fresh = await login(request, auth, projectId, scope, now);
      cache.set(key, fresh);
      return fresh.token;
    },
    invalidate() {
      cache.delete(key);
      return true;
    },
  };
}

async function login(
  request: UpstreamRequest,
  auth: Extract<HuaweiAuth, { kind: 'password' }>,
  projectId: string,
  scope: string,
  now: () => number,
): Promise<CachedToken> {
  const path = '/v3/auth/tokens';
  const response = await request(scope, path, {
    method: 'POST',
    body: {
      auth: {
        identity: {
          methods: ['password'],
          password: { user: { name: auth.username, password: auth.password, domain: { name: auth.domainName } } },
        },
        scope: { project: { id: projectId } },
      },
    },
  });
  const token = response.headers.get('x-subject-token');
  if (response.status >= 300 || !token) {
    throw new UpstreamError('auth', scope, `${path}: IAM login failed with HTTP ${response.status}`, {
      path,
      status: response.status,
    });
  }
  const body = validate(tokenBody, scope, path, parseJson(scope, path, response.body));
  const expiresAt = Date.parse(body.token.expires_at);
  if (Number.isNaN(expiresAt)) throw new UpstreamError('invalid-body', scope, `${path}: unreadable expires_at`, { path });
  // A token shorter-lived than twice the margin is kept for half its life instead.
  const lifetime = expiresAt - now();
  const renewAt = lifetime > 2 * EXPIRY_MARGIN_MS ? expiresAt - EXPIRY_MARGIN_MS : now() + lifetime / 2;
  return { token, renewAt };
}

/** Test hook: forget every cached token. */
export function clearTokenCache(): void {
  cache.clear();
}

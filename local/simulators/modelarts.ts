/**
 * A local Huawei Cloud: IAM password login (`POST /v3/auth/tokens`, token in
 * `X-Subject-Token`) and the ModelArts "Obtaining Region Information" API
 * (`GET /v1/{project_id}/maas/services/custom-endpoint/regions`) on one port.
 * IAM errors use the Keystone shape `{"error":{"code","message","title"}}`;
 * API gateway and ModelArts errors use `{"error_code","error_msg"}`. As in the
 * seed, an expired token is HTTP 400 `ModelArts.0104`, an unknown one 401 `APIG.0301`.
 * AK/SK-signed requests (`SDK-HMAC-SHA256`) are verified exactly as the API
 * gateway does: the signature is recomputed over the request as received with
 * the same canonical form, and a bad one, an unknown key, a missing or
 * unreadable `X-Sdk-Date` or one more than 15 minutes off is 401 `APIG.0301`
 * "verify aksk signature fail"; temporary credentials must bring their
 * `X-Security-Token`. Every answer carries `X-Request-Id`, and gateway errors
 * `request_id` too.
 */
import { randomBytes } from 'node:crypto';
import * as z from 'zod';
import sample from '../fixtures/upstream-sample.json' with { type: 'json' };
import { signature } from '../../lib/sync/sources/huawei-signer';
import { parseAuthorization, parseSdkDate } from './huawei-auth';
import { isRecord, startSimServer, type ControlTarget, type SimRequest, type SimulatorBase } from './control';
import type { FaultBodies, SimResponse } from './faults';

export interface ModelartsRegion {
  region_id: string;
  locales: { en_us?: string; zh_cn?: string; [locale: string]: string | undefined };
  [field: string]: unknown;
}

export interface ModelartsData {
  region_items: ModelartsRegion[];
}

export interface ModelartsSimulatorOptions {
  port?: number;
  projectId?: string;
  projectName?: string;
  latencyMs?: number;
  data?: ModelartsData;
  tokenTtlSeconds?: number;
  domainName?: string;
  username?: string;
  password?: string;
  /** Always accepted as X-Auth-Token; `null` disables it. */
  staticToken?: string | null;
  /** A permanent access key pair accepted for AK/SK signing. */
  accessKey?: string;
  secretKey?: string;
  /** Temporary credentials: this pair is accepted only with this X-Security-Token. */
  temporary?: { accessKey: string; secretKey: string; securityToken: string };
}

export interface ModelartsSimulator extends SimulatorBase {
  projectId: string;
  projectName: string;
  domainName: string;
  username: string;
  password: string;
  staticToken: string | null;
  accessKey: string;
  secretKey: string;
  temporary: { accessKey: string; secretKey: string; securityToken: string };
  /** Live data: mutate it directly or through the helpers below. */
  data: ModelartsData;
  /** Every token issued so far now counts as expired (400 ModelArts.0104). */
  expireTokens(): void;
  /** Forgets every issued token (401 APIG.0301). reset() keeps issued tokens; this does not. */
  revokeTokens(): void;
  /** Adds the region, or replaces the one with the same region_id. */
  addRegion(region: ModelartsRegion): void;
  removeRegion(regionId: string): boolean;
  /** Shallow merge: a `locales` in the patch replaces the whole locales object. */
  updateRegion(regionId: string, patch: Record<string, unknown>): boolean;
}

export const MODELARTS_DEFAULTS = {
  projectId: '0123456789abcdef0123456789abcdef',
  projectName: 'ap-southeast-1',
  domainName: 'sim-domain',
  username: 'sim-user',
  password: 'sim-password',
  staticToken: 'sim-static-token',
  tokenTtlSeconds: 24 * 60 * 60,
  accessKey: 'SIMACCESSKEY00000001',
  secretKey: 'sim-secret-key-0123456789abcdefghijklmnop',
  temporary: { accessKey: 'SIMTEMPACCESSKEY0001', secretKey: 'sim-temporary-secret-0123456789abcdefgh', securityToken: 'sim-security-token-gQ9x' },
} as const;

/** The API gateway accepts an X-Sdk-Date this far from its own clock. */
export const SDK_DATE_SKEW_MS = 15 * 60_000;

export const modelartsSampleData: ModelartsData = sample.modelarts;

const REGIONS_PATH = /^\/v1\/([^/]+)\/maas\/services\/custom-endpoint\/regions$/;
const huaweiError = (status: number, code: string, msg: string, requestId?: string): SimResponse => ({
  status,
  body: { error_code: code, error_msg: msg, ...(requestId ? { request_id: requestId } : {}) },
});
const iamError = (status: number, title: string, message: string): SimResponse => ({
  status,
  body: { error: { code: status, message, title } },
});
const BAD_AUTH = 'Incorrect IAM authentication information: verify aksk signature fail';

const authBodySchema = z.object({
  auth: z.object({
    identity: z.object({
      methods: z.array(z.string()),
      password: z.object({
        user: z.object({ name: z.string(), password: z.string(), domain: z.object({ name: z.string() }) }),
      }),
    }),
    scope: z.object({ project: z.object({ id: z.string().optional(), name: z.string().optional() }) }),
  }),
});

const bodies: FaultBodies = {
  status: () => ({ error_code: 'ModelArts.0001', error_msg: 'Internal error' }),
  rateLimit: () => ({
    error_code: 'APIGW.0308',
    error_msg: 'The throttling threshold has been reached: policy user over ratelimit,limit:100,time:1 minute',
  }),
  businessError: (fault) => {
    const code = String(fault.code ?? 'ModelArts.0104');
    const message = fault.message ?? (code === 'ModelArts.0104' ? 'Invalid token.' : 'Business error.');
    const body = fault.shape === 'code-message' ? { code, message } : { error_code: code, error_msg: message };
    return { status: fault.httpStatus ?? 400, body };
  },
};

export async function startModelartsSimulator(options: ModelartsSimulatorOptions = {}): Promise<ModelartsSimulator> {
  const D = MODELARTS_DEFAULTS;
  const cfg = {
    projectId: options.projectId ?? D.projectId,
    projectName: options.projectName ?? D.projectName,
    domainName: options.domainName ?? D.domainName,
    username: options.username ?? D.username,
    password: options.password ?? D.password,
    tokenTtlSeconds: options.tokenTtlSeconds ?? D.tokenTtlSeconds,
  };
  const staticToken = options.staticToken === undefined ? MODELARTS_DEFAULTS.staticToken : options.staticToken;
  const keys = {
    accessKey: options.accessKey ?? D.accessKey,
    secretKey: options.secretKey ?? D.secretKey,
    temporary: { ...(options.temporary ?? D.temporary) },
  };
  const initial = structuredClone(options.data ?? modelartsSampleData);
  const data = structuredClone(initial);
  const tokens = new Map<string, { expiresAt: number }>();

  const helpers = {
    addRegion(region: ModelartsRegion): void {
      const at = data.region_items.findIndex((r) => r.region_id === region.region_id);
      const copy = structuredClone(region);
      if (at >= 0) data.region_items[at] = copy;
      else data.region_items.push(copy);
    },
    removeRegion(regionId: string): boolean {
      const at = data.region_items.findIndex((r) => r.region_id === regionId);
      if (at >= 0) data.region_items.splice(at, 1);
      return at >= 0;
    },
    updateRegion(regionId: string, patch: Record<string, unknown>): boolean {
      const region = data.region_items.find((r) => r.region_id === regionId);
      if (region) Object.assign(region, patch);
      return region !== undefined;
    },
  };

  function login(req: SimRequest): SimResponse {
    const parsed = authBodySchema.safeParse(req.body);
    if (!parsed.success) return iamError(400, 'Bad Request', 'The request body is invalid.');
    const { identity, scope } = parsed.data.auth;
    const { user } = identity.password;
    if (user.name !== cfg.username || user.password !== cfg.password || user.domain.name !== cfg.domainName) {
      return iamError(401, 'Unauthorized', 'The username or password is wrong.');
    }
    const { id, name } = scope.project;
    // id or name must be given, and each one given must be this project's
    const given = id !== undefined || name !== undefined;
    if (!given || (id ?? cfg.projectId) !== cfg.projectId || (name ?? cfg.projectName) !== cfg.projectName) {
      return iamError(400, 'Bad Request', 'The project does not exist or is not accessible.');
    }
    const issuedAt = Date.now();
    const expiresAt = issuedAt + cfg.tokenTtlSeconds * 1000;
    const token = `MIIsim${randomBytes(24).toString('base64url')}`;
    tokens.set(token, { expiresAt });
    const domain = { name: cfg.domainName };
    return {
      status: 201,
      headers: { 'x-subject-token': token },
      body: {
        token: {
          expires_at: new Date(expiresAt).toISOString(),
          issued_at: new Date(issuedAt).toISOString(),
          methods: ['password'],
          project: { id: cfg.projectId, name: cfg.projectName, domain },
          user: { name: cfg.username, domain },
        },
      },
    };
  }

  /** Undefined when the signature checks out; the gateway's error otherwise. */
  function verifySignature(req: SimRequest, authorization: string): SimResponse | undefined {
    const bad = huaweiError(401, 'APIG.0301', BAD_AUTH, req.requestId);
    const parsed = parseAuthorization(authorization);
    if (!parsed || !parsed.signedHeaders.includes('x-sdk-date')) return bad;
    const temporary = parsed.accessKey === keys.temporary.accessKey;
    const secretKey = temporary ? keys.temporary.secretKey : parsed.accessKey === keys.accessKey ? keys.secretKey : undefined;
    if (secretKey === undefined) return bad;
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
    const at = parseSdkDate(headers['x-sdk-date'] ?? '');
    if (at === undefined || Math.abs(Date.now() - at) > SDK_DATE_SKEW_MS) return bad;
    if (temporary && (headers['x-security-token'] !== keys.temporary.securityToken || !parsed.signedHeaders.includes('x-security-token'))) return bad;
    const url = new URL(req.url, 'http://sim');
    const expected = signature({ method: req.method, url, headers, body: req.rawBody }, parsed.signedHeaders, secretKey);
    return expected === parsed.signature ? undefined : bad;
  }

  function listRegions(req: SimRequest, projectId: string): SimResponse {
    const authorization = req.headers.authorization;
    if (authorization?.startsWith('SDK-HMAC-SHA256')) {
      const rejected = verifySignature(req, authorization);
      if (rejected) return rejected;
      const project = req.headers['x-project-id'];
      if (project !== undefined && project !== cfg.projectId) {
        return huaweiError(403, 'APIG.0302', 'The project id in X-Project-Id does not match the request.', req.requestId);
      }
      return regionsAnswer(req, projectId);
    }
    const header = req.headers['x-auth-token'];
    const token = Array.isArray(header) ? header[0] : header;
    const issued = token === undefined ? undefined : tokens.get(token);
    const valid = token !== undefined && (token === staticToken || issued !== undefined);
    if (!valid) return huaweiError(401, 'APIG.0301', BAD_AUTH, req.requestId);
    if (issued && issued.expiresAt <= Date.now()) return huaweiError(400, 'ModelArts.0104', 'Invalid token.', req.requestId);
    return regionsAnswer(req, projectId);
  }

  function regionsAnswer(req: SimRequest, projectId: string): SimResponse {
    if (projectId !== cfg.projectId) {
      return huaweiError(404, 'ModelArts.0101', `The project ${projectId} does not exist or does not match the token.`, req.requestId);
    }
    const wrap = (items: Array<Record<string, unknown>>): unknown => ({ region_items: items });
    const items: Array<Record<string, unknown>> = structuredClone(data.region_items);
    return { status: 200, body: wrap(items), list: { items, idKey: 'region_id', wrap } };
  }

  function handle(req: SimRequest): SimResponse {
    if (req.path === '/v3/auth/tokens' && req.method === 'POST') return login(req);
    const projectId = REGIONS_PATH.exec(req.path)?.[1];
    if (projectId !== undefined && req.method === 'GET') return listRegions(req, projectId);
    return huaweiError(404, 'APIG.0101', 'The API does not exist or has not been published in the environment', req.requestId);
  }

  const target: ControlTarget = {
    data,
    resetData: () => {
      data.region_items = structuredClone(initial).region_items;
    },
    upsertRegion(body) {
      if (!isRecord(body) || typeof body.region_id !== 'string' || !isRecord(body.locales)) {
        return 'a ModelArts region needs a string region_id and a locales object';
      }
      helpers.addRegion({ ...body, region_id: body.region_id, locales: stringsOnly(body.locales) });
      return undefined;
    },
    removeRegion: helpers.removeRegion,
    updateRegion: helpers.updateRegion,
  };

  const base = await startSimServer({ port: options.port, latencyMs: options.latencyMs, handle, bodies, target, requestIdHeader: 'x-request-id' });
  return {
    ...base,
    ...cfg,
    ...keys,
    staticToken,
    data,
    expireTokens: () => {
      for (const entry of tokens.values()) entry.expiresAt = 0;
    },
    revokeTokens: () => tokens.clear(),
    ...helpers,
  };
}

function stringsOnly(record: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

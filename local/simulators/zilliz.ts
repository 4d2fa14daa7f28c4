/**
 * A local Zilliz Cloud control plane, v2 and v1 side by side, Bearer API key,
 * a `requestid` header on every answer.
 * - v2: `GET /v2/regions` answers every cloud at once (`?cloudId=` narrows
 *   it), `GET /v2/clouds`; success `code: 0`; a bad key is HTTP 401
 *   `{code: 21119, message: "The apikey is illegal"}`.
 * - v1: List Cloud Providers and List Cloud Regions (GET with `?cloudId=` and
 *   the seed's POST variant); success `code: 200`; the seed's codes 80001
 *   (HTTP 401, bad key), 80003 (HTTP 200, unknown cloud).
 * Faults add 80002 and friends under HTTP 200, on any route.
 *
 * Region shapes (`shape`): by default each region is answered as today's
 * reference pages of List Cloud Regions document it, `{cloudId, regionId,
 * domain}` with no `apiBaseUrl`: v2's `domain` is the control plane host
 * (`api.cloud.zilliz.com`), v1's the region's wildcard endpoint domain
 * (`*.api.<regionId>.zillizcloud.com`). A region whose data holds its own
 * `domain` is answered with it. `shape: 'seed'` answers the data verbatim,
 * the seed's shape, and its sample regions carry `apiBaseUrl`.
 */
import sample from '../fixtures/upstream-sample.json' with { type: 'json' };
import { isRecord, startSimServer, type ControlTarget, type SimRequest, type SimulatorBase } from './control';
import { statusMessage, type FaultBodies, type SimResponse } from './faults';

export interface ZillizCloud {
  cloudId: string;
  description: string;
}

export interface ZillizRegion {
  cloudId: string;
  regionId: string;
  apiBaseUrl?: string;
  [field: string]: unknown;
}

/** A region to add: `cloudId` defaults to the cloud it is added to. */
export interface ZillizRegionInput {
  regionId: string;
  cloudId?: string;
  [field: string]: unknown;
}

export interface ZillizData {
  clouds: ZillizCloud[];
  regions: Record<string, ZillizRegion[]>;
}

/** `documented`: today's answers (`domain` per API version, no `apiBaseUrl`); `seed`: the data verbatim (the seed's `apiBaseUrl`). */
export type ZillizShape = 'documented' | 'seed';

export interface ZillizSimulatorOptions {
  port?: number;
  apiKey?: string;
  latencyMs?: number;
  /** Default `documented`. */
  shape?: ZillizShape;
  /** Default: the sample data (with an `apiBaseUrl` on every region in the seed shape). */
  data?: ZillizData;
}

export interface ZillizSimulator extends SimulatorBase {
  apiKey: string;
  /** Live data: mutate it directly or through the helpers below. */
  data: ZillizData;
  /** Adds the region, or replaces the one with the same regionId in that cloud. */
  addRegion(cloudId: string, region: ZillizRegionInput): void;
  removeRegion(cloudId: string, regionId: string): boolean;
  updateRegion(cloudId: string, regionId: string, patch: Record<string, unknown>): boolean;
  addCloud(cloudId: string, description: string): void;
}

export const ZILLIZ_DEFAULT_API_KEY = 'sim-zilliz-key';
export const zillizSampleData: ZillizData = sample.zilliz;

/** v2's `domain`: "the base URL of the V2 API server". */
export const ZILLIZ_V2_DOMAIN = 'api.cloud.zilliz.com';

/** v1's `domain`: the region's wildcard endpoint domain. */
export const zillizV1Domain = (regionId: string): string => `*.api.${regionId}.zillizcloud.com`;

/** The sample data in the seed's shape: every region with its `apiBaseUrl`. */
export function zillizSeedData(data: ZillizData = zillizSampleData): ZillizData {
  const regions = Object.fromEntries(
    Object.entries(data.regions).map(([cloudId, list]) => [cloudId, list.map((r) => ({ ...r, apiBaseUrl: r.apiBaseUrl ?? `https://api.${r.regionId}.zillizcloud.com` }))]),
  );
  return { clouds: structuredClone(data.clouds), regions };
}

/** A region as a documented answer of this API version shows it. */
export function documentedRegion(region: ZillizRegion, version: 'v1' | 'v2'): ZillizRegion {
  return { ...region, domain: region.domain ?? (version === 'v2' ? ZILLIZ_V2_DOMAIN : zillizV1Domain(region.regionId)) };
}

const MESSAGES: Record<number, string> = {
  21119: 'The apikey is illegal',
  80001: 'Illegal Api-Key.',
  80002: 'Invalid Api-Key. Please log in to the cloud platform to confirm if your Api-Key exists.',
  80003: 'Invalid CloudId. Please use the ListClouds API to obtain a list of supported CloudIds.',
};

const bodies: FaultBodies = {
  status: (status) => ({ code: status, message: statusMessage(status) }),
  rateLimit: () => ({ code: 429, message: 'rate limit exceeded, please retry later' }),
  businessError: (fault) => {
    const code = fault.code ?? 80002;
    const message = fault.message ?? (typeof code === 'number' ? MESSAGES[code] : undefined) ?? 'business error';
    return { status: fault.httpStatus ?? 200, body: { code, message } };
  },
};

export async function startZillizSimulator(options: ZillizSimulatorOptions = {}): Promise<ZillizSimulator> {
  const apiKey = options.apiKey ?? ZILLIZ_DEFAULT_API_KEY;
  const shape = options.shape ?? 'documented';
  const initial = structuredClone(options.data ?? (shape === 'seed' ? zillizSeedData() : zillizSampleData));
  const data = structuredClone(initial);

  const findCloudOf = (regionId: string): string | undefined =>
    Object.keys(data.regions).find((cloudId) => data.regions[cloudId]?.some((r) => r.regionId === regionId));

  const helpers = {
    addRegion(cloudId: string, region: ZillizRegionInput): void {
      const list = (data.regions[cloudId] ??= []);
      const full: ZillizRegion = { ...structuredClone(region), cloudId: region.cloudId ?? cloudId };
      const at = list.findIndex((r) => r.regionId === region.regionId);
      if (at >= 0) list[at] = full;
      else list.push(full);
    },
    removeRegion(cloudId: string, regionId: string): boolean {
      const list = data.regions[cloudId];
      const at = list?.findIndex((r) => r.regionId === regionId) ?? -1;
      if (!list || at < 0) return false;
      list.splice(at, 1);
      return true;
    },
    updateRegion(cloudId: string, regionId: string, patch: Record<string, unknown>): boolean {
      const region = data.regions[cloudId]?.find((r) => r.regionId === regionId);
      if (region) Object.assign(region, patch);
      return region !== undefined;
    },
    addCloud(cloudId: string, description: string): void {
      const existing = data.clouds.find((c) => c.cloudId === cloudId);
      if (existing) existing.description = description;
      else data.clouds.push({ cloudId, description });
      data.regions[cloudId] ??= [];
    },
  };

  const target: ControlTarget = {
    data,
    resetData() {
      const fresh = structuredClone(initial);
      data.clouds = fresh.clouds;
      data.regions = fresh.regions;
    },
    upsertRegion(body) {
      if (!isRecord(body) || typeof body.cloudId !== 'string' || typeof body.regionId !== 'string') {
        return 'a Zilliz region needs string cloudId and regionId';
      }
      helpers.addRegion(body.cloudId, { ...body, regionId: body.regionId });
      return undefined;
    },
    removeRegion: (regionId) => {
      const cloudId = findCloudOf(regionId);
      return cloudId !== undefined && helpers.removeRegion(cloudId, regionId);
    },
    updateRegion: (regionId, patch) => {
      const cloudId = findCloudOf(regionId);
      return cloudId !== undefined && helpers.updateRegion(cloudId, regionId, patch);
    },
  };

  function handle(req: SimRequest): SimResponse {
    const route = /^\/(v1|v2)\/(clouds|regions)$/.exec(req.path);
    if (!route) return { status: 404, body: { code: 404, message: 'Not Found' } };
    const v2 = route[1] === 'v2';
    if (req.headers.authorization !== `Bearer ${apiKey}`) {
      const code = v2 ? 21119 : 80001;
      return { status: 401, body: { code, message: MESSAGES[code] } };
    }
    const ok = v2 ? 0 : 200;
    const list = (items: Array<Record<string, unknown>>, idKey: string): SimResponse => {
      const wrap = (shown: Array<Record<string, unknown>>): unknown => ({ code: ok, data: shown });
      const snapshot = structuredClone(items);
      return { status: 200, body: wrap(snapshot), list: { items: snapshot, idKey, wrap } };
    };
    const regionList = (regions: ZillizRegion[], version: 'v1' | 'v2'): SimResponse =>
      list(shape === 'seed' ? regions : regions.map((r) => documentedRegion(r, version)), 'regionId');
    const notAllowed: SimResponse = { status: 405, body: { code: 405, message: 'Method Not Allowed' } };

    if (route[2] === 'clouds') return req.method === 'GET' ? list(data.clouds.map((c) => ({ ...c })), 'cloudId') : notAllowed;
    if (v2) {
      // One call for every cloud, in cloud order; ?cloudId= narrows it.
      if (req.method !== 'GET') return notAllowed;
      const only = req.query.get('cloudId');
      if (only !== null && !data.clouds.some((c) => c.cloudId === only) && !data.regions[only]) {
        return { status: 200, body: { code: 80003, message: MESSAGES[80003] } };
      }
      const clouds = [...new Set([...data.clouds.map((c) => c.cloudId), ...Object.keys(data.regions)])];
      return regionList(clouds.filter((c) => only === null || c === only).flatMap((c) => data.regions[c] ?? []), 'v2');
    }
    let cloudId: unknown;
    if (req.method === 'GET') cloudId = req.query.get('cloudId');
    else if (req.method === 'POST') cloudId = isRecord(req.body) ? req.body.cloudId : undefined;
    else return notAllowed;
    const known = typeof cloudId === 'string' && data.clouds.some((c) => c.cloudId === cloudId);
    const regions = typeof cloudId === 'string' ? data.regions[cloudId] : undefined;
    if (!known && !regions) return { status: 200, body: { code: 80003, message: MESSAGES[80003] } };
    return regionList(regions ?? [], 'v1');
  }

  const base = await startSimServer({ port: options.port, latencyMs: options.latencyMs, handle, bodies, target, requestIdHeader: 'requestid' });
  return { ...base, apiKey, data, ...helpers };
}

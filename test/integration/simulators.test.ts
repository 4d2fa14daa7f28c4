/**
 * The local upstream simulators over real sockets: Zilliz listing and errors,
 * Huawei IAM + ModelArts token handling, every fault kind, the fault queue's
 * `times`/`match` rules, latency, prompt close(), and the /_sim control API.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  startModelartsSimulator,
  startZillizSimulator,
  type ModelartsSimulator,
  type ZillizSimulator,
} from '../../local/simulators';
import { signRequest } from '../../lib/sync/sources/huawei-signer';

type Item = Record<string, unknown>;
interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: unknown;
}

let zilliz: ZillizSimulator;
let modelarts: ModelartsSimulator;

beforeAll(async () => {
  [zilliz, modelarts] = await Promise.all([startZillizSimulator(), startModelartsSimulator()]);
});
afterAll(async () => {
  await Promise.all([zilliz.close(), modelarts.close()]);
});
beforeEach(() => {
  zilliz.reset();
  modelarts.reset();
});

async function call(url: string, init: RequestInit = {}): Promise<Answer> {
  const res = await fetch(url, init);
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err: unknown) {
    if (!(err instanceof SyntaxError)) throw err;
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** A Zilliz call with the right key unless `key` says otherwise (null: no header). */
function z(path: string, opts: { method?: string; body?: unknown; key?: string | null } = {}): Promise<Answer> {
  const key = opts.key === undefined ? zilliz.apiKey : opts.key;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (key !== null) headers.authorization = `Bearer ${key}`;
  const body = opts.body === undefined ? undefined : JSON.stringify(opts.body);
  return call(zilliz.url + path, { method: opts.method ?? 'GET', headers, body });
}

function control(sim: { url: string }, method: string, path: string, body?: unknown): Promise<Answer> {
  return call(`${sim.url}/_sim${path}`, { method, body: body === undefined ? undefined : JSON.stringify(body) });
}

const dataOf = (a: Answer): Item[] => (a.json as { data: Item[] }).data;
const itemsOf = (a: Answer): Item[] => (a.json as { region_items: Item[] }).region_items;

function login(sim: ModelartsSimulator, project: Record<string, string> = { id: sim.projectId }, password = sim.password) {
  const user = { name: sim.username, password, domain: { name: sim.domainName } };
  const body = { auth: { identity: { methods: ['password'], password: { user } }, scope: { project } } };
  return call(`${sim.url}/v3/auth/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

async function token(sim: ModelartsSimulator = modelarts): Promise<string> {
  const answer = await login(sim);
  expect(answer.status).toBe(201);
  return answer.headers.get('x-subject-token') ?? '';
}

function regions(sim: ModelartsSimulator, authToken?: string, projectId = sim.projectId): Promise<Answer> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (authToken !== undefined) headers['x-auth-token'] = authToken;
  return call(`${sim.url}/v1/${projectId}/maas/services/custom-endpoint/regions`, { headers });
}

describe('zilliz simulator', () => {
  it('lists cloud providers', async () => {
    const a = await z('/v1/clouds');
    expect(a.status).toBe(200);
    expect(a.json).toMatchObject({ code: 200 });
    expect(dataOf(a).map((c) => c.cloudId)).toEqual(['aws', 'gcp', 'azure']);
    expect(dataOf(a)[0]).toHaveProperty('description');
  });

  it('lists regions by GET and by the seed POST variant, identically', async () => {
    const get = await z('/v1/regions?cloudId=aws');
    const post = await z('/v1/regions', { method: 'POST', body: { cloudId: 'aws' } });
    expect(get.json).toEqual(post.json);
    expect(dataOf(get)).toHaveLength(12);
    // Today's documented v1 shape: the region's wildcard endpoint domain, no apiBaseUrl.
    expect(dataOf(get).find((r) => r.regionId === 'aws-us-west-2')).toEqual({
      cloudId: 'aws',
      regionId: 'aws-us-west-2',
      domain: '*.api.aws-us-west-2.zillizcloud.com',
      supportedClusterTypes: ['free', 'serverless', 'dedicated'],
    });
  });

  it('answers v2 regions with the control plane host as domain, and the seed shape with apiBaseUrl on request', async () => {
    const v2 = dataOf(await z('/v2/regions?cloudId=aws'));
    expect(v2.find((r) => r.regionId === 'aws-us-east-1')).toEqual({ cloudId: 'aws', regionId: 'aws-us-east-1', domain: 'api.cloud.zilliz.com' });
    const seed = await startZillizSimulator({ shape: 'seed' });
    try {
      for (const path of ['/v1/regions?cloudId=aws', '/v2/regions?cloudId=aws']) {
        const answer = await call(`${seed.url}${path}`, { headers: { authorization: `Bearer ${seed.apiKey}` } });
        expect(dataOf(answer).find((r) => r.regionId === 'aws-us-east-1')).toEqual({ cloudId: 'aws', regionId: 'aws-us-east-1', apiBaseUrl: 'https://api.aws-us-east-1.zillizcloud.com' });
      }
    } finally {
      await seed.close();
    }
  });

  it('answers v2 paths with code 0', async () => {
    expect((await z('/v2/clouds')).json).toMatchObject({ code: 0 });
  });

  it('rejects a missing or wrong key with HTTP 401 / 80001', async () => {
    for (const key of [null, 'wrong']) {
      const a = await z('/v1/clouds', { key });
      expect(a.status).toBe(401);
      expect(a.json).toEqual({ code: 80001, message: 'Illegal Api-Key.' });
    }
  });

  it('answers an unknown cloud with 80003 under HTTP 200', async () => {
    for (const a of [await z('/v1/regions?cloudId=ibm'), await z('/v1/regions', { method: 'POST', body: {} })]) {
      expect(a.status).toBe(200);
      expect(a.json).toMatchObject({ code: 80003, message: expect.stringContaining('Invalid CloudId') });
    }
  });

  it('records requests', async () => {
    await z('/v1/regions', { method: 'POST', body: { cloudId: 'gcp' } });
    await z('/v1/regions?cloudId=aws');
    const [post, get] = zilliz.requests;
    expect(post).toMatchObject({ method: 'POST', path: '/v1/regions', body: { cloudId: 'gcp' } });
    expect(post?.headers.authorization).toBe(`Bearer ${zilliz.apiKey}`);
    expect(get).toMatchObject({ method: 'GET', query: { cloudId: 'aws' }, body: undefined });
    expect(typeof get?.at).toBe('number');
  });

  it('data helpers change the answers', async () => {
    zilliz.addCloud('oci', 'Oracle Cloud');
    expect(dataOf(await z('/v1/clouds')).map((c) => c.cloudId)).toContain('oci');
    expect(dataOf(await z('/v1/regions?cloudId=oci'))).toEqual([]);
    zilliz.addRegion('oci', { regionId: 'oci-us-ashburn-1' });
    expect(zilliz.updateRegion('oci', 'oci-us-ashburn-1', { apiBaseUrl: 'https://x' })).toBe(true);
    expect(dataOf(await z('/v1/regions?cloudId=oci'))).toEqual([
      { cloudId: 'oci', regionId: 'oci-us-ashburn-1', apiBaseUrl: 'https://x', domain: '*.api.oci-us-ashburn-1.zillizcloud.com' },
    ]);
    expect(zilliz.removeRegion('aws', 'aws-us-east-1')).toBe(true);
    expect(zilliz.removeRegion('aws', 'aws-us-east-1')).toBe(false);
    expect(dataOf(await z('/v1/regions?cloudId=aws'))).toHaveLength(11);
  });
});

describe('modelarts simulator', () => {
  it('IAM login returns X-Subject-Token and a 24 h token body', async () => {
    const a = await login(modelarts);
    expect(a.status).toBe(201);
    expect(a.headers.get('x-subject-token')).toMatch(/^MIIsim/);
    const t = (a.json as { token: { expires_at: string; issued_at: string; project: Item } }).token;
    expect(Date.parse(t.expires_at) - Date.parse(t.issued_at)).toBe(24 * 3600 * 1000);
    expect(t.project.id).toBe('0123456789abcdef0123456789abcdef');
    expect((await login(modelarts, { name: modelarts.projectName })).status).toBe(201);
  });

  it('IAM rejects bad credentials, unknown projects and malformed bodies', async () => {
    const wrong = await login(modelarts, { id: modelarts.projectId }, 'nope');
    expect(wrong.status).toBe(401);
    expect(wrong.json).toEqual({ error: { code: 401, message: 'The username or password is wrong.', title: 'Unauthorized' } });
    expect((await login(modelarts, { id: 'f'.repeat(32) })).status).toBe(400);
    expect((await call(`${modelarts.url}/v3/auth/tokens`, { method: 'POST', body: '{}' })).status).toBe(400);
  });

  it('lists regions with an issued or the static token', async () => {
    for (const t of [await token(), 'sim-static-token']) {
      const a = await regions(modelarts, t);
      expect(a.status).toBe(200);
      expect(itemsOf(a).map((r) => r.region_id)).toEqual(['cn-southwest-2', 'cn-north-12', 'cn-east-4', 'cn-north-9']);
      expect(itemsOf(a)[0]).toMatchObject({ locales: { en_us: 'CN Southwest-Guiyang1', zh_cn: expect.any(String) } });
    }
  });

  it('missing or unknown token: 401 APIG.0301; wrong project: 404', async () => {
    for (const t of [undefined, 'bogus']) {
      const a = await regions(modelarts, t);
      expect(a.status).toBe(401);
      expect(a.json).toMatchObject({ error_code: 'APIG.0301' });
    }
    const a = await regions(modelarts, await token(), 'f'.repeat(32));
    expect(a.status).toBe(404);
    expect(a.json).toMatchObject({ error_code: 'ModelArts.0101' });
  });

  it('expired token: 400 ModelArts.0104; revoked token: 401', async () => {
    const old = await token();
    modelarts.expireTokens();
    const a = await regions(modelarts, old);
    expect(a.status).toBe(400);
    expect(a.json).toEqual({ error_code: 'ModelArts.0104', error_msg: 'Invalid token.', request_id: a.headers.get('x-request-id') });
    const fresh = await token();
    expect((await regions(modelarts, fresh)).status).toBe(200);
    modelarts.revokeTokens();
    expect((await regions(modelarts, fresh)).status).toBe(401);
  });

  it('honours tokenTtlSeconds', async () => {
    const sim = await startModelartsSimulator({ tokenTtlSeconds: 0 });
    try {
      expect((await regions(sim, await token(sim))).json).toMatchObject({ error_code: 'ModelArts.0104' });
    } finally {
      await sim.close();
    }
  });

  it('unknown routes: 404 APIG.0101', async () => {
    const a = await call(`${modelarts.url}/v2/nothing`);
    expect(a.status).toBe(404);
    expect(a.json).toMatchObject({ error_code: 'APIG.0101' });
  });
});

describe('faults', () => {
  it('status: default bodies per upstream, or the given body', async () => {
    zilliz.faults.push({ kind: 'status', status: 500 });
    expect(await z('/v1/clouds')).toMatchObject({ status: 500, json: { code: 500, message: 'internal error' } });
    modelarts.faults.push({ kind: 'status', status: 503 });
    const a = await regions(modelarts, 'sim-static-token');
    expect(a).toMatchObject({ status: 503, json: { error_code: 'ModelArts.0001', error_msg: 'Internal error' } });
    zilliz.faults.push({ kind: 'status', status: 502, body: { oops: true } });
    expect(await z('/v1/clouds')).toMatchObject({ status: 502, json: { oops: true } });
  });

  it('rate-limit: 429 with Retry-After', async () => {
    zilliz.faults.push({ kind: 'rate-limit', retryAfterSeconds: 7 });
    const a = await z('/v1/clouds');
    expect(a.status).toBe(429);
    expect(a.headers.get('retry-after')).toBe('7');
    modelarts.faults.push({ kind: 'rate-limit', retryAfterSeconds: 1 });
    expect((await regions(modelarts, 'sim-static-token')).json).toMatchObject({ error_code: 'APIGW.0308' });
  });

  it('hang: still pending after 200 ms, until aborted', async () => {
    zilliz.faults.push({ kind: 'hang' });
    const abort = new AbortController();
    const pending = fetch(`${zilliz.url}/v1/clouds`, { signal: abort.signal });
    const first = await Promise.race([pending.then(() => 'answered', () => 'failed'), sleep(200, 'pending')]);
    expect(first).toBe('pending');
    abort.abort();
    await expect(pending).rejects.toThrow(/abort/i);
  });

  it('close() returns promptly with a hung request or a long latency in flight', async () => {
    for (const setup of [(s: ZillizSimulator) => s.faults.push({ kind: 'hang' }), (s: ZillizSimulator) => s.setLatency(60_000)]) {
      const sim = await startZillizSimulator();
      setup(sim);
      const pending = fetch(`${sim.url}/v1/clouds`).catch((err: unknown) => err);
      while (sim.requests.length === 0) await sleep(5);
      const started = performance.now();
      await sim.close();
      // The answer was due in 60 s, or never: only a close() that waited for it reaches this bound.
      expect(performance.now() - started).toBeLessThan(10_000);
      expect(await pending).toBeInstanceOf(Error);
    }
  });

  it('malformed-json and html', async () => {
    zilliz.faults.push({ kind: 'malformed-json' });
    zilliz.faults.push({ kind: 'html' });
    const broken = await z('/v1/clouds');
    expect(broken).toMatchObject({ status: 200, text: '{"code":200,"data":[', json: undefined });
    const html = await z('/v1/clouds');
    expect(html.status).toBe(200);
    expect(html.headers.get('content-type')).toMatch(/^text\/html/);
    expect(html.text).toBe('<html><body>Bad Gateway</body></html>');
  });

  it('empty-list, short-list and missing-id', async () => {
    zilliz.faults.push({ kind: 'empty-list' });
    zilliz.faults.push({ kind: 'short-list', keep: 2 });
    zilliz.faults.push({ kind: 'missing-id' });
    expect((await z('/v1/regions?cloudId=aws')).json).toEqual({ code: 200, data: [] });
    expect(dataOf(await z('/v1/regions?cloudId=aws'))).toHaveLength(2);
    const missing = dataOf(await z('/v1/regions?cloudId=aws'));
    expect(missing).toHaveLength(12);
    expect(missing[0]).not.toHaveProperty('regionId');
    expect(missing[1]).toHaveProperty('regionId');

    modelarts.faults.push({ kind: 'empty-list' });
    modelarts.faults.push({ kind: 'missing-id' });
    expect((await regions(modelarts, 'sim-static-token')).json).toEqual({ region_items: [] });
    expect(itemsOf(await regions(modelarts, 'sim-static-token'))[0]).not.toHaveProperty('region_id');
  });

  it('business-error: Zilliz under HTTP 200, ModelArts 400 in either body shape', async () => {
    zilliz.faults.push({ kind: 'business-error' });
    zilliz.faults.push({ kind: 'business-error', code: 63032, message: 'quota', httpStatus: 403 });
    const a = await z('/v1/clouds');
    expect(a).toMatchObject({ status: 200, json: { code: 80002, message: expect.stringMatching(/^Invalid Api-Key\./) } });
    expect(await z('/v1/clouds')).toMatchObject({ status: 403, json: { code: 63032, message: 'quota' } });

    modelarts.faults.push({ kind: 'business-error' });
    modelarts.faults.push({ kind: 'business-error', code: 'ModelArts.4101', message: 'no', shape: 'code-message' });
    const b = await regions(modelarts, 'sim-static-token');
    expect(b).toMatchObject({ status: 400, json: { error_code: 'ModelArts.0104', error_msg: 'Invalid token.' } });
    expect((await regions(modelarts, 'sim-static-token')).json).toEqual({ code: 'ModelArts.4101', message: 'no' });
  });

  it('delay and latency hold the answer back', async () => {
    zilliz.faults.push({ kind: 'delay', ms: 120 });
    let started = performance.now();
    expect((await z('/v1/clouds')).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(110);

    const slow = await startZillizSimulator({ latencyMs: 100 });
    try {
      started = performance.now();
      await call(`${slow.url}/v1/clouds`);
      expect(performance.now() - started).toBeGreaterThanOrEqual(90);
    } finally {
      await slow.close();
    }
  });

  it('reset: the socket is destroyed without an answer', async () => {
    zilliz.faults.push({ kind: 'reset' });
    await expect(z('/v1/clouds')).rejects.toThrow();
    expect((await z('/v1/clouds')).status).toBe(200);
  });

  it('times and match: only matching requests consume the head fault', async () => {
    zilliz.faults.push({ kind: 'status', status: 500 }, { times: 2, match: { path: '/v1/regions', method: 'get' } });
    expect((await z('/v1/clouds')).status).toBe(200);
    expect((await z('/v1/regions', { method: 'POST', body: { cloudId: 'aws' } })).status).toBe(200);
    expect((await z('/v1/regions?cloudId=aws')).status).toBe(500);
    expect((await z('/v1/regions?cloudId=gcp')).status).toBe(500);
    expect((await z('/v1/regions?cloudId=aws')).status).toBe(200);
    expect(zilliz.faults.size).toBe(0);
  });

  it('only the head counts; Infinity lasts until clear()', async () => {
    zilliz.faults.push({ kind: 'status', status: 503 }, { match: { path: '/v1/clouds' } });
    zilliz.faults.push({ kind: 'status', status: 502 }, { times: Infinity, match: { path: /^\/v1\/regions$/ } });
    expect((await z('/v1/regions?cloudId=aws')).status).toBe(200);
    expect((await z('/v1/clouds')).status).toBe(503);
    for (let i = 0; i < 3; i++) expect((await z('/v1/regions?cloudId=aws')).status).toBe(502);
    zilliz.faults.clear();
    expect((await z('/v1/regions?cloudId=aws')).status).toBe(200);
    expect(() => zilliz.faults.push({ kind: 'hang' }, { times: 0 })).toThrow(RangeError);
  });
});

describe('control routes', () => {
  it('add, patch and delete a Zilliz region', async () => {
    const region = { cloudId: 'aws', regionId: 'aws-sa-east-1', apiBaseUrl: 'https://a', domain: '*.api.sa.example' };
    expect((await control(zilliz, 'POST', '/regions', region)).status).toBe(201);
    expect(dataOf(await z('/v1/regions?cloudId=aws'))).toContainEqual(region);
    expect((await control(zilliz, 'PATCH', '/regions/aws-sa-east-1', { apiBaseUrl: 'https://b' })).status).toBe(200);
    expect(dataOf(await z('/v1/regions?cloudId=aws'))).toContainEqual({ ...region, apiBaseUrl: 'https://b' });
    expect((await control(zilliz, 'DELETE', '/regions/aws-sa-east-1')).status).toBe(200);
    expect((await control(zilliz, 'DELETE', '/regions/aws-sa-east-1')).status).toBe(404);
    expect((await control(zilliz, 'POST', '/regions', { regionId: 'no-cloud' })).status).toBe(400);
    expect(zilliz.requests.every((r) => !r.path.startsWith('/_sim'))).toBe(true);
  });

  it('add, patch and delete a ModelArts region', async () => {
    const region = { region_id: 'ap-southeast-1', locales: { en_us: 'CN-Hong Kong' } };
    expect((await control(modelarts, 'POST', '/regions', region)).status).toBe(201);
    await control(modelarts, 'PATCH', '/regions/ap-southeast-1', { locales: { en_us: 'HK', zh_cn: '香港' } });
    const listed = itemsOf(await regions(modelarts, 'sim-static-token'));
    expect(listed).toContainEqual({ region_id: 'ap-southeast-1', locales: { en_us: 'HK', zh_cn: '香港' } });
    expect((await control(modelarts, 'DELETE', '/regions/cn-north-9')).status).toBe(200);
    expect(itemsOf(await regions(modelarts, 'sim-static-token'))).toHaveLength(4);
  });

  it('queue and clear faults, show state, reset', async () => {
    const fault = { fault: { kind: 'status', status: 503 }, times: 'Infinity', match: { pathPattern: '^/v1/' } };
    expect((await control(zilliz, 'POST', '/faults', fault)).status).toBe(201);
    expect((await control(zilliz, 'POST', '/faults', { fault: { kind: 'nope' } })).status).toBe(400);
    expect((await z('/v1/clouds')).status).toBe(503);
    const state = await control(zilliz, 'GET', '/state');
    expect(state.json).toMatchObject({ faults: [{ remaining: 'Infinity', match: { path: '/^\\/v1\\//' } }], latencyMs: 0 });
    expect((await control(zilliz, 'DELETE', '/faults')).status).toBe(200);
    expect((await z('/v1/clouds')).status).toBe(200);

    zilliz.removeRegion('aws', 'aws-us-east-1');
    expect((await control(zilliz, 'POST', '/reset')).status).toBe(200);
    expect(zilliz.requests).toHaveLength(0);
    expect(dataOf(await z('/v1/regions?cloudId=aws'))).toHaveLength(12);
    expect((await control(zilliz, 'GET', '/nothing')).status).toBe(404);
  });
});

describe('zilliz simulator: v2', () => {
  it('answers every cloud from one GET /v2/regions in cloud order, ?cloudId= narrowing it', async () => {
    const all = await z('/v2/regions');
    expect(all.json).toMatchObject({ code: 0 });
    const expected = Object.values(zilliz.data.regions).flat().map((r) => r.regionId);
    expect(dataOf(all).map((r) => r.regionId)).toEqual(expected);
    expect(dataOf(await z('/v2/regions?cloudId=gcp')).every((r) => r.cloudId === 'gcp')).toBe(true);
  });

  it('answers a bad key with HTTP 401 code 21119, and sends a requestid header on every answer', async () => {
    const bad = await z('/v2/regions', { key: 'wrong' });
    expect(bad).toMatchObject({ status: 401, json: { code: 21119, message: 'The apikey is illegal' } });
    expect(bad.headers.get('requestid')).toBe(zilliz.requests.at(-1)?.requestId);
    zilliz.faults.push({ kind: 'status', status: 500 });
    expect((await z('/v2/regions')).headers.get('requestid')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('applies the fault kinds to the v2 route too', async () => {
    zilliz.faults.push({ kind: 'short-list', keep: 2 });
    expect(dataOf(await z('/v2/regions'))).toHaveLength(2);
  });
});

describe('modelarts simulator: AK/SK signatures', () => {
  const url = () => new URL(`${modelarts.url}/v1/${modelarts.projectId}/maas/services/custom-endpoint/regions`);
  const send = (target: URL, headers: Record<string, string>) => call(target.toString(), { headers });
  const signed = (target: URL, credentials: { accessKey: string; secretKey: string; securityToken?: string }, at = new Date()) => {
    const headers = { 'x-project-id': modelarts.projectId };
    return { ...headers, ...signRequest({ method: 'GET', url: target, headers, body: '' }, credentials, at) };
  };
  const own = () => ({ accessKey: modelarts.accessKey, secretKey: modelarts.secretKey });

  it('accepts a correctly signed request', async () => {
    const answer = await send(url(), signed(url(), own()));
    expect(answer.status).toBe(200);
    expect(itemsOf(answer)).toHaveLength(modelarts.data.region_items.length);
  });

  it.each([
    ['a wrong secret key', (t: URL) => signed(t, { ...own(), secretKey: 'not-the-secret-key' })],
    ['an unknown access key', (t: URL) => signed(t, { ...own(), accessKey: 'UNKNOWNACCESSKEY0000' })],
    ['an X-Sdk-Date 16 minutes old', (t: URL) => signed(t, own(), new Date(Date.now() - 16 * 60_000))],
    ['an X-Sdk-Date 16 minutes ahead', (t: URL) => signed(t, own(), new Date(Date.now() + 16 * 60_000))],
    ['a header changed after signing', (t: URL) => ({ ...signed(t, own()), 'x-project-id': 'f'.repeat(32) })],
    ['a query added after signing', (t: URL) => signed(new URL(`${t.toString()}?limit=1`), own())],
  ])('rejects %s as 401 APIG.0301 "verify aksk signature fail"', async (_name, headersFor) => {
    // Each is sent to the plain URL: the query case was signed for ?limit=1.
    const answer = await send(url(), headersFor(url()));
    expect(answer.status).toBe(401);
    expect(answer.json).toMatchObject({ error_code: 'APIG.0301', error_msg: expect.stringContaining('verify aksk signature fail'), request_id: answer.headers.get('x-request-id') });
  });

  it('accepts an X-Sdk-Date 14 minutes old', async () => {
    expect((await send(url(), signed(url(), own(), new Date(Date.now() - 14 * 60_000)))).status).toBe(200);
  });

  it('takes temporary credentials only with their X-Security-Token', async () => {
    const { accessKey, secretKey, securityToken } = modelarts.temporary;
    expect((await send(url(), signed(url(), { accessKey, secretKey, securityToken }))).status).toBe(200);
    expect((await send(url(), signed(url(), { accessKey, secretKey }))).status).toBe(401);
    expect((await send(url(), signed(url(), { accessKey, secretKey, securityToken: 'forged-token' }))).status).toBe(401);
  });
});

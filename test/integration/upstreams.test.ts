/**
 * The real upstreams' shapes against the simulators over real sockets: Zilliz
 * v2 (one call for every cloud), Huawei AK/SK signing checked by the ModelArts
 * simulator, request ids kept for support, list order kept as given, and no
 * wait outliving the pass deadline.
 */
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import { listSources, loadCatalog } from '../../lib/store/read';
import { createLogger } from '../../lib/core/log';
import { createSyncHandler } from '../../lib/sync/handler';
import type { PassSummary } from '../../lib/sync/pass';
import { MODELARTS_DEFAULTS } from '../../local/simulators';
import { createHarness, SAMPLE_REGIONS, type Harness } from '../support/harness';

const AKSK = { HUAWEI_ACCESS_KEY: MODELARTS_DEFAULTS.accessKey, HUAWEI_SECRET_KEY: MODELARTS_DEFAULTS.secretKey };
const V2 = { ZILLIZ_API_VERSION: 'v2' };
const PROJECT_SCOPE = `modelarts/${MODELARTS_DEFAULTS.projectId}`;

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const upstream = (harness: Harness) => [...harness.zilliz.requests, ...harness.modelarts.requests];
const loadRegions = async (harness: Harness) => (await loadCatalog({ doc: harness.table.doc, table: harness.table.tableName })).regions;
const scopesOf = (summary: PassSummary, source: string) => summary.scopes.filter((s) => s.source === source);

describe('Zilliz v2', () => {
  it('serves every cloud from one GET /v2/regions, grouped by cloudId', async () => {
    h = await createHarness({ env: V2 });
    const summary = await h.pass();
    expect(h.zilliz.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /v2/regions']);
    const zilliz = scopesOf(summary, 'zilliz');
    expect(zilliz.map((s) => [s.scope, s.added])).toEqual([
      ['zilliz/aws', h.zilliz.data.regions.aws?.length],
      ['zilliz/gcp', h.zilliz.data.regions.gcp?.length],
      ['zilliz/azure', h.zilliz.data.regions.azure?.length],
    ]);
    const regions = await loadRegions(h);
    expect(regions.filter((r) => r.source === 'zilliz').every((r) => r.id.startsWith('zilliz:') && h?.zilliz.data.regions[r.cloudId]?.some((u) => u.regionId === r.regionId))).toBe(true);
  });

  it('keeps only the clouds of ZILLIZ_CLOUD_IDS', async () => {
    h = await createHarness({ env: { ...V2, ZILLIZ_CLOUD_IDS: 'gcp,azure' } });
    const summary = await h.pass();
    expect(scopesOf(summary, 'zilliz').map((s) => s.scope).sort()).toEqual(['zilliz/azure', 'zilliz/gcp']);
    expect((await loadRegions(h)).some((r) => r.cloudId === 'aws')).toBe(false);
    expect(h.zilliz.requests).toHaveLength(1);
  });

  it('fails each zilliz scope when the one call fails, and removes nothing', async () => {
    h = await createHarness({ env: V2 });
    await h.pass();
    h.receiver.clear();
    h.zilliz.faults.push({ kind: 'status', status: 503 }, { times: Infinity });
    const summary = await h.pass();
    const zilliz = scopesOf(summary, 'zilliz');
    expect(zilliz.map((s) => s.scope).sort()).toEqual(['zilliz/aws', 'zilliz/azure', 'zilliz/gcp']);
    expect(zilliz.every((s) => s.outcome === 'failed' && s.error?.code === 'http.503')).toBe(true);
    expect((await h.committedChanges()).filter((c) => c.type === 'region.removed')).toEqual([]);
    expect((await loadRegions(h)).length).toBe(SAMPLE_REGIONS);
    expect(scopesOf(summary, 'modelarts')[0]?.outcome).toBe('unchanged');
  });

  it('reads a cloud missing from a successful answer as empty, so the hold guards it', async () => {
    h = await createHarness({ env: V2 });
    await h.pass();
    delete h.zilliz.data.regions.gcp;
    h.zilliz.data.clouds = h.zilliz.data.clouds.filter((c) => c.cloudId !== 'gcp');
    const summary = await h.pass();
    expect(summary.scopes.find((s) => s.scope === 'zilliz/gcp')).toMatchObject({ outcome: 'held', removed: 0, heldRemovals: 6 });
  });

  it('reads a bad key as auth 21119 with the request id', async () => {
    h = await createHarness({ env: { ...V2, ZILLIZ_API_KEY: 'not-the-key-000' } });
    const summary = await h.pass();
    const failed = scopesOf(summary, 'zilliz');
    expect(failed).toHaveLength(1);
    expect(failed[0]?.error).toMatchObject({ code: 'auth.21119', requestId: h.zilliz.requests[0]?.requestId });
  });
});

describe('Huawei AK/SK', () => {
  it('signs the one regions call: accepted, no token and no IAM call', async () => {
    h = await createHarness({ env: { ...V2, ...AKSK } });
    const summary = await h.pass();
    expect(scopesOf(summary, 'modelarts')[0]).toMatchObject({ outcome: 'ok', added: 4 });
    const [call, ...more] = h.modelarts.requests;
    expect(more).toEqual([]);
    expect(call?.path).toMatch(/custom-endpoint\/regions$/);
    expect(call?.headers.authorization).toMatch(/^SDK-HMAC-SHA256 Access=SIMACCESSKEY00000001, SignedHeaders=[a-z;-]*x-sdk-date[a-z;-]*, Signature=[0-9a-f]{64}$/);
    expect(call?.headers['x-project-id']).toBe(MODELARTS_DEFAULTS.projectId);
    expect(call?.headers['x-auth-token']).toBeUndefined();
  });

  it('fails a bad secret once as auth, never retried, keeping the request id', async () => {
    h = await createHarness({ env: { ...V2, ...AKSK, HUAWEI_SECRET_KEY: 'wrong-secret-key-0000000000' } });
    const summary = await h.pass();
    const scope = scopesOf(summary, 'modelarts')[0];
    expect(scope?.error).toMatchObject({ code: 'auth.APIG.0301', requestId: h.modelarts.requests[0]?.requestId });
    expect(scope?.error?.message).toContain('verify aksk signature fail');
    expect(h.modelarts.requests).toHaveLength(1);
    // The lastError served by /sources keeps the id too.
    const sources = await listSources({ doc: h.table.doc, table: h.table.tableName });
    expect(sources.find((s) => s.scope === PROJECT_SCOPE)?.lastError).toMatchObject({ code: 'auth.APIG.0301', requestId: h.modelarts.requests[0]?.requestId });
  });

  it('signs with temporary credentials and their security token', async () => {
    const { accessKey, secretKey, securityToken } = MODELARTS_DEFAULTS.temporary;
    h = await createHarness({ env: { HUAWEI_ACCESS_KEY: accessKey, HUAWEI_SECRET_KEY: secretKey, HUAWEI_SECURITY_TOKEN: securityToken } });
    const summary = await h.pass();
    expect(scopesOf(summary, 'modelarts')[0]?.outcome).toBe('ok');
    expect(h.modelarts.requests[0]?.headers['x-security-token']).toBe(securityToken);
    expect(h.modelarts.requests[0]?.headers.authorization).toMatch(/SignedHeaders=[a-z;-]*x-security-token/);
  });

  it('rejects temporary credentials without their token', async () => {
    const { accessKey, secretKey } = MODELARTS_DEFAULTS.temporary;
    h = await createHarness({ env: { HUAWEI_ACCESS_KEY: accessKey, HUAWEI_SECRET_KEY: secretKey } });
    const summary = await h.pass();
    expect(scopesOf(summary, 'modelarts')[0]?.error?.code).toBe('auth.APIG.0301');
    expect(h.modelarts.requests).toHaveLength(1);
  });

  it('never lets the secret key reach a log line, a stored item or a response', async () => {
    h = await createHarness({ env: { ...V2, ...AKSK } });
    const harness = h;
    // The real handler: it registers the configuration's secrets with the redactor, as in Lambda.
    const handler = createSyncHandler(harness.config, { log: createLogger({ test: true }, (line) => harness.logLines.push(line), 'debug'), pass: { backoffMs: 5 } });
    const good = (await handler({}, undefined as never)) as PassSummary;
    expect(good.ok).toBe(true);
    // An upstream that echoes what it got must not get the secret stored either.
    harness.modelarts.faults.push(
      { kind: 'status', status: 403, body: { error_code: 'APIG.0302', error_msg: `denied for ${MODELARTS_DEFAULTS.secretKey}` } },
      { times: Infinity },
    );
    const bad = await harness.pass();
    const secret = MODELARTS_DEFAULTS.secretKey;
    const items = await harness.table.doc.send(new ScanCommand({ TableName: harness.table.tableName }));
    const sources = await listSources({ doc: harness.table.doc, table: harness.table.tableName });
    for (const text of [...harness.logLines, JSON.stringify(items.Items), JSON.stringify(sources), JSON.stringify(good), JSON.stringify(bad)]) {
      expect(text).not.toContain(secret);
    }
    expect(JSON.stringify(bad)).toContain('[REDACTED]');
  });

  it('lets AK/SK win over a static token and the password', async () => {
    h = await createHarness({ env: { ...AKSK, HUAWEI_AUTH_TOKEN: 'sim-static-token' } });
    await h.pass();
    expect(h.modelarts.requests.map((r) => r.path)).toEqual([expect.stringMatching(/custom-endpoint\/regions$/)]);
    expect(h.modelarts.requests[0]?.headers['x-auth-token']).toBeUndefined();
  });
});

describe('attributes as given', () => {
  it('stores and serves a list in the upstream order, and a pure reordering writes nothing', async () => {
    h = await createHarness({ env: V2 });
    await h.pass();
    const stored = async () => (await loadRegions(h as Harness)).find((r) => r.id === 'zilliz:aws-us-west-2')?.attributes.supportedClusterTypes;
    expect(await stored()).toEqual(['free', 'serverless', 'dedicated']);
    const west = h.zilliz.data.regions.aws?.find((r) => r.regionId === 'aws-us-west-2');
    (west as Record<string, unknown>).supportedClusterTypes = ['dedicated', 'free', 'serverless'];
    const before = await h.table.doc.send(new ScanCommand({ TableName: h.table.tableName }));
    const summary = await h.pass();
    expect(summary.changes).toBe(0);
    expect(summary.scopes.find((s) => s.scope === 'zilliz/aws')?.outcome).toBe('unchanged');
    const after = await h.table.doc.send(new ScanCommand({ TableName: h.table.tableName }));
    const regionItems = (out: typeof before) => JSON.stringify((out.Items ?? []).filter((i) => i.pk === 'REGION'));
    expect(regionItems(after)).toBe(regionItems(before));
    expect(await stored()).toEqual(['free', 'serverless', 'dedicated']);
  });
});

/** Resolves once `condition` holds; fails after `limitMs`, a bound only a hang reaches. */
async function until(condition: () => boolean, limitMs: number): Promise<void> {
  for (let waited = 0; !condition(); waited += 10) {
    if (waited > limitMs) throw new Error(`condition not met within ${limitMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('bounded waits', () => {
  it('ends a scope asking for a 120 s Retry-After at once, as a deadline error, while the others commit', async () => {
    // A deadline of 50 s, shorter than the wait asked (120 s, capped at 60 s): waiting for either, or for the
    // deadline itself, would outlast the bound below.
    h = await createHarness({ env: { ...V2, ...AKSK, PASS_DEADLINE_MS: '50000' } });
    await h.pass();
    h.modelarts.faults.push({ kind: 'rate-limit', retryAfterSeconds: 120 }, { times: Infinity });
    h.zilliz.addRegion('aws', { regionId: 'aws-sa-east-1' });
    const started = Date.now();
    const summary = await h.pass();
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(scopesOf(summary, 'modelarts')[0]?.error).toMatchObject({ code: 'deadline' });
    expect(scopesOf(summary, 'modelarts')[0]?.error?.message).toContain('Retry-After 120 s');
    expect(summary.scopes.find((s) => s.scope === 'zilliz/aws')).toMatchObject({ outcome: 'ok', added: 1 });
    expect(h.modelarts.requests.filter((r) => r.path.endsWith('/regions'))).toHaveLength(2);
  });

  it('gives a hung upstream at most its timeout times its attempts plus the backoffs', async () => {
    const timeoutMs = 400;
    const retries = 3;
    h = await createHarness({ env: { ...V2, ...AKSK, UPSTREAM_TIMEOUT_MS: String(timeoutMs), UPSTREAM_RETRIES: String(retries), PASS_DEADLINE_MS: '20000' } });
    h.modelarts.faults.push({ kind: 'hang' }, { times: Infinity });
    const started = Date.now();
    const summary = await h.pass();
    const elapsed = Date.now() - started;
    // Ended by the attempts' own timeouts (`timeout`), not by the pass deadline (`deadline`, 20 s away).
    expect(scopesOf(summary, 'modelarts')[0]?.error?.code).toBe('timeout');
    expect(h.modelarts.requests).toHaveLength(retries + 1);
    // Each attempt went out after the previous one timed out, not beside it: the attempts took at least their
    // timeouts end to end (a lower bound, which a loaded machine only makes easier to meet; timers never fire early).
    expect(elapsed).toBeGreaterThanOrEqual(timeoutMs * (retries + 1) - 5);
    expect(elapsed).toBeLessThan(20_000);
    expect(scopesOf(summary, 'zilliz').every((s) => s.outcome === 'ok')).toBe(true);
  });
});

describe('round trips', () => {
  it('needs no upstream call beyond the one per source on v2 + AK/SK, cold or warm', async () => {
    h = await createHarness({ env: { ...V2, ...AKSK } });
    await h.pass();
    expect(upstream(h)).toHaveLength(2);
    await h.pass();
    expect(upstream(h)).toHaveLength(4);
  });
});

describe('Zilliz v1 in one round trip', () => {
  it('lists the clouds beside the known clouds\' regions, and makes a second call only for a new cloud', async () => {
    // An upstream timeout far beyond the wait below: no retry can stand in for a missing request.
    h = await createHarness({ env: { ZILLIZ_API_VERSION: 'v1', ...AKSK, UPSTREAM_TIMEOUT_MS: '25000', PASS_DEADLINE_MS: '30000' } });
    await h.pass();
    h.zilliz.requests.length = 0;
    // Every answer is held back until all four requests have arrived: they were in flight at once.
    const sim = h.zilliz;
    const release = sim.hold();
    const warmPass = h.pass();
    await until(() => sim.requests.length >= 4, 15_000);
    release();
    await warmPass;
    const warm = h.zilliz.requests;
    expect(warm.map((r) => `${r.path}${r.query.cloudId ? `?${r.query.cloudId}` : ''}`).sort()).toEqual(['/v1/clouds', '/v1/regions?aws', '/v1/regions?azure', '/v1/regions?gcp']);
    h.zilliz.setLatency(150);

    h.zilliz.requests.length = 0;
    h.zilliz.addCloud('oci', 'Oracle Cloud');
    h.zilliz.addRegion('oci', { regionId: 'oci-us-ashburn-1' });
    const summary = await h.pass();
    expect(summary.scopes.find((s) => s.scope === 'zilliz/oci')).toMatchObject({ outcome: 'ok', added: 1 });
    const oci = h.zilliz.requests.find((r) => r.query.cloudId === 'oci');
    const clouds = h.zilliz.requests.find((r) => r.path === '/v1/clouds');
    expect(h.zilliz.requests).toHaveLength(5);
    // The new cloud's listing waited for the cloud list's answer: the one second hop.
    expect((oci?.at ?? 0) - (clouds?.at ?? 0)).toBeGreaterThanOrEqual(140);
  });

  it('reuses the password login token on a warm pass: one call to ModelArts', async () => {
    h = await createHarness({ env: { ZILLIZ_API_VERSION: 'v1' } });
    await h.pass();
    h.modelarts.requests.length = 0;
    await h.pass();
    expect(h.modelarts.requests.map((r) => r.path)).toEqual([expect.stringMatching(/custom-endpoint\/regions$/)]);
  });
});

/**
 * Secrets against upstreams that echo them back: Zilliz answers with the API
 * key in its business error, Huawei IAM and ModelArts with the password (and
 * the AK/SK secret, once the configuration holds one) in their error
 * messages. Through the real sync handler, over several passes (a success, then
 * failures, so status items, `Source Degraded` events and `lastError` are all
 * written), no secret may appear in any stored item (the whole table scanned),
 * any route's response (`/sources` included), any event or any log line.
 * The scan is generic over a list of secret values: the AK/SK secret is
 * configured (HUAWEI_SECRET_KEY) and scanned for whether or not this build
 * signs with it.
 */
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { createCatalogHandler } from '../../lib/catalog/handler';
import { createLogger } from '../../lib/core/log';
import { loadSyncConfig, secretsOf } from '../../lib/sync/config';
import { createSyncHandler } from '../../lib/sync/handler';
import { clearTokenCache } from '../../lib/sync/sources/huawei-iam';
import { startLocalWebhooks } from '../../local/webhooks';
import { call, type TestHandler } from '../support/catalog-event';
import { createHarness, type Harness } from '../support/harness';

const ZILLIZ_KEY = 'zk-echoed-3b7f1c9a6d2e4f80b5c1';
const HUAWEI_PASSWORD = 'hw-echoed-pass-8e2d6a4c1f';
const HUAWEI_SECRET_KEY = 'sk-echoed-5c9e1a7b3d6f2e8a4c0b';
const HUAWEI_ACCESS_KEY = 'AKECHOEDTEST0001';
/** Every secret a deployment holds: add one here and every scan below covers it. */
const SECRETS = [ZILLIZ_KEY, HUAWEI_PASSWORD, HUAWEI_SECRET_KEY];

const context = { functionName: 'sync', awsRequestId: 'echo' } as Context;
let h: Harness;
const lines: string[] = [];

/** The two ways a deployment holds a Huawei secret: the IAM password, or the AK/SK secret key (which wins when both are set). */
async function start(method: 'password' | 'aksk'): Promise<void> {
  clearTokenCache();
  lines.length = 0;
  h = await createHarness({
    zillizKey: ZILLIZ_KEY,
    huaweiPassword: HUAWEI_PASSWORD,
    huaweiKeys: { accessKey: HUAWEI_ACCESS_KEY, secretKey: HUAWEI_SECRET_KEY },
    env: { ...(method === 'aksk' ? { HUAWEI_ACCESS_KEY, HUAWEI_SECRET_KEY } : {}), UPSTREAM_RETRIES: '0' },
  });
}
afterEach(() => h?.close());

function syncHandler() {
  const config = loadSyncConfig(h.env);
  return { config, run: createSyncHandler(config, { log: createLogger({ function: 'sync' }, (l) => lines.push(l), 'debug'), pass: { backoffMs: 5, publish: { backoffMs: 5 } } }) };
}

/** Where a secret was found, for a readable failure. */
function leaks(where: string, text: string): string[] {
  return SECRETS.filter((s) => text.includes(s)).map((s) => `${where} holds ${s.slice(0, 6)}…`);
}

async function scanEverything(): Promise<{ leaks: string[]; sources: unknown }> {
  const found: string[] = [];
  let start: Record<string, unknown> | undefined;
  let items = 0;
  do {
    const out = await h.table.doc.send(new ScanCommand({ TableName: h.table.tableName, ConsistentRead: true, ExclusiveStartKey: start }));
    for (const item of out.Items ?? []) found.push(...leaks(`item ${String(item.pk)}/${String(item.sk)}`, JSON.stringify(item)));
    items += out.Items?.length ?? 0;
    start = out.LastEvaluatedKey;
  } while (start);
  expect(items).toBeGreaterThan(25);
  const catalog = createCatalogHandler({ store: { doc: h.table.doc, table: h.table.tableName }, corsOrigins: ['*'], revalidateMs: 0, maxAgeSeconds: 0 }) as unknown as TestHandler;
  let sources: unknown;
  for (const route of ['/regions', '/regions/zilliz/aws-us-west-2', '/regions/modelarts/cn-north-9', '/sources', '/changes?limit=500', '/openapi.json', '/nope']) {
    const answer = await call(catalog, 'GET', route);
    found.push(...leaks(`GET ${route}`, answer.text + JSON.stringify(answer.headers)));
    if (route === '/sources') sources = answer.json;
  }
  for (const e of h.receiver.events) found.push(...leaks(`event ${e.detailType}`, JSON.stringify(e)));
  for (const line of [...lines, ...h.logLines]) found.push(...leaks(`log line ${line.slice(0, 60)}`, line));
  return { leaks: found, sources };
}

describe('upstreams that echo the secrets back', () => {
  it.each(['password', 'aksk'] as const)('with the Huawei %s: no secret in any stored item, response, event or log line', async (method) => {
    await start(method);
    const { config, run } = syncHandler();
    // What this configuration holds, and so what an upstream can echo: the key, and the password or the AK/SK secret.
    const echo = secretsOf(config).join(' | ');
    expect(echo).toContain(ZILLIZ_KEY);
    expect(echo).toContain(method === 'aksk' ? HUAWEI_SECRET_KEY : HUAWEI_PASSWORD);
    await run({}, context);

    h.zilliz.faults.push({ kind: 'business-error', code: 80002, message: `Invalid Api-Key ${echo} (yours: Bearer ${ZILLIZ_KEY})` }, { times: Infinity, match: { path: '/v1/regions' } });
    h.modelarts.faults.push(
      { kind: 'status', status: 401, body: { error_code: 'APIG.0301', error_msg: `Incorrect IAM authentication information: ${echo}` } },
      { times: Infinity, match: { path: /custom-endpoint/ } },
    );
    const failed = await run({}, context);
    expect(failed.ok).toBe(false);

    // The IAM login itself echoes the password it was sent; signed requests never log in, so there the
    // regions call answers a 500 that carries the secrets.
    clearTokenCache();
    h.modelarts.faults.clear();
    if (method === 'aksk') {
      h.modelarts.faults.push({ kind: 'status', status: 500, body: { error_code: 'ModelArts.0001', error_msg: `internal error: ${echo}` } }, { times: Infinity, match: { path: /custom-endpoint/ } });
    } else {
      h.modelarts.faults.push(
        { kind: 'status', status: 401, body: { error: { code: 401, message: `The username or password is wrong: ${echo}`, title: 'Unauthorized' } } },
        { times: Infinity, match: { path: '/v3/auth/tokens' } },
      );
    }
    // And a 500 whose body carries the secrets.
    h.zilliz.faults.clear();
    h.zilliz.faults.push({ kind: 'status', status: 500, body: { code: 500, message: `upstream dump: ${echo}` } }, { times: Infinity, match: { path: '/v1/regions' } });
    const again = await run({}, context);
    expect(again.ok).toBe(false);

    const { leaks: found, sources } = await scanEverything();
    expect(found).toEqual([]);
    // The error paths really ran: every scope failed twice after a success, with an error shown and a Source Degraded event each.
    const scopes = (sources as { sources: { scope: string; status: string; consecutiveFailures: number; lastError: unknown }[] }).sources;
    expect(scopes.map((s) => [s.status, s.consecutiveFailures])).toEqual(scopes.map(() => ['degraded', 2]));
    expect(scopes.every((s) => s.lastError !== null)).toBe(true);
    expect(h.receiver.events.filter((e) => e.detailType === 'Source Degraded')).toHaveLength(scopes.length);
  });
});

describe('the delivery path', () => {
  it('no upstream secret and no endpoint URL or whsec_ secret in any webhook, header or delivery log line', async () => {
    await start('aksk');
    const { config, run } = syncHandler();
    const echo = secretsOf(config).join(' | ');
    await run({}, context);
    h.zilliz.faults.push({ kind: 'business-error', code: 80002, message: `Invalid Api-Key ${echo}` }, { times: Infinity, match: { path: '/v1/regions' } });
    h.modelarts.faults.push({ kind: 'status', status: 500, body: { error_code: 'ModelArts.0001', error_msg: `internal error: ${echo}` } }, { times: Infinity, match: { path: /custom-endpoint/ } });
    await run({}, context);

    const deliverLines: string[] = [];
    const hooks = await startLocalWebhooks({
      timeScale: 0.0001,
      timeoutMs: 5_000,
      log: createLogger({ function: 'deliver' }, (l) => deliverLines.push(l), 'debug'),
      // A failing endpoint too: its retries and its dead letter log their own lines.
      endpoints: (url, secret) => [
        { name: 'ok', url: `${url}/ok-path-secret`, secret },
        { name: 'failing', url: `${url}/failing-path-secret`, secret },
        { name: 'plain', url: 'http://hooks.example.com/plain-path-secret', secret },
      ],
    });
    try {
      hooks.receiver.script('failing-path-secret', Array.from({ length: 5_000 }, () => ({ status: 500 })));
      for (const e of h.receiver.events) {
        hooks.onEvent({ id: e.eventId, 'detail-type': e.detailType, source: e.source, time: (e.time ?? e.receivedAt).replace(/\.\d{3}Z$/, 'Z'), detail: e.detail });
      }
      await hooks.queue.idle(60_000);
      const ids = (d: { headers: Record<string, string> }[]) => [...new Set(d.map((x) => x.headers['webhook-id']))].sort();
      // Every event reached the endpoint that answers, whatever the failing one did.
      expect(ids(hooks.receiver.delivered())).toEqual(ids(hooks.receiver.requests.filter((d) => d.endpoint === 'failing-path-secret')));
      expect(ids(hooks.receiver.delivered())).toHaveLength(h.receiver.events.length);
      expect(hooks.queue.dead.length).toBeGreaterThan(0);
      expect(h.receiver.events.some((e) => e.detailType === 'Source Degraded')).toBe(true);
      const found: string[] = [];
      for (const d of hooks.receiver.requests) found.push(...leaks(`webhook ${d.endpoint}`, JSON.stringify(d)));
      for (const line of deliverLines) found.push(...leaks(`deliver log ${line.slice(0, 60)}`, line));
      expect(found).toEqual([]);
      const log = deliverLines.join('\n');
      for (const own of ['path-secret', hooks.secret, hooks.secret.slice(6), hooks.receiver.url]) expect(log).not.toContain(own);
      for (const d of hooks.receiver.requests) expect(JSON.stringify(d.body)).not.toContain(hooks.secret.slice(6));
    } finally {
      await hooks.close();
    }
  }, 90_000);
});

/**
 * Only production code registers the secrets with the log redactor, and it
 * must: the tests register none (the harness neither), so each case here
 * fails when the sync handler's registration is removed. For each way a
 * deployment holds a Huawei secret (password, static token, AK/SK secret key)
 * and for the Zilliz key, through each of the handler's two entry points (the
 * Lambda's, which reads the configuration per invocation, and the factory
 * built from a configuration already read): upstreams echo the secrets in
 * their error messages, and none may reach a log line, a stored item or an
 * event. The secrets are fresh for every case, and the harness's own handler
 * is built with stand-ins, so nothing registered earlier in this process can
 * hide a missing registration.
 */
import { randomBytes } from 'node:crypto';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../lib/core/log';
import { loadSyncConfig } from '../../lib/sync/config';
import { createSyncHandler, loadSyncHandler } from '../../lib/sync/handler';
import { clearTokenCache } from '../../lib/sync/sources/huawei-iam';
import { createHarness, type Harness } from '../support/harness';

type Method = 'password' | 'static' | 'aksk';
type Entry = 'loadSyncHandler' | 'createSyncHandler';

const context = { functionName: 'sync', awsRequestId: 'registration' } as Context;
const fresh = (prefix: string) => `${prefix}-${randomBytes(10).toString('hex')}`;
let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** The settings of each Huawei method, with the secret given. */
function huaweiSettings(method: Method, secret: string, accessKey: string): Record<string, string> {
  if (method === 'aksk') return { HUAWEI_ACCESS_KEY: accessKey, HUAWEI_SECRET_KEY: secret };
  if (method === 'static') return { HUAWEI_AUTH_TOKEN: secret };
  return { HUAWEI_PASSWORD: secret };
}

describe('the sync handler registers every secret it holds with the log redactor', () => {
  const cases = (['password', 'static', 'aksk'] as const).flatMap((method) => (['loadSyncHandler', 'createSyncHandler'] as const).map((entry) => [method, entry] as const));

  it.each(cases)('Huawei %s and the Zilliz key, through %s: echoed secrets reach no log line, stored item or event', async (method: Method, entry: Entry) => {
    clearTokenCache();
    const zillizKey = fresh('zk');
    const huaweiSecret = fresh(method === 'aksk' ? 'sk' : method === 'static' ? 'tok' : 'pw');
    const accessKey = `AKREG${randomBytes(6).toString('hex').toUpperCase()}`;
    h = await createHarness({
      zillizKey,
      huaweiPassword: method === 'password' ? huaweiSecret : fresh('pw'),
      huaweiKeys: { accessKey, secretKey: method === 'aksk' ? huaweiSecret : fresh('sk') },
      huaweiStaticToken: method === 'static' ? huaweiSecret : fresh('tok'),
      // The harness's own handler holds stand-ins only: it registers none of this case's secrets.
      env: { ZILLIZ_API_KEY: fresh('stand-in-zk'), HUAWEI_PASSWORD: fresh('stand-in-pw'), UPSTREAM_RETRIES: '0' },
    });
    const env = { ...h.env, ZILLIZ_API_KEY: zillizKey, ...huaweiSettings(method, huaweiSecret, accessKey) };
    const secrets = [zillizKey, huaweiSecret];
    h.zilliz.faults.push({ kind: 'business-error', code: 80002, message: `Invalid Api-Key: ${zillizKey}` }, { times: Infinity });
    h.modelarts.faults.push(
      { kind: 'status', status: 500, body: { error_code: 'ModelArts.0001', error_msg: `internal error, credentials ${huaweiSecret}` } },
      { times: Infinity, match: { path: /custom-endpoint/ } },
    );

    const lines: string[] = [];
    const log = createLogger({ function: 'sync' }, (line) => lines.push(line), 'debug');
    const pass = { backoffMs: 5, publish: { backoffMs: 5 } };
    const handler = entry === 'loadSyncHandler' ? await loadSyncHandler({ env, log, pass }) : createSyncHandler(loadSyncConfig(env), { log, pass });
    const summary = await handler({}, context);
    // Both sources failed with the echo, so the secrets were in the errors the pass recorded and logged.
    expect(summary.scopes.length).toBeGreaterThan(1);
    expect(summary.scopes.every((s) => s.outcome === 'failed')).toBe(true);

    const items: unknown[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await h.table.doc.send(new ScanCommand({ TableName: h.table.tableName, ConsistentRead: true, ExclusiveStartKey: start }));
      items.push(...(out.Items ?? []));
      start = out.LastEvaluatedKey;
    } while (start);
    const stored = JSON.stringify(items);
    const written = [stored, ...lines, JSON.stringify(h.receiver.events)];
    for (const secret of secrets) expect(written.filter((text) => text.includes(secret)).map((text) => text.slice(0, 120))).toEqual([]);
    // The echoes did reach the stored errors, scrubbed: the scan above looked where a secret would be.
    expect(stored).toContain('Invalid Api-Key: [REDACTED]');
    expect(stored).toContain('internal error, credentials [REDACTED]');
  });
});

/**
 * The sync handler's early timeout (middy's `timeoutEarlyInMillis` signal):
 * when the invocation nears its Lambda timeout, the upstream phase ends at
 * once, the scopes still waiting fail with `deadline`, and what was fetched is
 * committed and published inside the remaining time. The pass deadline is set
 * far beyond, so only the Lambda's remaining time can have ended it.
 */
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEventBridgeClient } from '../../lib/sync/eventbridge';
import { COMMIT_RESERVE_MS, createSyncHandler } from '../../lib/sync/handler';
import { createLogger } from '../../lib/core/log';
import { createHarness, type Harness } from '../support/harness';

let h: Harness;
beforeAll(async () => {
  h = await createHarness({ env: { UPSTREAM_TIMEOUT_MS: '20000', UPSTREAM_RETRIES: '0', PASS_DEADLINE_MS: '60000' } });
});
afterAll(() => h?.close());

describe('the sync handler near its Lambda timeout', () => {
  it('ends the upstream phase, fails the hung scopes with deadline and still commits and publishes the rest', async () => {
    h.zilliz.faults.push({ kind: 'hang' }, { times: Infinity, match: { path: '/v1/regions' } });
    const events = createEventBridgeClient({ region: 'us-east-1', endpoint: h.receiver.endpoint });
    const handler = createSyncHandler(h.config, {
      store: { doc: h.table.doc, table: h.table.tableName },
      events,
      log: createLogger({}, () => undefined),
      pass: { backoffMs: 5, publish: { backoffMs: 5 } },
    });
    // 3 s of this invocation left beyond the commit reserve: enough for ModelArts, not for a hung Zilliz.
    const deadline = Date.now() + COMMIT_RESERVE_MS + 3_000;
    const context = { functionName: 'sync', awsRequestId: 'near-timeout', getRemainingTimeInMillis: () => deadline - Date.now() } as Context;
    const started = Date.now();
    try {
      const summary = await handler({}, context);
      // Before the hung request's own 20 s timeout (and the 60 s pass deadline): only middy's early abort ends it
      // this soon, and the `deadline` codes below say so too.
      expect(Date.now() - started).toBeLessThan(19_000);
      const zilliz = summary.scopes.filter((s) => s.source === 'zilliz');
      expect(zilliz.length).toBeGreaterThan(0);
      expect(zilliz.every((s) => s.outcome === 'failed' && s.error?.code === 'deadline')).toBe(true);
      expect(summary.scopes.find((s) => s.source === 'modelarts')).toMatchObject({ outcome: 'ok', added: 4 });
      // Committed and published: the receiver's log, not the pass's own records.
      const received = h.receiver.events.filter((e) => e.detailType === 'Region Added').map((e) => (e.detail as { regionKey: string }).regionKey);
      expect(received.filter((k) => k.startsWith('modelarts:'))).toHaveLength(4);
      expect(received.filter((k) => k.startsWith('zilliz:'))).toHaveLength(0);
    } finally {
      events.destroy();
    }
  });
});

/**
 * The fault matrix: every upstream fault on each source, EventBridge entry
 * failures and outage, DynamoDB throttling and errors, crashes at each point,
 * 8 concurrent passes, the mass-removal hold, and HTTP fuzzing. Each scenario
 * ends with the catalog equal to the upstream truth and asserts the goal row:
 * lost 0, duplicated 0, false removals 0. The table is printed at the end
 * (and written to .local/fault-matrix.md).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { createCatalogHandler } from '../../lib/catalog/handler';
import type { CrashPoint } from '../../lib/core/crash';
import { PUBLISH_KEY } from '../../lib/store/items';
import { startDynamoFaultProxy } from '../../local/dynamo-fault-proxy';
import type { Fault } from '../../local/simulators';
import { runPassInChild } from '../support/child';
import { createHarness, SAMPLE_REGIONS, type Harness, type HarnessOptions } from '../support/harness';
import { audit, catalogKeys, formatTable, upstreamKeys, type Expected, type Row } from './audit';

const rows: Row[] = [];
let fuzzLine = '';

afterAll(() => {
  const table = `${formatTable(rows)}\n${fuzzLine}`;
  console.log(`\nfault matrix\n${table}\n`);
  mkdirSync('.local', { recursive: true });
  writeFileSync('.local/fault-matrix.md', `${table}\n`);
});

const baseline = (h: Harness): Expected[] => [...upstreamKeys(h)].map((regionKey) => ({ type: 'region.added', regionKey }));

/** Runs a scenario on a fresh bench, audits it, and asserts the goal row and convergence. */
async function scenario(
  name: string,
  run: (h: Harness, expected: Expected[]) => Promise<{ passes: number; reallyRemoved?: Set<string> }>,
  options: HarnessOptions = {},
): Promise<void> {
  // The seed's shape: the audit's independent normaliser (the chaos model) reads the simulator's data as answered.
  const h = await createHarness({ zillizShape: 'seed', ...options });
  try {
    const expected = baseline(h);
    const { passes, reallyRemoved = new Set() } = await run(h, expected);
    const row = await audit(h, name, passes, expected, reallyRemoved);
    rows.push(row);
    expect({ lost: row.lost, duplicates: row.duplicates, falseRemovals: row.falseRemovals, wrongContent: row.wrongContent }).toEqual({ lost: 0, duplicates: 0, falseRemovals: 0, wrongContent: 0 });
    expect(row.recorded).toBe(row.expected);
    expect(await catalogKeys(h)).toEqual(upstreamKeys(h));
  } finally {
    await h.close();
  }
}

const UPSTREAM_FAULTS: [string, Fault][] = [
  ['HTTP 500', { kind: 'status', status: 500 }],
  ['HTTP 503', { kind: 'status', status: 503 }],
  ['429 + Retry-After', { kind: 'rate-limit', retryAfterSeconds: 0 }],
  ['hang', { kind: 'hang' }],
  ['malformed JSON', { kind: 'malformed-json' }],
  ['HTML body', { kind: 'html' }],
  ['empty list', { kind: 'empty-list' }],
  ['item missing id', { kind: 'missing-id' }],
  ['business error', { kind: 'business-error' }],
  ['short list', { kind: 'short-list', keep: 1 }],
  ['connection reset', { kind: 'reset' }],
];

describe('upstream faults', () => {
  for (const source of ['zilliz', 'modelarts'] as const) {
    it.each(UPSTREAM_FAULTS)(`${source}: %s`, async (label, fault) => {
      await scenario(`${source}: ${label}`, async (h, expected) => {
        await h.pass();
        const sim = source === 'zilliz' ? h.zilliz : h.modelarts;
        sim.faults.push(fault, { times: Infinity, match: { path: source === 'zilliz' ? '/v1/regions' : /custom-endpoint/ } });
        // Real changes in both sources while the fault lasts: the healthy source's commit at once,
        // the faulty source's wait for its recovery, and then commit with the upstream's content.
        h.modelarts.addRegion({ region_id: 'ap-southeast-9', locales: { en_us: 'AP-New', zh_cn: '亚太-新' } });
        h.modelarts.updateRegion('cn-north-12', { locales: { en_us: 'CN North-Ulanqab-202 (renamed)', zh_cn: '华北-乌兰察布二零二' } });
        h.zilliz.updateRegion('gcp', 'gcp-us-east4', { apiBaseUrl: 'https://new.gcp-us-east4.example' });
        h.zilliz.addRegion('azure', { regionId: 'az-westus9', apiBaseUrl: 'https://api.az-westus9.example' });
        expected.push(
          { type: 'region.added', regionKey: 'modelarts:ap-southeast-9' },
          { type: 'region.changed', regionKey: 'modelarts:cn-north-12' },
          { type: 'region.changed', regionKey: 'zilliz:gcp-us-east4' },
          { type: 'region.added', regionKey: 'zilliz:az-westus9' },
        );
        await h.pass();
        const during = new Set((await h.committedChanges()).map((c) => `${c.type} ${c.regionKey}`));
        // During the fault, only the healthy source's changes are in.
        expect(during.has('region.added modelarts:ap-southeast-9')).toBe(source === 'zilliz');
        expect(during.has('region.changed zilliz:gcp-us-east4')).toBe(source === 'modelarts');
        await h.pass();
        sim.faults.clear();
        await h.pass();
        return { passes: 4 };
      });
    });
  }
});

describe('EventBridge faults', () => {
  it('entry failures', async () => {
    await scenario('EventBridge: entry failures', async (h) => {
      h.receiver.faults.failIf((e) => (e.detail as { after?: { cloudId?: string } }).after?.cloudId === 'gcp');
      h.receiver.faults.failEntries(3);
      await h.pass();
      h.receiver.faults.clear();
      await h.pass();
      return { passes: 2 };
    });
  });

  it('outage over two passes', async () => {
    await scenario('EventBridge: outage', async (h, expected) => {
      h.receiver.faults.outage(true);
      await h.pass();
      h.zilliz.removeRegion('azure', 'az-eastus2');
      expected.push({ type: 'region.removed', regionKey: 'zilliz:az-eastus2' });
      await h.pass();
      h.receiver.faults.outage(false);
      await h.pass();
      return { passes: 3, reallyRemoved: new Set(['zilliz:az-eastus2']) };
    });
  });
});

describe('DynamoDB faults', () => {
  for (const [label, fault, times] of [
    ['throttled commit (retried)', 'throttle', 2],
    // The SDK makes 5 attempts: 5 errors fail the first pass's commit, the next pass commits.
    ['internal errors beyond retries', 'internal-error', 5],
  ] as const) {
    it(label, async () => {
      const direct = await createHarness();
      const endpoint = direct.table.endpoint;
      await direct.close();
      const proxy = await startDynamoFaultProxy(endpoint);
      try {
        await scenario(
          `DynamoDB: ${label}`,
          async (h) => {
            proxy.inject('TransactWriteItems', fault, times);
            const first = await h.pass();
            if (fault === 'internal-error') expect(first.ok).toBe(false);
            await h.pass();
            expect(proxy.injected).toBe(times);
            return { passes: 2 };
          },
          { storeEndpoint: proxy.endpoint },
        );
      } finally {
        await proxy.close();
      }
    });
  }
});

describe('concurrency', () => {
  it('8 concurrent passes', async () => {
    await scenario('8 concurrent passes', async (h) => {
      await Promise.all(Array.from({ length: 8 }, () => h.pass()));
      await h.pass();
      return { passes: 9 };
    });
  });
});

describe('crashes', () => {
  it.each<CrashPoint>(['after-fetch', 'after-commit', 'during-publish', 'after-publish'])('killed %s', async (point) => {
    await scenario(`crash ${point}`, async (h) => {
      const child = await runPassInChild({ ...h.env, REGION_SYNC_CRASH_AT: point });
      expect(child.signal).toBe('SIGKILL');
      // The dead pass's lease expires with time; here, at once.
      await h.table.doc
        .send(new UpdateCommand({ TableName: h.table.tableName, Key: PUBLISH_KEY, UpdateExpression: 'SET leaseUntil = :p', ConditionExpression: 'attribute_exists(pk)', ExpressionAttributeValues: { ':p': 0 } }))
        .catch(() => undefined);
      await h.pass();
      return { passes: 2 };
    });
  });
});

describe('mass-removal hold', () => {
  it('a short list for two passes, then the full list again: nothing removed', async () => {
    await scenario('hold: glitch that recovers', async (h) => {
      await h.pass();
      h.zilliz.faults.push({ kind: 'short-list', keep: 1 }, { times: Infinity, match: { path: '/v1/regions' } });
      await h.pass();
      await h.pass();
      h.zilliz.faults.clear();
      await h.pass();
      return { passes: 4 };
    }, { env: { REMOVAL_HOLD_PASSES: '3', REMOVAL_HOLD_MINUTES: '0' } });
  });

  it('a real mass removal commits after three confirming passes', async () => {
    await scenario('hold: real removal confirmed', async (h, expected) => {
      await h.pass();
      const aws = h.zilliz.data.regions.aws ?? [];
      const removed = aws.slice(1).map((r) => `zilliz:${r.regionId}`);
      h.zilliz.data.regions.aws = aws.slice(0, 1);
      for (const regionKey of removed) expected.push({ type: 'region.removed', regionKey });
      await h.pass();
      await h.pass();
      expect((await h.committedChanges()).filter((c) => c.type === 'region.removed')).toHaveLength(0);
      await h.pass();
      return { passes: 4, reallyRemoved: new Set(removed) };
    }, { env: { REMOVAL_HOLD_PASSES: '3', REMOVAL_HOLD_MINUTES: '0' } });
  });
});

describe('HTTP fuzzing', () => {
  it('1,000 generated requests: never a 5xx, every error problem+json', async () => {
    const h = await createHarness();
    try {
      await h.pass();
      const handler = createCatalogHandler({ store: { doc: h.table.doc, table: h.table.tableName }, corsOrigins: ['*'], revalidateMs: 2000, maxAgeSeconds: 30 });
      let requests = 0;
      let serverErrors = 0;
      let badErrors = 0;
      const segment = fc.oneof(fc.constantFrom('regions', 'sources', 'changes', 'openapi.json', 'zilliz', 'modelarts', '..', '%2e%2e', '%00', 'aws-us-west-2'), fc.string({ maxLength: 12 }));
      const query = fc.dictionary(fc.constantFrom('source', 'cloudId', 'since', 'limit', 'x'), fc.string({ maxLength: 40 }), { maxKeys: 3 });
      await fc.assert(
        fc.asyncProperty(fc.array(segment, { maxLength: 4 }), query, fc.constantFrom('GET', 'HEAD', 'POST', 'DELETE', 'OPTIONS'), fc.string({ maxLength: 30 }), async (segments, q, method, etag) => {
          const rawPath = `/${segments.map((s) => encodeURIComponent(s)).join('/')}`;
          const rawQueryString = new URLSearchParams(q).toString();
          const event = {
            version: '2.0', routeKey: '$default', rawPath, rawQueryString, queryStringParameters: q,
            headers: { 'if-none-match': etag, 'accept-encoding': 'gzip' },
            requestContext: { http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'fuzz' }, requestId: 'fuzz', routeKey: '$default', stage: '$default', timeEpoch: 0 },
            isBase64Encoded: false,
          };
          const res = (await handler(event as never, {} as never)) as { statusCode: number; headers?: Record<string, string> };
          requests += 1;
          if (res.statusCode >= 500) serverErrors += 1;
          if (res.statusCode >= 400 && !String(res.headers?.['Content-Type'] ?? res.headers?.['content-type']).startsWith('application/problem+json')) badErrors += 1;
          return res.statusCode < 500;
        }),
        { numRuns: 1000 },
      );
      fuzzLine = `HTTP fuzzing: ${requests} generated requests, ${serverErrors} answered 5xx, ${badErrors} errors not problem+json`;
      expect(serverErrors).toBe(0);
      expect(badErrors).toBe(0);
    } finally {
      await h.close();
    }
  });
});

export { SAMPLE_REGIONS };

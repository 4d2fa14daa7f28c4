/**
 * The cheapest bench sections at tiny sizes, to prove they work (no timing
 * is asserted): the warm catalog handler measured in its own bundled process
 * on a table a real pass filled, and the BatchWriteItem limit of the scale
 * figures, which must write exactly the items the pass left (checked by
 * scanning both tables).
 */
import { rmSync } from 'node:fs';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { measureCatalogHandler } from '../../bench/catalog-handler';
import { BUILD_DIR } from '../../bench/ipc';
import { createSyncBench, freshTable, sampleWithClouds, type BenchTable, type SyncBench } from '../../bench/support';
import { batchWrite, readItems, uniqueKeys, writtenKeys } from '../../bench/writes';

const endpoint = inject('dynamoEndpoint');

async function scanAll(table: BenchTable): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await table.doc.send(new ScanCommand({ TableName: table.tableName, ExclusiveStartKey: start }));
    items.push(...(out.Items ?? []));
    start = out.LastEvaluatedKey;
  } while (start);
  return items.sort((a, b) => `${String(a.pk)}#${String(a.sk)}`.localeCompare(`${String(b.pk)}#${String(b.sk)}`));
}

describe('bench sections at tiny sizes', () => {
  let bench: SyncBench;
  let regions: number;
  beforeAll(async () => {
    bench = await createSyncBench({ endpoint, zilliz: sampleWithClouds(1, 3) });
    const summary = await bench.pass();
    expect(summary.ok).toBe(true);
    regions = summary.scopes.reduce((n, s) => n + s.regions, 0);
  }, 60_000);
  afterAll(async () => {
    await bench?.close();
    rmSync(BUILD_DIR, { recursive: true, force: true });
  });

  it('measures the warm catalog handler: every timed call answered, percentiles ordered, the catalog complete in every encoding', async () => {
    const f = await measureCatalogHandler(endpoint, bench.table.tableName, { iterations: 300, warmup: 20 });
    expect(f.regions).toBe(regions);
    for (const p of [f.ok, f.notModified]) {
      expect(p.calls).toBe(300);
      expect(p.p50Ms).toBeGreaterThan(0);
      expect(p.p50Ms).toBeLessThanOrEqual(p.p99Ms);
      expect(p.p99Ms).toBeLessThanOrEqual(p.maxMs);
    }
    expect(f.br.bytes).toBeGreaterThan(0);
    expect(f.br.bytes).toBeLessThan(f.identity.bytes);
    // A compressed body travels base64 in the Lambda response.
    expect(f.br.lambdaResponseBytes).toBe(Math.ceil(f.br.bytes / 3) * 4);
  }, 60_000);

  it('writes with BatchWriteItem exactly the items a pass left, deleting what it deleted', async () => {
    const source = await scanAll(bench.table);
    const keys = source.map((i) => ({ pk: String(i.pk), sk: String(i.sk) }));
    const gone = { pk: 'REGION', sk: 'zilliz/none#gone' };
    const copy = await freshTable(endpoint);
    try {
      const requests = await readItems(bench.table.doc, bench.table.tableName, [...keys, gone]);
      expect(requests.filter((r) => 'delete' in r)).toEqual([{ delete: gone }]);
      const figures = await batchWrite(copy.doc, copy.tableName, requests);
      expect(figures.items).toBe(keys.length + 1);
      expect(figures.calls).toBeGreaterThanOrEqual(Math.ceil((keys.length + 1) / 25));
      expect(await scanAll(copy)).toEqual(source);
    } finally {
      await copy.drop();
    }
  }, 60_000);

  it('reads the written keys from each kind of write command, once each', () => {
    const keys = [
      ...writtenKeys('TransactWriteCommand', {
        TransactItems: [
          { Update: { Key: { pk: 'SEQ', sk: 'SEQ' } } },
          { Put: { Item: { pk: 'REGION', sk: 'a#1', body: '{}' } } },
          { Delete: { Key: { pk: 'REGION', sk: 'a#2' } } },
          { ConditionCheck: { Key: { pk: 'SCOPE', sk: 'a' } } },
        ],
      }),
      ...writtenKeys('UpdateCommand2', { Key: { pk: 'STATUS', sk: 'a' } }),
      ...writtenKeys('PutCommand', { Item: { pk: 'REGION', sk: 'a#1' } }),
      ...writtenKeys('QueryCommand', { KeyConditionExpression: 'pk = :pk' }),
    ];
    expect(uniqueKeys(keys)).toEqual([
      { pk: 'SEQ', sk: 'SEQ' },
      { pk: 'REGION', sk: 'a#1' },
      { pk: 'REGION', sk: 'a#2' },
      { pk: 'STATUS', sk: 'a' },
    ]);
  });
});

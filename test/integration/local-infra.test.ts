/**
 * The local infrastructure the other suites stand on: the table definition read
 * from serverless.yml, fresh tables on the shared DynamoDB Local, and the
 * EventBridge / SSM receivers as seen by the real AWS SDK clients.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  ListTablesCommand,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { GetCommand, PutCommand, ScanCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { GetParameterCommand, GetParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startEventReceiver, type EventReceiver } from '../../local/event-receiver';
import { startSsmReceiver } from '../../local/ssm-receiver';
import { ensureTable, tableDefinitionFromServerless } from '../../local/table';
import { freshTable, type FreshTable } from '../support/db';

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

describe('table definition', () => {
  it('is RegionTable from serverless.yml under the requested name', () => {
    const definition = tableDefinitionFromServerless('my_table');
    expect(definition.TableName).toBe('my_table');
    expect(definition.KeySchema).toEqual([
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ]);
    expect(definition.AttributeDefinitions).toEqual([
      { AttributeName: 'pk', AttributeType: 'S' },
      { AttributeName: 'sk', AttributeType: 'S' },
    ]);
    expect(definition.BillingMode).toBe('PAY_PER_REQUEST');
    expect(definition.TimeToLiveSpecification).toEqual({ AttributeName: 'expiresAt', Enabled: true });
  });

  it('reads CloudFormation short-form tags and indexes', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'table-def-'));
    try {
      const file = join(dir, 'serverless.yml');
      const original = readFileSync(new URL('../../serverless.yml', import.meta.url), 'utf8');
      await writeFile(
        file,
        `${original}\n    Extra:\n      Type: AWS::SNS::Topic\n      Properties:\n        TopicName: !Sub '\${AWS::StackName}-x'\n        Tags: [{ Key: a, Value: !GetAtt RegionTable.Arn }]\n`.replace(
          '        TimeToLiveSpecification:',
          [
            '        GlobalSecondaryIndexes:',
            '          - IndexName: byType',
            '            KeySchema: [{ AttributeName: sk, KeyType: HASH }]',
            '            Projection: { ProjectionType: KEYS_ONLY }',
            '        StreamSpecification: { StreamViewType: NEW_AND_OLD_IMAGES }',
            '        TimeToLiveSpecification:',
          ].join('\n'),
        ),
      );
      const definition = tableDefinitionFromServerless('x', file);
      expect(definition.GlobalSecondaryIndexes).toEqual([
        { IndexName: 'byType', KeySchema: [{ AttributeName: 'sk', KeyType: 'HASH' }], Projection: { ProjectionType: 'KEYS_ONLY' } },
      ]);
      expect(definition.StreamSpecification).toEqual({ StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('freshTable', () => {
  let table: FreshTable;
  beforeAll(async () => {
    table = await freshTable();
  });
  afterAll(async () => {
    await table.drop();
  });

  it('is an empty ACTIVE table with TTL on expiresAt', async () => {
    const { Table } = await table.raw.send(new DescribeTableCommand({ TableName: table.tableName }));
    expect(Table?.TableStatus).toBe('ACTIVE');
    expect(table.tableName).toMatch(/^t_[0-9a-f]{12}$/);
    const { Count } = await table.doc.send(new ScanCommand({ TableName: table.tableName, Select: 'COUNT' }));
    expect(Count).toBe(0);
    const ttl = await table.raw.send(new DescribeTimeToLiveCommand({ TableName: table.tableName }));
    expect(ttl.TimeToLiveDescription).toMatchObject({ AttributeName: 'expiresAt', TimeToLiveStatus: 'ENABLED' });
  });

  it('ensureTable is idempotent', async () => {
    expect(await ensureTable(table.doc, table.tableName)).toBe('exists');
  });

  it('stores and reads items through the document client', async () => {
    const item = { pk: 'REGION#zilliz#aws-us-east-1', sk: 'V#1', name: 'N. Virginia', tags: ['a', 'b'] };
    await table.doc.send(new PutCommand({ TableName: table.tableName, Item: item }));
    const { Item } = await table.doc.send(new GetCommand({ TableName: table.tableName, Key: { pk: item.pk, sk: item.sk } }));
    expect(Item).toEqual(item);
  });

  it('cancels a transaction with a failing condition and reports the reasons', async () => {
    await table.doc.send(new PutCommand({ TableName: table.tableName, Item: { pk: 'P', sk: 'A', n: 1 } }));
    const attempt = table.doc.send(
      new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName: table.tableName, Item: { pk: 'P', sk: 'B', n: 2 } } },
          {
            Put: {
              TableName: table.tableName,
              Item: { pk: 'P', sk: 'A', n: 3 },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
        ],
      }),
    );
    const error: unknown = await attempt.then(
      () => undefined,
      (failure: unknown) => failure,
    );
    expect(error).toBeInstanceOf(TransactionCanceledException);
    if (!(error instanceof TransactionCanceledException)) return;
    expect(error.CancellationReasons?.map((reason) => reason.Code)).toEqual(['None', 'ConditionalCheckFailed']);
    const { Item } = await table.doc.send(new GetCommand({ TableName: table.tableName, Key: { pk: 'P', sk: 'B' } }));
    expect(Item).toBeUndefined();
  });

  it('gives each call its own table', async () => {
    const other = await freshTable();
    try {
      expect(other.tableName).not.toBe(table.tableName);
      const { TableNames } = await other.raw.send(new ListTablesCommand({}));
      expect(TableNames).toEqual(expect.arrayContaining([table.tableName, other.tableName]));
      const { Count } = await other.doc.send(new ScanCommand({ TableName: other.tableName, Select: 'COUNT' }));
      expect(Count).toBe(0);
    } finally {
      await other.drop();
    }
    const { TableNames } = await table.raw.send(new ListTablesCommand({}));
    expect(TableNames).not.toContain(other.tableName);
  });
});

describe('EventBridge receiver', () => {
  let receiver: EventReceiver;
  let client: EventBridgeClient;
  let logDir: string;
  const entry = (n: number): PutEventsRequestEntry => ({
    Source: 'region-sync',
    DetailType: 'Region Added',
    Detail: JSON.stringify({ id: `c${n}`, type: 'added', regionKey: `zilliz#r${n}` }),
    EventBusName: 'region-sync-test',
  });

  beforeAll(async () => {
    logDir = await mkdtemp(join(tmpdir(), 'events-'));
    receiver = await startEventReceiver({ logFile: join(logDir, 'events.jsonl') });
    client = new EventBridgeClient({ endpoint: receiver.endpoint, region: 'us-east-1', credentials, maxAttempts: 1 });
  });
  afterEach(() => {
    receiver.faults.clear();
    receiver.clear();
  });
  afterAll(async () => {
    client.destroy();
    await receiver.close();
    await rm(logDir, { recursive: true, force: true });
  });

  it('binds 127.0.0.1 on a free port', () => {
    expect(receiver.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('accepts PutEvents from the real SDK client and records the events', async () => {
    const time = new Date('2025-01-02T03:04:05Z');
    const result = await client.send(new PutEventsCommand({ Entries: [{ ...entry(1), Time: time }, entry(2)] }));
    expect(result.FailedEntryCount).toBe(0);
    expect(result.Entries).toHaveLength(2);
    expect(result.Entries?.every((e) => typeof e.EventId === 'string')).toBe(true);
    expect(receiver.calls).toBe(1);
    expect(receiver.events.map((e) => e.eventId)).toEqual(result.Entries?.map((e) => e.EventId));
    expect(receiver.events[0]).toMatchObject({
      source: 'region-sync',
      detailType: 'Region Added',
      detail: { id: 'c1', type: 'added', regionKey: 'zilliz#r1' },
      busName: 'region-sync-test',
      time: time.toISOString(),
    });
    const lines = readFileSync(join(logDir, 'events.jsonl'), 'utf8').trim().split('\n');
    expect(lines.map((line) => (JSON.parse(line) as { eventId: string }).eventId)).toEqual(result.Entries?.map((e) => e.EventId));
  });

  it('answers a partial failure the SDK reports through FailedEntryCount', async () => {
    receiver.faults.failEntries(1);
    const result = await client.send(new PutEventsCommand({ Entries: [entry(1), entry(2), entry(3)] }));
    expect(result.FailedEntryCount).toBe(1);
    expect(result.Entries?.[0]).toMatchObject({ ErrorCode: 'InternalFailure' });
    expect(result.Entries?.[0]?.EventId).toBeUndefined();
    expect(result.Entries?.[1]?.EventId).toEqual(expect.any(String));
    expect(receiver.events.map((e) => (e.detail as { id: string }).id)).toEqual(['c2', 'c3']);
  });

  it('fails entries chosen by a predicate', async () => {
    receiver.faults.failIf((incoming) => (incoming.detail as { id?: string }).id === 'c2', 'ThrottlingException');
    const result = await client.send(new PutEventsCommand({ Entries: [entry(1), entry(2)] }));
    expect(result.FailedEntryCount).toBe(1);
    expect(result.Entries?.[1]).toMatchObject({ ErrorCode: 'ThrottlingException' });
    expect(receiver.events).toHaveLength(1);
  });

  it('rejects malformed entries per entry, like EventBridge', async () => {
    const result = await client.send(
      new PutEventsCommand({ Entries: [{ ...entry(1), Detail: 'not json' }, { ...entry(2), Source: undefined }, entry(3)] }),
    );
    expect(result.FailedEntryCount).toBe(2);
    expect(result.Entries?.map((e) => e.ErrorCode)).toEqual(['MalformedDetail', 'InvalidArgument', undefined]);
  });

  it('rejects more than 10 entries per call', async () => {
    const entries = Array.from({ length: 11 }, (_, n) => entry(n));
    await expect(client.send(new PutEventsCommand({ Entries: entries }))).rejects.toMatchObject({ name: 'ValidationException' });
    expect(receiver.events).toHaveLength(0);
  });

  it('fails whole calls during an outage, and the SDK throws after its retries', async () => {
    receiver.faults.outage(true);
    await expect(client.send(new PutEventsCommand({ Entries: [entry(1)] }))).rejects.toMatchObject({
      name: 'InternalException',
      $metadata: { httpStatusCode: 500 },
    });
    const retrying = new EventBridgeClient({ endpoint: receiver.endpoint, region: 'us-east-1', credentials, maxAttempts: 2 });
    try {
      receiver.clear();
      await expect(retrying.send(new PutEventsCommand({ Entries: [entry(1)] }))).rejects.toMatchObject({ name: 'InternalException' });
      expect(receiver.calls).toBe(2);
    } finally {
      retrying.destroy();
    }
    expect(receiver.events).toHaveLength(0);
    receiver.faults.outage(false);
    const result = await client.send(new PutEventsCommand({ Entries: [entry(1)] }));
    expect(result.FailedEntryCount).toBe(0);
  });

  it('waitFor resolves once enough events have arrived', async () => {
    const waiting = receiver.waitFor(2, 2_000);
    await client.send(new PutEventsCommand({ Entries: [entry(1), entry(2)] }));
    await expect(waiting).resolves.toHaveLength(2);
    await expect(receiver.waitFor(3, 50)).rejects.toThrow(/expected 3 events/);
  });

  it('close() ends the server even with kept-alive SDK connections', async () => {
    const other = await startEventReceiver();
    const otherClient = new EventBridgeClient({ endpoint: other.endpoint, region: 'us-east-1', credentials, maxAttempts: 1 });
    await otherClient.send(new PutEventsCommand({ Entries: [entry(1)] }));
    await other.close();
    await expect(otherClient.send(new PutEventsCommand({ Entries: [entry(1)] }))).rejects.toThrow();
    otherClient.destroy();
  });
});

describe('SSM receiver', () => {
  it('serves SecureString parameters to the real SSMClient', async () => {
    const ssm = await startSsmReceiver({ parameters: { '/region-sync/zilliz-api-key': 'zk-123', '/region-sync/huawei-password': 'pw' } });
    const client = new SSMClient({ endpoint: ssm.endpoint, region: 'us-east-1', credentials, maxAttempts: 1 });
    try {
      expect(ssm.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const many = await client.send(
        new GetParametersCommand({ Names: ['/region-sync/zilliz-api-key', '/region-sync/missing'], WithDecryption: true }),
      );
      expect(many.Parameters).toHaveLength(1);
      expect(many.Parameters?.[0]).toMatchObject({
        Name: '/region-sync/zilliz-api-key',
        Type: 'SecureString',
        Value: 'zk-123',
        Version: 1,
        ARN: 'arn:aws:ssm:us-east-1:000000000000:parameter/region-sync/zilliz-api-key',
      });
      expect(many.InvalidParameters).toEqual(['/region-sync/missing']);

      const one = await client.send(new GetParameterCommand({ Name: '/region-sync/huawei-password', WithDecryption: true }));
      expect(one.Parameter?.Value).toBe('pw');
      await expect(client.send(new GetParameterCommand({ Name: '/nope' }))).rejects.toMatchObject({ name: 'ParameterNotFound' });

      ssm.set('/region-sync/huawei-password', 'rotated');
      const rotated = await client.send(new GetParameterCommand({ Name: '/region-sync/huawei-password' }));
      expect(rotated.Parameter).toMatchObject({ Value: 'rotated', Version: 2 });
      expect(ssm.calls).toBe(4);
    } finally {
      client.destroy();
      await ssm.close();
    }
  });
});

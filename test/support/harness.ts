/**
 * One sync test bench: a fresh table on the run's DynamoDB Local, both
 * upstream simulators and the PutEvents receiver on real sockets, and a
 * `pass()` that runs the real sync handler (lib/sync/handler, as the Lambda
 * entry point builds it) against them. Log lines are captured
 * so tests can read them (and check no secret is in any).
 */
import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { loadSyncConfig, type SyncConfig } from '../../lib/sync/config';
import { createEventBridgeClient } from '../../lib/sync/eventbridge';
import { createLogger, registerSecret } from '../../lib/core/log';
import { createDocumentClient } from '../../lib/store/client';
import type { Change } from '../../lib/core/region';
import { clearTokenCache } from '../../lib/sync/sources/huawei-iam';
import { decodeChanges, PK, type ChangesItem } from '../../lib/store/items';
import { attachMeter, type Meter } from '../../bench/meter';
import { createSyncHandler } from '../../lib/sync/handler';
import type { PassSummary } from '../../lib/sync/pass';
import { startEventReceiver, type EventReceiver } from '../../local/event-receiver';
import { simulatorEnv, startModelartsSimulator, startZillizSimulator, type ModelartsSimulator, type ZillizSimulator } from '../../local/simulators';
import { freshTable } from './db';

export interface Harness {
  zilliz: ZillizSimulator;
  modelarts: ModelartsSimulator;
  receiver: EventReceiver;
  config: SyncConfig;
  env: Record<string, string>;
  table: Awaited<ReturnType<typeof freshTable>>;
  logLines: string[];
  pass(options?: { meter?: Meter }): Promise<PassSummary>;
  /** Every change committed, in sequence order, read from the changesets. */
  committedChanges(): Promise<Change[]>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  env?: Record<string, string>;
  /** Where the pass reaches DynamoDB (a fault proxy); the harness's own reads stay direct. */
  storeEndpoint?: string;
  zillizKey?: string;
  huaweiPassword?: string;
  /** The AK/SK pair the ModelArts simulator accepts (its defaults otherwise). */
  huaweiKeys?: { accessKey: string; secretKey: string };
}

/** No getRemainingTimeInMillis: middy sets no early timeout, the pass is bounded by PASS_DEADLINE_MS alone. */
const context = { functionName: 'sync', awsRequestId: 'harness' } as Context;

export async function createHarness(options: HarnessOptions = {}): Promise<Harness> {
  const table = await freshTable();
  const zilliz = await startZillizSimulator(options.zillizKey ? { apiKey: options.zillizKey } : {});
  const modelarts = await startModelartsSimulator({
    ...(options.huaweiPassword ? { password: options.huaweiPassword } : {}),
    ...(options.huaweiKeys ?? {}),
  });
  const receiver = await startEventReceiver();
  const env: Record<string, string> = {
    TABLE_NAME: table.tableName,
    DYNAMODB_ENDPOINT: table.endpoint,
    EVENT_BUS_NAME: 'region-sync-test',
    EVENTBRIDGE_ENDPOINT: receiver.endpoint,
    ...simulatorEnv(zilliz, modelarts),
    UPSTREAM_TIMEOUT_MS: '800',
    UPSTREAM_RETRIES: '2',
    PASS_DEADLINE_MS: '4000',
    ...options.env,
  };
  const config = loadSyncConfig(env);
  registerSecret(config.zilliz?.apiKey);
  registerSecret(modelarts.password);
  clearTokenCache();
  const logLines: string[] = [];
  const log = createLogger({ test: true }, (line) => logLines.push(line), 'debug');
  const events = createEventBridgeClient({ region: 'us-east-1', endpoint: receiver.endpoint });
  // The meter of the next pass counts through the client's middleware (bench/meter).
  let current: Meter | undefined;
  const store: { doc: DynamoDBDocumentClient; table: string } = {
    doc: options.storeEndpoint ? createDocumentClient({ region: 'us-east-1', endpoint: options.storeEndpoint }) : table.doc,
    table: table.tableName,
  };
  attachMeter(store.doc, () => current);
  const handler = createSyncHandler(config, { store, events, log, pass: { backoffMs: 5, publish: { leaseWaitMs: 3_000, backoffMs: 5 } } });
  return {
    zilliz,
    modelarts,
    receiver,
    config,
    env,
    table,
    logLines,
    pass: async ({ meter } = {}) => {
      current = meter;
      try {
        return await handler({}, context);
      } finally {
        current = undefined;
      }
    },
    async committedChanges() {
      const out = await table.doc.send(
        new QueryCommand({ TableName: table.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': PK.changes }, ConsistentRead: true }),
      );
      return ((out.Items ?? []) as ChangesItem[]).flatMap(decodeChanges);
    },
    async close() {
      events.destroy();
      await Promise.all([zilliz.close(), modelarts.close(), receiver.close()]);
      await table.drop();
    },
  };
}

/** The number of regions in the sample data: 12 AWS + 6 GCP + 3 Azure + 4 ModelArts. */
export const SAMPLE_REGIONS = 25;

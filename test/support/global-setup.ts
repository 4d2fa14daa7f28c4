/**
 * Vitest global setup: one DynamoDB Local (in memory) for the whole run, shared
 * with the test workers as `inject('dynamoEndpoint')`. With DYNAMODB_ENDPOINT set,
 * that endpoint is used instead and nothing is started. Teardown stops the
 * process by PID.
 */
import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal } from '../../local/dynamodb';
import { startEventLog } from './event-log';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Base URL of the DynamoDB (Local) endpoint every test table lives in. */
    dynamoEndpoint: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // Every event the test benches receive is validated against its published schema at the end.
  const eventLog = startEventLog();
  const configured = process.env.DYNAMODB_ENDPOINT;
  if (configured !== undefined && configured !== '') {
    project.provide('dynamoEndpoint', configured);
    return async () => eventLog.check();
  }
  const db = await startDynamoDbLocal();
  if (process.env.VITEST_DYNAMODB_VERBOSE === '1') {
    process.stdout.write(`DynamoDB Local ready on ${db.endpoint} (pid ${db.pid}) in ${db.readyInMs} ms\n`);
  }
  project.provide('dynamoEndpoint', db.endpoint);
  return async () => {
    await db.stop();
    eventLog.check();
  };
}

/**
 * A fresh, empty copy of the service table for a test: a unique name on the
 * run's shared DynamoDB Local (started by the global setup), created from the
 * serverless.yml definition, with the app's document client and a raw client.
 */
import { inject } from 'vitest';
import { createScratchTable, type ScratchTable } from '../../local/table';

export type FreshTable = ScratchTable;

export function freshTable(): Promise<FreshTable> {
  return createScratchTable(inject('dynamoEndpoint'), 't');
}

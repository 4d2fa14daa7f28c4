/**
 * A fresh, empty copy of the service table for a test: a unique name on the
 * run's shared DynamoDB Local, created from the serverless.yml definition, with
 * a document client (the app's own `createDocumentClient`) and a raw client.
 * `drop()` deletes the table and releases both clients.
 */
import { randomBytes } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { inject } from 'vitest';
import { createDocumentClient } from '../../lib/store/client';
import { deleteTable, ensureTable } from '../../local/table';

export interface FreshTable {
  endpoint: string;
  tableName: string;
  doc: DynamoDBDocumentClient;
  raw: DynamoDBClient;
  drop(): Promise<void>;
}

const REGION = 'us-east-1';

export async function freshTable(): Promise<FreshTable> {
  const endpoint = inject('dynamoEndpoint');
  const tableName = `t_${randomBytes(6).toString('hex')}`;
  const doc = createDocumentClient({ region: REGION, endpoint });
  const raw = new DynamoDBClient({
    region: REGION,
    endpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  await ensureTable(raw, tableName);
  return {
    endpoint,
    tableName,
    doc,
    raw,
    async drop() {
      try {
        await deleteTable(raw, tableName);
      } finally {
        doc.destroy();
        raw.destroy();
      }
    },
  };
}

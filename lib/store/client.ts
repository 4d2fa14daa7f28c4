/**
 * The DynamoDB document client. The only module that constructs it; everything
 * else receives it, so tests and the local stack point it at DynamoDB Local.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export interface DbOptions {
  region: string;
  endpoint?: string | undefined;
}

export function createDocumentClient({ region, endpoint }: DbOptions): DynamoDBDocumentClient {
  const client = new DynamoDBClient({
    region,
    ...(endpoint ? { endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
    maxAttempts: 5,
    // The SDK sets no timeout of its own: a hung call must not hold a pass until the Lambda timeout.
    requestHandler: { connectionTimeout: 2_000, requestTimeout: 5_000 },
  });
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true },
  });
}

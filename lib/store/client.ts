/**
 * The DynamoDB document client. The only module that constructs it; everything
 * else receives it, so tests and the local stack point it at DynamoDB Local.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { AWS_HTTP } from '../core/aws-http';

export interface DbOptions {
  region: string;
  endpoint?: string | undefined;
}

export function createDocumentClient({ region, endpoint }: DbOptions): DynamoDBDocumentClient {
  const client = new DynamoDBClient({
    region,
    ...(endpoint ? { endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
    maxAttempts: 5,
    // A hung call fails after 5 s (and is retried) instead of holding the pass until the Lambda timeout.
    requestHandler: AWS_HTTP,
  });
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true },
  });
}

/**
 * Reads the endpoints' secret from Secrets Manager (GetSecretValue). With a
 * JSON key, the list is that key of a JSON secret. Errors name the secret id
 * and the SDK's error name, never a value.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { AWS_HTTP } from '../core/aws-http';

export interface SecretReaderOptions {
  region: string;
  secretId: string;
  jsonKey?: string | undefined;
  endpoint?: string | undefined;
}

export function createSecretReader(options: SecretReaderOptions): () => Promise<string> {
  const client = new SecretsManagerClient({
    region: options.region,
    ...(options.endpoint ? { endpoint: options.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
    maxAttempts: 3,
    requestHandler: AWS_HTTP,
  });
  return async () => {
    const out = await client.send(new GetSecretValueCommand({ SecretId: options.secretId }));
    if (typeof out.SecretString !== 'string') throw new Error(`secret ${options.secretId}: not a string secret`);
    if (options.jsonKey === undefined) return out.SecretString;
    let value: unknown;
    try {
      value = (JSON.parse(out.SecretString) as Record<string, unknown> | null)?.[options.jsonKey];
    } catch {
      // The value is not shown: it is the secret.
      return '';
    }
    return typeof value === 'string' ? value : JSON.stringify(value ?? null);
  };
}

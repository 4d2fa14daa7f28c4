/**
 * A local stand-in for the Secrets Manager read API (GetSecretValue): a
 * node:http server the real `SecretsManagerClient` talks to through
 * `endpoint`, serving a fixed set of string secrets that `set` may change
 * (as an operator editing the secret would).
 */
import { createServer } from 'node:http';
import { randomUUID } from 'node:crypto';
import { answer, isRecord, listenOnLoopback, readBody } from './aws-json';

export interface SecretsManagerStandIn {
  endpoint: string;
  /** GetSecretValue calls received. */
  readonly reads: number;
  set(secretId: string, value: string): void;
  close(): Promise<void>;
}

const TARGET = 'secretsmanager.GetSecretValue';

export async function startSecretsManager(secrets: Record<string, string>, port = 0): Promise<SecretsManagerStandIn> {
  const store = new Map<string, { value: string; version: string }>();
  const set = (id: string, value: string) => store.set(id, { value, version: randomUUID() });
  for (const [id, value] of Object.entries(secrets)) set(id, value);
  let reads = 0;
  const server = createServer((request, response) => {
    if (request.method !== 'POST' || request.headers['x-amz-target'] !== TARGET) {
      request.resume();
      return answer(response, 400, { __type: 'UnknownOperationException', message: `Only ${TARGET} is served here.` });
    }
    reads += 1;
    readBody(request)
      .then((body) => {
        const parsed: unknown = JSON.parse(body === '' ? '{}' : body);
        const id = isRecord(parsed) && typeof parsed.SecretId === 'string' ? parsed.SecretId : '';
        const stored = store.get(id);
        if (!stored) return answer(response, 400, { __type: 'ResourceNotFoundException', message: "Secrets Manager can't find the specified secret." });
        answer(response, 200, {
          ARN: `arn:aws:secretsmanager:us-east-1:000000000000:secret:${id}-AbCdEf`,
          Name: id,
          SecretString: stored.value,
          VersionId: stored.version,
          VersionStages: ['AWSCURRENT'],
          CreatedDate: Date.now() / 1000,
        });
      })
      .catch(() => answer(response, 400, { __type: 'InvalidRequestException', message: 'Request body is not valid JSON.' }));
  });
  const listening = await listenOnLoopback(server, port);
  return {
    endpoint: listening.url,
    get reads() {
      return reads;
    },
    set,
    close: listening.close,
  };
}

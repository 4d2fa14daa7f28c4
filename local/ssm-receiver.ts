/**
 * A local stand-in for the SSM Parameter Store read API (GetParameter,
 * GetParameters, GetParametersByPath): a node:http server the real `SSMClient`
 * (and @middy/ssm) talks to through `endpoint`, serving a fixed set of
 * SecureString parameters.
 */
import { createServer } from 'node:http';
import { answer, isRecord, listenOnLoopback, readBody } from './aws-json';

export interface SsmReceiverOptions {
  /** Parameter name → value, all served as SecureString version 1. */
  parameters: Record<string, string>;
  /** Port on 127.0.0.1; 0 (any free port) by default. */
  port?: number;
}

export interface SsmReceiver {
  endpoint: string;
  /** HTTP calls received. */
  readonly calls: number;
  /** Adds or replaces a parameter (its version goes up by one). */
  set(name: string, value: string): void;
  close(): Promise<void>;
}

interface Stored {
  value: string;
  version: number;
  modified: number;
}

const TARGET_PREFIX = 'AmazonSSM.';
const MAX_NAMES = 10;

export async function startSsmReceiver(options: SsmReceiverOptions): Promise<SsmReceiver> {
  const store = new Map<string, Stored>();
  const set = (name: string, value: string): void => {
    store.set(name, { value, version: (store.get(name)?.version ?? 0) + 1, modified: Date.now() / 1000 });
  };
  for (const [name, value] of Object.entries(options.parameters)) set(name, value);
  let calls = 0;

  const parameter = (name: string, stored: Stored) => ({
    Name: name,
    Type: 'SecureString',
    Value: stored.value,
    Version: stored.version,
    LastModifiedDate: stored.modified,
    ARN: `arn:aws:ssm:us-east-1:000000000000:parameter/${name.replace(/^\//, '')}`,
    DataType: 'text',
  });

  const operations: Record<string, (request: Record<string, unknown>) => [number, unknown]> = {
    GetParameter(request) {
      const name = typeof request.Name === 'string' ? request.Name : '';
      const stored = store.get(name);
      if (stored === undefined) return [400, { __type: 'ParameterNotFound', message: `Parameter ${name} not found.` }];
      return [200, { Parameter: parameter(name, stored) }];
    },
    GetParameters(request) {
      const names = Array.isArray(request.Names) ? request.Names.filter((n): n is string => typeof n === 'string') : [];
      if (names.length < 1 || names.length > MAX_NAMES) {
        return [400, { __type: 'ValidationException', message: `Names must hold 1 to ${MAX_NAMES} names.` }];
      }
      const found = names.flatMap((name) => {
        const stored = store.get(name);
        return stored === undefined ? [] : [parameter(name, stored)];
      });
      return [200, { Parameters: found, InvalidParameters: names.filter((name) => !store.has(name)) }];
    },
    GetParametersByPath(request) {
      const path = typeof request.Path === 'string' ? request.Path.replace(/\/?$/, '/') : '/';
      const recursive = request.Recursive === true;
      const found = [...store.entries()]
        .filter(([name]) => name.startsWith(path) && (recursive || !name.slice(path.length).includes('/')))
        .map(([name, stored]) => parameter(name, stored));
      return [200, { Parameters: found }];
    },
  };

  const server = createServer((request, response) => {
    calls += 1;
    const target = String(request.headers['x-amz-target'] ?? '');
    const name = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : '';
    const operation = Object.hasOwn(operations, name) ? operations[name] : undefined;
    if (request.method !== 'POST' || operation === undefined) {
      request.resume();
      return answer(response, 400, { __type: 'UnknownOperationException', message: `Unsupported operation ${target}.` });
    }
    readBody(request)
      .then((body) => {
        let parsed: unknown;
        try {
          parsed = JSON.parse(body === '' ? '{}' : body);
        } catch {
          return answer(response, 400, { __type: 'SerializationException', message: 'Request body is not valid JSON.' });
        }
        const [status, result] = operation(isRecord(parsed) ? parsed : {});
        answer(response, status, result);
      })
      .catch((error: unknown) =>
        answer(response, 400, { __type: 'ValidationException', message: error instanceof Error ? error.message : String(error) }),
      );
  });
  const listening = await listenOnLoopback(server, options.port ?? 0);

  return {
    endpoint: listening.url,
    get calls() {
      return calls;
    },
    set,
    close: listening.close,
  };
}




/**
 * A small proxy in front of DynamoDB Local that injects the faults real
 * DynamoDB produces, on the operations a test names (e.g. TransactWriteItems),
 * a given number of times: throttling, internal errors, a transaction
 * cancelled with given reasons, and "applied, then the connection dropped"
 * (the request reaches the database, the answer never reaches the client,
 * which retries it). A fault may also match on the request body (e.g. only
 * UpdateItem calls on the STATUS partition). Everything else is forwarded
 * unchanged. Used by the fault matrix and the chaos suite only.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { badGateway, listenOnLoopback, readBytes } from './aws-json';

export type DynamoFault = 'throttle' | 'internal-error' | 'applied-lost' | 'cancelled';

export interface InjectOptions {
  /** Only calls whose JSON body contains this text (e.g. '"S":"STATUS"'). */
  bodyIncludes?: string;
  /** For 'cancelled': the CancellationReasons codes, one per item (default ['ValidationError']). */
  reasons?: string[];
}

export interface DynamoFaultProxy {
  endpoint: string;
  /** The next `times` calls of `operation` (e.g. 'TransactWriteItems', or alternatives: 'TransactWriteItems|UpdateItem') answer with the fault. */
  inject(operation: string, fault: DynamoFault, times: number, options?: InjectOptions): void;
  /** Calls answered with a fault so far. */
  injected: number;
  /** Faults injected so far, by `<fault> <operation>` as injected (alternatives included). */
  byKind: Map<string, number>;
  /** Every call received, by operation, faulty or not. */
  calls: Map<string, number>;
  clear(): void;
  close(): Promise<void>;
}

const ANSWERS: Record<'throttle' | 'internal-error', { status: number; type: string; message: string }> = {
  throttle: { status: 400, type: 'com.amazonaws.dynamodb.v20120810#ThrottlingException', message: 'Rate of requests exceeds the allowed throughput.' },
  'internal-error': { status: 500, type: 'com.amazonaws.dynamodb.v20120810#InternalServerError', message: 'Internal server error' },
};

interface Pending {
  operation: string;
  fault: DynamoFault;
  times: number;
  options: InjectOptions;
}

export async function startDynamoFaultProxy(target: string): Promise<DynamoFaultProxy> {
  const pending: Pending[] = [];
  const byKind = new Map<string, number>();
  const calls = new Map<string, number>();
  const proxy: DynamoFaultProxy = {
    endpoint: '',
    injected: 0,
    byKind,
    calls,
    inject: (operation, fault, times, options = {}) => void pending.push({ operation, fault, times, options }),
    clear: () => void pending.splice(0),
    close: () => listening.close(),
  };
  const forward = async (req: IncomingMessage, payload: Buffer) => {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string' && k !== 'host' && k !== 'content-length') headers[k] = v;
    return fetch(target, { method: req.method ?? 'POST', headers, body: payload });
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const payload = await readBytes(req);
      const operation = String(req.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
      const text = payload.toString('utf8');
      calls.set(operation, (calls.get(operation) ?? 0) + 1);
      const fault = pending.find(
        (f) => f.operation.split('|').includes(operation) && f.times > 0 && (f.options.bodyIncludes === undefined || text.includes(f.options.bodyIncludes)),
      );
      if (fault) {
        fault.times -= 1;
        proxy.injected += 1;
        const kind = `${fault.fault} ${fault.operation}`;
        byKind.set(kind, (byKind.get(kind) ?? 0) + 1);
        if (fault.fault === 'applied-lost') {
          // The database applies it; the client only sees its connection drop.
          const upstream = await forward(req, payload);
          await upstream.arrayBuffer();
          req.socket.destroy();
          return;
        }
        if (fault.fault === 'cancelled') {
          const reasons = (fault.options.reasons ?? ['ValidationError']).map((Code) => (Code === 'None' ? { Code } : { Code, Message: `injected ${Code}` }));
          res.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' });
          res.end(
            JSON.stringify({
              __type: 'com.amazonaws.dynamodb.v20120810#TransactionCanceledException',
              message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.map((r) => r.Code).join(', ')}]`,
              CancellationReasons: reasons,
            }),
          );
          return;
        }
        const answer = ANSWERS[fault.fault];
        res.writeHead(answer.status, { 'content-type': 'application/x-amz-json-1.0' });
        res.end(JSON.stringify({ __type: answer.type, message: answer.message }));
        return;
      }
      const upstream = await forward(req, payload);
      res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/x-amz-json-1.0' });
      res.end(Buffer.from(await upstream.arrayBuffer()));
    })().catch(() => badGateway(res));
  });
  const listening = await listenOnLoopback(server);
  proxy.endpoint = listening.url;
  return proxy;
}

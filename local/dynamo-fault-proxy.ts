/**
 * A small proxy in front of DynamoDB Local that injects the faults real
 * DynamoDB produces: throttling and internal errors, on the operations a test
 * names (e.g. TransactWriteItems), a given number of times. Everything else is
 * forwarded unchanged. Used by the fault matrix only.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export type DynamoFault = 'throttle' | 'internal-error';

export interface DynamoFaultProxy {
  endpoint: string;
  /** The next `times` calls of `operation` (e.g. 'TransactWriteItems') answer with the fault. */
  inject(operation: string, fault: DynamoFault, times: number): void;
  /** Calls answered with a fault so far. */
  injected: number;
  clear(): void;
  close(): Promise<void>;
}

const ANSWERS: Record<DynamoFault, { status: number; type: string; message: string }> = {
  throttle: { status: 400, type: 'com.amazonaws.dynamodb.v20120810#ThrottlingException', message: 'Rate of requests exceeds the allowed throughput.' },
  'internal-error': { status: 500, type: 'com.amazonaws.dynamodb.v20120810#InternalServerError', message: 'Internal server error' },
};

async function body(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function startDynamoFaultProxy(target: string): Promise<DynamoFaultProxy> {
  const pending: { operation: string; fault: DynamoFault; times: number }[] = [];
  const sockets = new Set<Socket>();
  const proxy: DynamoFaultProxy = {
    endpoint: '',
    injected: 0,
    inject: (operation, fault, times) => void pending.push({ operation, fault, times }),
    clear: () => void pending.splice(0),
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const payload = await body(req);
      const operation = String(req.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
      const fault = pending.find((f) => f.operation === operation && f.times > 0);
      if (fault) {
        fault.times -= 1;
        proxy.injected += 1;
        const answer = ANSWERS[fault.fault];
        res.writeHead(answer.status, { 'content-type': 'application/x-amz-json-1.0' });
        res.end(JSON.stringify({ __type: answer.type, message: answer.message }));
        return;
      }
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string' && k !== 'host' && k !== 'content-length') headers[k] = v;
      const upstream = await fetch(target, { method: req.method ?? 'POST', headers, body: payload });
      res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/x-amz-json-1.0' });
      res.end(Buffer.from(await upstream.arrayBuffer()));
    })().catch(() => {
      res.writeHead(502);
      res.end();
    });
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  proxy.endpoint = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return proxy;
}

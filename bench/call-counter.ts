/**
 * A counting pass-through in front of DynamoDB Local: forwards every call
 * unchanged and counts them by operation (the `X-Amz-Target` header). The
 * cold-start section runs each bundle once through it, untimed, to show how
 * many calls a first invocation makes beside the baseline's one.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface CallCounter {
  endpoint: string;
  counts: Record<string, number>;
  reset(): void;
  close(): Promise<void>;
}

async function body(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function startCallCounter(target: string): Promise<CallCounter> {
  const counts: Record<string, number> = {};
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    void (async () => {
      const payload = await body(req);
      const operation = String(req.headers['x-amz-target'] ?? '').split('.')[1] ?? 'unknown';
      counts[operation] = (counts[operation] ?? 0) + 1;
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string' && k !== 'host' && k !== 'content-length') headers[k] = v;
      const upstream = await fetch(target, { method: req.method ?? 'POST', headers, body: payload });
      res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/x-amz-json-1.0' });
      res.end(Buffer.from(await upstream.arrayBuffer()));
    })().catch(() => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    counts,
    reset: () => {
      for (const k of Object.keys(counts)) delete counts[k];
    },
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

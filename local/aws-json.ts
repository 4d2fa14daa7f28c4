/**
 * What the local receivers and fault proxies share (EventBridge PutEvents,
 * SSM, Secrets Manager, the webhook receiver, the DynamoDB and S3 fault
 * proxies): reading a request body, answering in the AWS JSON 1.1 protocol,
 * the record guard, and serving on a loopback port that closes at once
 * (every open connection destroyed: the SDKs keep theirs alive).
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function answer(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/x-amz-json-1.1',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID(),
  });
  response.end(text);
}

/** A proxy whose forwarding failed: 502 if nothing was sent yet, else the connection dropped (as a real hop would). */
export function badGateway(response: ServerResponse): void {
  if (response.headersSent || response.destroyed) return void response.destroy();
  response.writeHead(502);
  response.end();
}

/** The whole body; rejects past `maxBytes`. */
export function readBytes(request: IncomingMessage, maxBytes = Infinity): Promise<Buffer> {
  return new Promise((resolveBody, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    request.on('data', (chunk: Buffer) => {
      length += chunk.length;
      if (length > maxBytes) {
        reject(new Error('Request body is too large.'));
        request.resume();
        return;
      }
      chunks.push(chunk);
    });
    request.once('end', () => resolveBody(Buffer.concat(chunks)));
    request.once('error', reject);
  });
}

/** The whole body as text; rejects past `maxBytes`. */
export async function readBody(request: IncomingMessage, maxBytes = Infinity): Promise<string> {
  return (await readBytes(request, maxBytes)).toString('utf8');
}

export interface Listening {
  port: number;
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** Stops listening and destroys every open connection. */
  close(): Promise<void>;
}

/** Listens on 127.0.0.1 (`port` 0: any free one), keeping track of connections so close() ends them. */
export function listenOnLoopback(server: Server, port = 0): Promise<Listening> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  return new Promise((resolveListening, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      const address = server.address();
      const bound = typeof address === 'object' && address !== null ? address.port : port;
      resolveListening({
        port: bound,
        url: `http://127.0.0.1:${bound}`,
        close: () =>
          new Promise<void>((resolveClose) => {
            server.close(() => resolveClose());
            for (const socket of sockets) socket.destroy();
          }),
      });
    });
  });
}

/**
 * What the local AWS API receivers (EventBridge PutEvents, SSM) share: reading
 * a request body, answering in the AWS JSON 1.1 protocol, and the record guard.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

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

/** The whole body as text; rejects past `maxBytes`. */
export function readBody(request: IncomingMessage, maxBytes = Infinity): Promise<string> {
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
    request.once('end', () => resolveBody(Buffer.concat(chunks).toString('utf8')));
    request.once('error', reject);
  });
}

/**
 * Every AWS client's HTTP settings (lib/core/aws-http.ts) against a server
 * that takes the connection and never answers: the call must fail with a
 * TimeoutError after the request timeout, not wait for the Lambda's end (the
 * SDK's requestTimeout alone only logs a warning).
 */
import { createServer, type Server, type Socket } from 'node:net';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AWS_HTTP } from '../../lib/core/aws-http';

let server: Server;
let port = 0;
const sockets = new Set<Socket>();
beforeAll(async () => {
  server = createServer((socket) => {
    sockets.add(socket); // read the request, answer nothing
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});
afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('AWS clients against a server that never answers', () => {
  it('fail the call with a TimeoutError once the request timeout has passed', async () => {
    const client = new DynamoDBClient({
      region: 'us-east-1',
      endpoint: `http://127.0.0.1:${port}`,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: 1,
      requestHandler: AWS_HTTP,
    });
    const error = await client.send(new ListTablesCommand({})).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    client.destroy();
    expect(error?.name).toBe('TimeoutError');
    expect(error?.message).toContain(`${AWS_HTTP.requestTimeout} ms requestTimeout`);
  }, 30_000);
});

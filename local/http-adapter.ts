/**
 * Serves a Lambda HTTP handler on a local socket: each request becomes an API
 * Gateway HTTP API (payload 2.0) event for the very same handler, and its
 * result is written back as API Gateway would. Kept lean: it is benchmarked
 * against a bare node:http server.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';

export type HttpApiHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyResultV2 | undefined | void>;

export interface HttpAdapter {
  url: string;
  port: number;
  close(): Promise<void>;
}

const FUNCTION_TIMEOUT_MS = 30_000;

// Request ids: unique per process without a random UUID per request.
const ID_PREFIX = `${process.pid.toString(16)}-${Date.now().toString(16)}-`;
let requestCounter = 0;

// requestContext.time changes once a second: formatted once a second.
let timeSecond = -1;
let timeText = '';
function timeOf(now: number): string {
  const second = Math.floor(now / 1000);
  if (second !== timeSecond) {
    timeSecond = second;
    timeText = new Date(second * 1000).toUTCString();
  }
  return timeText;
}

function toEvent(req: IncomingMessage, body: Buffer | undefined): APIGatewayProxyEventV2 {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const rawPath = q < 0 ? url : url.slice(0, q);
  const rawQueryString = q < 0 ? '' : url.slice(q + 1);
  const headers: Record<string, string> = {};
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    const value = raw[i + 1]!;
    // API Gateway joins repeated headers with commas.
    headers[name] = Object.hasOwn(headers, name) ? `${headers[name]},${value}` : value;
  }
  const host = headers.host ?? 'localhost';
  const dot = host.indexOf('.');
  const now = Date.now();
  const event: APIGatewayProxyEventV2 = {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString,
    headers,
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: host,
      domainPrefix: dot < 0 ? host : host.slice(0, dot),
      http: {
        method: req.method ?? 'GET',
        path: rawPath,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: ID_PREFIX + (requestCounter++).toString(36),
      routeKey: '$default',
      stage: '$default',
      time: timeOf(now),
      timeEpoch: now,
    },
    isBase64Encoded: false,
  };
  if (headers.cookie) event.cookies = headers.cookie.split(/;\s*/);
  if (rawQueryString) {
    const parameters: Record<string, string> = {};
    for (const [key, value] of new URLSearchParams(rawQueryString)) {
      parameters[key] = Object.hasOwn(parameters, key) ? `${parameters[key]},${value}` : value;
    }
    event.queryStringParameters = parameters;
  }
  if (body && body.length > 0) {
    event.body = body.toString('base64');
    event.isBase64Encoded = true;
  }
  return event;
}

/** The Lambda context: methods on the prototype, two fields per request. */
class LocalContext implements Context {
  callbackWaitsForEmptyEventLoop = false;
  functionName = 'local';
  functionVersion = '$LATEST';
  invokedFunctionArn = 'arn:aws:lambda:local:000000000000:function:local';
  memoryLimitInMB = '256';
  logGroupName = 'local';
  logStreamName = 'local';
  constructor(
    readonly awsRequestId: string,
    private readonly deadline: number,
  ) {}
  getRemainingTimeInMillis(): number {
    return this.deadline - Date.now();
  }
  done(): void {}
  fail(): void {}
  succeed(): void {}
}

// The last base64 body and its bytes: a memoised representation comes back as the very same string.
let lastBase64: string | undefined;
let lastBytes: Buffer = Buffer.alloc(0);
function decodeBase64(body: string): Buffer {
  if (body !== lastBase64) {
    lastBytes = Buffer.from(body, 'base64');
    lastBase64 = body;
  }
  return lastBytes;
}

const BODYLESS_STATUS = new Set([204, 304]);

function write(req: IncomingMessage, res: ServerResponse, result: APIGatewayProxyResultV2 | undefined | void): void {
  // A result without statusCode is the body itself, as API Gateway reads it.
  if (result === undefined || typeof result === 'string' || !('statusCode' in result || 'body' in result || 'headers' in result)) {
    const text = typeof result === 'string' ? result : JSON.stringify(result ?? null);
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
    return;
  }
  const status = result.statusCode ?? 200;
  const headers: Record<string, string | string[]> = {};
  const given = result.headers;
  if (given) {
    for (const name in given) {
      const value = given[name];
      if (value !== undefined && value !== null) headers[name] = typeof value === 'string' ? value : String(value);
    }
  }
  if (result.cookies?.length) headers['set-cookie'] = result.cookies;
  const text = result.body ?? '';
  const body = result.isBase64Encoded ? decodeBase64(text) : text;
  // As API Gateway does: a Content-Length rather than a chunked body.
  if (req.method !== 'HEAD' && !BODYLESS_STATUS.has(status)) {
    headers['content-length'] = String(typeof body === 'string' ? Buffer.byteLength(body) : body.length);
  }
  res.writeHead(status, headers);
  res.end(body);
}

export async function startHttpAdapter({
  handler,
  port = 0,
  host = '127.0.0.1',
}: {
  handler: HttpApiHandler;
  port?: number;
  host?: string;
}): Promise<HttpAdapter> {
  const invoke = (req: IncomingMessage, res: ServerResponse, body: Buffer | undefined): void => {
    const event = toEvent(req, body);
    handler(event, new LocalContext(event.requestContext.requestId, Date.now() + FUNCTION_TIMEOUT_MS))
      .then((result) => write(req, res, result))
      .catch((error: unknown) => {
        // What API Gateway answers when the function fails or its result is unusable.
        console.error(JSON.stringify({ level: 'error', message: 'handler failed', error: String(error) }));
        if (res.headersSent) return void res.destroy();
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end('{"message":"Internal Server Error"}');
      });
  };
  const server = createServer((req, res) => {
    // No body announced (a GET, a HEAD): straight to the handler, no stream to drain first.
    if (req.headers['content-length'] === undefined && req.headers['transfer-encoding'] === undefined) return invoke(req, res, undefined);
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => invoke(req, res, chunks.length ? Buffer.concat(chunks) : undefined));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${bound}`,
    port: bound,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

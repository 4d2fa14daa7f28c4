/**
 * Calls a Lambda HTTP handler the way API Gateway HTTP API (payload 2.0) does,
 * and reads its answer back: decoded body (base64, gzip, br) and parsed JSON.
 */
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';

export function apiEvent(method: string, url: string, headers: Record<string, string> = {}): APIGatewayProxyEventV2 {
  const q = url.indexOf('?');
  const rawPath = q < 0 ? url : url.slice(0, q);
  const rawQueryString = q < 0 ? '' : url.slice(q + 1);
  let queryStringParameters: Record<string, string> | undefined;
  if (rawQueryString) {
    queryStringParameters = {};
    for (const [key, value] of new URLSearchParams(rawQueryString)) {
      queryStringParameters[key] = key in queryStringParameters ? `${queryStringParameters[key]},${value}` : value;
    }
  }
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString,
    headers: { host: 'api.example.com', 'user-agent': 'vitest', ...lower },
    ...(queryStringParameters ? { queryStringParameters } : {}),
    requestContext: {
      accountId: '123456789012',
      apiId: 'api',
      domainName: 'api.example.com',
      domainPrefix: 'api',
      http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'vitest' },
      requestId: 'req',
      routeKey: '$default',
      stage: '$default',
      time: '23/Nov/2026:10:00:00 +0000',
      timeEpoch: 0,
    },
    isBase64Encoded: false,
  };
}

export const lambdaContext = {
  functionName: 'catalog',
  awsRequestId: 'req',
  getRemainingTimeInMillis: () => 10_000,
} as unknown as Context;

export interface Answer {
  status: number;
  headers: Record<string, string>;
  /** The body as the client reads it, decompressed. */
  text: string;
  json: unknown;
  raw: APIGatewayProxyStructuredResultV2;
}

export type TestHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

export async function call(handler: TestHandler, method: string, url: string, headers: Record<string, string> = {}): Promise<Answer> {
  return read(await handler(apiEvent(method, url, headers), lambdaContext));
}

export function read(raw: APIGatewayProxyStructuredResultV2): Answer {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw.headers ?? {})) if (v !== undefined) headers[k.toLowerCase()] = String(v);
  let buffer = Buffer.from(raw.body ?? '', raw.isBase64Encoded ? 'base64' : 'utf8');
  // HEAD and 304 keep the encoding header of the body they stand for, without the body.
  if (buffer.length > 0 && headers['content-encoding'] === 'gzip') buffer = gunzipSync(buffer);
  if (buffer.length > 0 && headers['content-encoding'] === 'br') buffer = brotliDecompressSync(buffer);
  const text = buffer.toString('utf8');
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: raw.statusCode ?? 200, headers, text, json, raw };
}

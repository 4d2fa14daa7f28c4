/**
 * An API Gateway HTTP API (payload 2.0) event and a Lambda context, as the
 * runtime hands them to the catalog function: for the benchmarks that call
 * the handler without the local HTTP adapter. No heavy imports: child
 * processes bundle it.
 */
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';

let counter = 0;

export function apiEvent(path: string, headers: Record<string, string>, query = ''): APIGatewayProxyEventV2 {
  const now = Date.now();
  const id = `bench-${(counter++).toString(36)}`;
  const event: APIGatewayProxyEventV2 = {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: query,
    headers: { host: 'abc123.execute-api.us-east-1.amazonaws.com', 'user-agent': 'bench', ...headers },
    requestContext: {
      accountId: '000000000000',
      apiId: 'abc123',
      domainName: 'abc123.execute-api.us-east-1.amazonaws.com',
      domainPrefix: 'abc123',
      http: { method: 'GET', path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'bench' },
      requestId: id,
      routeKey: '$default',
      stage: '$default',
      time: new Date(now).toUTCString(),
      timeEpoch: now,
    },
    isBase64Encoded: false,
  };
  if (query) event.queryStringParameters = Object.fromEntries(new URLSearchParams(query));
  return event;
}

export function lambdaContext(name: string, timeoutMs = 10_000): Context {
  const deadline = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: name,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${name}`,
    memoryLimitInMB: '256',
    awsRequestId: `bench-${(counter++).toString(36)}`,
    logGroupName: `/aws/lambda/${name}`,
    logStreamName: 'bench',
    getRemainingTimeInMillis: () => deadline - Date.now(),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** What a browser sends for the catalog. */
export const BROWSER_HEADERS = { 'accept-encoding': 'gzip, deflate, br', accept: 'application/json' } as const;

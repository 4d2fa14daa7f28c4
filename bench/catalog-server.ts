/**
 * The server side of the catalog throughput figure, in its own process and
 * bundled with esbuild like the function (so the handler runs as deployed
 * code, not through the TypeScript loader the benchmark itself runs under):
 * the local HTTP adapter wrapping the real catalog handler, configured from
 * the environment as the function is, and a bare node:http server answering
 * captured bytes. Messages: → `{ type: 'bare', full, notModified }` starts the
 * bare server; → `{ type: 'load', spec }` runs a comparison with the load
 * generator inside this process; → `{ type: 'exit' }`.
 */
import { createServer, type OutgoingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { catalogHandlerFromConfig } from '../lib/catalog/handler';
import { loadCatalogConfig } from '../lib/catalog/config';
import { startHttpAdapter, type HttpApiHandler } from '../local/http-adapter';
import { runComparison, type ComparisonSpec } from './load';

export interface CapturedResponse {
  status: number;
  headers: OutgoingHttpHeaders;
  /** base64 */
  body: string;
}

export type ServerMessage =
  | { type: 'bare'; full: CapturedResponse; notModified: CapturedResponse }
  | { type: 'load'; spec: ComparisonSpec }
  | { type: 'exit' };

const send = (message: unknown) => process.send?.(message);

/** A node:http server that answers `full`, or `notModified` when If-None-Match is sent: no routing, no work. */
function startBare(full: CapturedResponse, notModified: CapturedResponse): Promise<string> {
  const body = Buffer.from(full.body, 'base64');
  const fullHeaders = { ...full.headers, 'content-length': String(body.length) };
  const server = createServer((req, res) => {
    if (req.headers['if-none-match'] !== undefined) {
      res.writeHead(notModified.status, notModified.headers);
      res.end();
    } else {
      res.writeHead(full.status, fullHeaders);
      res.end(body);
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
}

const handler = catalogHandlerFromConfig(loadCatalogConfig(process.env));
const lambda: HttpApiHandler = (event: APIGatewayProxyEventV2, context: Context) => handler(event, context);

process.on('message', (message: ServerMessage) => {
  const fail = (error: unknown) => send({ type: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  if (message.type === 'bare') startBare(message.full, message.notModified).then((url) => send({ type: 'bare', url }), fail);
  else if (message.type === 'load') runComparison(message.spec).then((result) => send({ type: 'load', result }), fail);
  else if (message.type === 'exit') {
    process.exit(0);
  }
});

startHttpAdapter({ handler: lambda }).then(
  (adapter) => send({ type: 'ready', url: adapter.url }),
  (error: unknown) => send({ type: 'error', message: String(error) }),
);

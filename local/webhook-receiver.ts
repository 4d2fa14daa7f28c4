/**
 * A webhook endpoint of our own, for `npm start` and the tests: it records
 * each POST to `/<endpoint name>` as `{"endpoint", "headers", "body"}` (the
 * body as the raw string received), in memory and optionally appended to a
 * JSON-lines file, so anyone can verify the signature. Each endpoint can be
 * told how to answer its next requests: fail (500), hang (no answer until the
 * caller gives up), or answer slowly; by default it answers 204.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { dirname } from 'node:path';
import { listenOnLoopback, readBody } from './aws-json';

export interface Delivery {
  endpoint: string;
  headers: Record<string, string>;
  body: string;
}

/** What an endpoint does with one request: answer with a status, never answer, or answer `status` after `delayMs`. */
export type Behaviour = { status: number } | { hang: true } | { status: number; delayMs: number };

export interface WebhookReceiver {
  /** The base URL; an endpoint's URL is `${url}/<name>`. */
  url: string;
  /** Every request received, answered or not, oldest first (a live array). */
  requests: Delivery[];
  /** The requests answered 2xx. */
  delivered(): Delivery[];
  /** The next requests of `endpoint` get these behaviours, in order; then the default (204). */
  script(endpoint: string, behaviours: Behaviour[]): void;
  waitFor(predicate: (requests: Delivery[]) => boolean, timeoutMs?: number): Promise<Delivery[]>;
  close(): Promise<void>;
}

const KEPT_HEADERS = ['content-type', 'webhook-id', 'webhook-timestamp', 'webhook-signature'];

function kept(headers: IncomingHttpHeaders): Record<string, string> {
  return Object.fromEntries(KEPT_HEADERS.flatMap((name) => (typeof headers[name] === 'string' ? [[name, headers[name]]] : [])));
}

export async function startWebhookReceiver(options: { logFile?: string; port?: number } = {}): Promise<WebhookReceiver> {
  const requests: Delivery[] = [];
  const ok = new Set<Delivery>();
  const scripts = new Map<string, Behaviour[]>();
  if (options.logFile !== undefined) mkdirSync(dirname(options.logFile), { recursive: true });
  const server = createServer((request, response) => {
    const endpoint = decodeURIComponent((request.url ?? '/').split('?')[0]?.slice(1) ?? '');
    readBody(request, 2 * 1024 * 1024)
      .then((body) => {
        const delivery: Delivery = { endpoint, headers: kept(request.headers), body };
        requests.push(delivery);
        const behaviour = scripts.get(endpoint)?.shift() ?? { status: 204 };
        if ('hang' in behaviour) return; // The caller's deadline ends it; close() destroys the socket.
        const send = () => {
          if (behaviour.status >= 200 && behaviour.status < 300) {
            ok.add(delivery);
            if (options.logFile !== undefined) appendFileSync(options.logFile, `${JSON.stringify(delivery)}\n`);
          }
          response.writeHead(behaviour.status, { 'content-type': 'text/plain' }).end(behaviour.status < 300 ? '' : 'failure');
        };
        if ('delayMs' in behaviour) setTimeout(send, behaviour.delayMs);
        else send();
      })
      .catch(() => response.writeHead(413).end());
  });
  const listening = await listenOnLoopback(server, options.port ?? 0);
  return {
    url: listening.url,
    requests,
    delivered: () => requests.filter((r) => ok.has(r)),
    script: (endpoint, behaviours) => scripts.set(endpoint, [...behaviours]),
    async waitFor(predicate, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(requests)) {
        if (Date.now() > deadline) throw new Error(`webhook receiver: condition not met within ${timeoutMs} ms (${requests.length} requests)`);
        await new Promise((r) => setTimeout(r, 10));
      }
      return requests.slice();
    },
    close: listening.close,
  };
}

/**
 * A small proxy in front of the local S3 server that injects the faults real
 * S3 produces, on the requests a test names (a method and a part of the key),
 * a given number of times: an internal error (500 `InternalError`, which the
 * SDK retries), a timeout (no answer at all), and "written, then the answer
 * was lost" (the object is stored, the client only sees its connection drop
 * and retries). Everything else is forwarded unchanged, and every request is
 * counted. For the catalog files' tests and the chaos suite only.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { listenOnLoopback, readBytes } from './aws-json';

export type S3Fault = 'error' | 'timeout' | 'applied-lost';

export interface S3FaultMatch {
  /** GET, HEAD, PUT… (any when absent). */
  method?: string;
  /** Only requests whose path contains this text (e.g. 'catalog/latest.json'). */
  pathIncludes?: string;
}

export interface S3FaultProxy {
  endpoint: string;
  inject(fault: S3Fault, times: number, match?: S3FaultMatch): void;
  /** Faults injected so far. */
  injected: number;
  /** Every request received, as `<METHOD> <path>` (the query string left out). */
  requests: string[];
  clear(): void;
  close(): Promise<void>;
}

interface Pending {
  fault: S3Fault;
  times: number;
  match: S3FaultMatch;
}

const INTERNAL_ERROR = '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>InternalError</Code><Message>We encountered an internal error. Please try again.</Message></Error>';
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'content-encoding']);

export async function startS3FaultProxy(target: string): Promise<S3FaultProxy> {
  const pending: Pending[] = [];
  const proxy: S3FaultProxy = {
    endpoint: '',
    injected: 0,
    requests: [],
    inject: (fault, times, match = {}) => void pending.push({ fault, times, match }),
    clear: () => void pending.splice(0),
    close: () => listening.close(),
  };
  const forward = async (req: IncomingMessage, payload: Buffer) => {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string' && k !== 'host' && !HOP_BY_HOP.has(k)) headers[k] = v;
    const method = req.method ?? 'GET';
    return fetch(`${target}${req.url ?? '/'}`, { method, headers, ...(method === 'GET' || method === 'HEAD' ? {} : { body: payload }) });
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const payload = await readBytes(req);
      const method = req.method ?? 'GET';
      const path = decodeURIComponent((req.url ?? '/').split('?')[0] ?? '/');
      proxy.requests.push(`${method} ${path}`);
      const fault = pending.find((f) => f.times > 0 && (!f.match.method || f.match.method === method) && (!f.match.pathIncludes || path.includes(f.match.pathIncludes)));
      if (fault) {
        fault.times -= 1;
        proxy.injected += 1;
        if (fault.fault === 'timeout') return; // no answer: the client's request timeout ends it
        if (fault.fault === 'applied-lost') {
          const upstream = await forward(req, payload);
          await upstream.arrayBuffer();
          req.socket.destroy();
          return;
        }
        res.writeHead(500, { 'content-type': 'application/xml' });
        res.end(INTERNAL_ERROR);
        return;
      }
      const upstream = await forward(req, payload);
      const headers: Record<string, string> = {};
      upstream.headers.forEach((value, key) => {
        if (!HOP_BY_HOP.has(key)) headers[key] = value;
      });
      const body = Buffer.from(await upstream.arrayBuffer());
      const length = method === 'HEAD' ? upstream.headers.get('content-length') : String(body.length);
      res.writeHead(upstream.status, length === null ? headers : { ...headers, 'content-length': length });
      res.end(method === 'HEAD' ? undefined : body);
    })().catch(() => {
      if (res.headersSent || res.destroyed) return void res.destroy();
      res.writeHead(502);
      res.end();
    });
  });
  const listening = await listenOnLoopback(server);
  proxy.endpoint = listening.url;
  return proxy;
}

/**
 * A small proxy in front of the local S3 server that injects the faults real
 * S3 produces, on the requests a test names (a method and a part of the key),
 * a given number of times: an internal error (500 `InternalError`, which the
 * SDK retries), a timeout (no answer at all), and "written, then the answer
 * was lost" (the object is stored, the client only sees its connection drop
 * and retries). Everything else is forwarded unchanged, and every request is
 * counted. For the catalog files' tests and the chaos suite only.
 *
 * With `conditionalWrites`, it also does what s3rver ignores and S3 does: a
 * PUT with `If-None-Match: *` on an existing key, or `If-Match` naming another
 * ETag, answers 412 (404 with `If-Match` on no object), the check and the
 * write made atomic per key. Concurrent writers (the chaos suite's passes at
 * once) then race on latest.json as they would on S3.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { badGateway, listenOnLoopback, readBytes } from './aws-json';

export type S3Fault = 'error' | 'timeout' | 'applied-lost';

export interface S3FaultMatch {
  /** GET, HEAD, PUT… (any when absent). */
  method?: string;
  /** Only requests whose path contains this text (e.g. 'catalog/latest.json'). */
  pathIncludes?: string;
}

export interface S3FaultProxy {
  endpoint: string;
  /** `onHit` is called each time this fault answers a request. */
  inject(fault: S3Fault, times: number, match?: S3FaultMatch, onHit?: () => void): void;
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
  onHit?: (() => void) | undefined;
}

export interface S3FaultProxyOptions {
  /** Check If-Match / If-None-Match on PUT as S3 does (s3rver accepts any). */
  conditionalWrites?: boolean;
}

const PRECONDITION_FAILED = '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>PreconditionFailed</Code><Message>At least one of the pre-conditions you specified did not hold</Message></Error>';
const NO_SUCH_KEY = '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>';
const unquote = (etag: string | null | undefined) => (etag ?? '').replace(/^W\//, '').replace(/"/g, '');

const INTERNAL_ERROR = '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>InternalError</Code><Message>We encountered an internal error. Please try again.</Message></Error>';
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'content-encoding']);

export async function startS3FaultProxy(target: string, options: S3FaultProxyOptions = {}): Promise<S3FaultProxy> {
  const pending: Pending[] = [];
  /** Per key: the conditional write in progress (checks and writes of one key run one at a time). */
  const locks = new Map<string, Promise<unknown>>();
  const proxy: S3FaultProxy = {
    endpoint: '',
    injected: 0,
    requests: [],
    inject: (fault, times, match = {}, onHit) => void pending.push({ fault, times, match, onHit }),
    clear: () => void pending.splice(0),
    close: () => listening.close(),
  };
  const forward = async (req: IncomingMessage, payload: Buffer) => {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string' && k !== 'host' && !HOP_BY_HOP.has(k)) headers[k] = v;
    const method = req.method ?? 'GET';
    return fetch(`${target}${req.url ?? '/'}`, { method, headers, ...(method === 'GET' || method === 'HEAD' ? {} : { body: payload }) });
  };
  /** A PUT's condition, checked against the object as it stands: undefined when it holds, else the answer S3 gives. */
  const failedCondition = async (req: IncomingMessage, path: string): Promise<{ status: number; body: string } | undefined> => {
    const ifMatch = req.headers['if-match'];
    const ifNoneMatch = req.headers['if-none-match'];
    if (typeof ifMatch !== 'string' && ifNoneMatch !== '*') return undefined;
    const head = await fetch(`${target}${path}`, { method: 'HEAD' });
    if (typeof ifMatch === 'string') {
      if (head.status === 404) return { status: 404, body: NO_SUCH_KEY };
      return unquote(head.headers.get('etag')) === unquote(ifMatch) ? undefined : { status: 412, body: PRECONDITION_FAILED };
    }
    return head.status === 404 ? undefined : { status: 412, body: PRECONDITION_FAILED };
  };
  /** Runs `work` alone among the conditional writes of `key`. */
  const alone = <T>(key: string, work: () => Promise<T>): Promise<T> => {
    const before = locks.get(key) ?? Promise.resolve();
    const run = before.then(work, work);
    const settled = run.catch(() => undefined);
    locks.set(key, settled);
    void settled.then(() => {
      if (locks.get(key) === settled) locks.delete(key);
    });
    return run;
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const payload = await readBytes(req);
      const method = req.method ?? 'GET';
      const path = decodeURIComponent((req.url ?? '/').split('?')[0] ?? '/');
      proxy.requests.push(`${method} ${path}`);
      const fault = pending.find((f) => f.times > 0 && (!f.match.method || f.match.method === method) && (!f.match.pathIncludes || path.includes(f.match.pathIncludes)));
      const conditional = options.conditionalWrites === true && method === 'PUT';
      const rawPath = (req.url ?? '/').split('?')[0] ?? '/';
      if (fault) {
        fault.times -= 1;
        proxy.injected += 1;
        fault.onHit?.();
        if (fault.fault === 'timeout') return; // no answer: the client's request timeout ends it
        if (fault.fault === 'applied-lost') {
          // Applied as S3 would apply it (its condition checked), then the answer is lost.
          await alone(rawPath, async () => {
            if (conditional && (await failedCondition(req, rawPath))) return;
            const upstream = await forward(req, payload);
            await upstream.arrayBuffer();
          });
          req.socket.destroy();
          return;
        }
        res.writeHead(500, { 'content-type': 'application/xml' });
        res.end(INTERNAL_ERROR);
        return;
      }
      const upstream = conditional
        ? await alone(rawPath, async () => {
            const failed = await failedCondition(req, rawPath);
            if (!failed) {
              const answer = await forward(req, payload);
              return { status: answer.status, headers: answer.headers, body: Buffer.from(await answer.arrayBuffer()) };
            }
            return { status: failed.status, headers: new Headers({ 'content-type': 'application/xml' }), body: Buffer.from(failed.body) };
          })
        : await (async () => {
            const answer = await forward(req, payload);
            return { status: answer.status, headers: answer.headers, body: Buffer.from(await answer.arrayBuffer()) };
          })();
      const headers: Record<string, string> = {};
      upstream.headers.forEach((value, key) => {
        if (!HOP_BY_HOP.has(key)) headers[key] = value;
      });
      const body = upstream.body;
      const length = method === 'HEAD' ? upstream.headers.get('content-length') : String(body.length);
      res.writeHead(upstream.status, length === null ? headers : { ...headers, 'content-length': length });
      res.end(method === 'HEAD' ? undefined : body);
    })().catch(() => badGateway(res));
  });
  const listening = await listenOnLoopback(server);
  proxy.endpoint = listening.url;
  return proxy;
}

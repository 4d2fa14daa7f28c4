/**
 * The server shell both simulators run in, and their /_sim control API.
 * The shell listens on 127.0.0.1, records requests, applies latency and the
 * queued faults around the simulator's own handler, and on close() destroys
 * every socket, hung requests included, so a test can never hang on it.
 * The /_sim routes (no auth, never recorded) let `npm start` users and tests
 * change data and faults of a running simulator over HTTP.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { applyFault, FaultQueue, jsonReply, parseFaultRequest, type FaultBodies, type Reply, type SimResponse } from './faults';

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  /** Parsed JSON, the raw text when it is not JSON, or undefined when empty. */
  body: unknown;
  /** Epoch milliseconds of arrival. */
  at: number;
  /** The request id the simulator answered with (its `requestIdHeader`), if it sends one. */
  requestId?: string;
}

export interface SimRequest {
  method: string;
  /** The request target as received (path and raw query). */
  url: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: unknown;
  /** The body exactly as received, for signature checks. */
  rawBody: string;
  /** This request's id, also sent in the `requestIdHeader` of the answer. */
  requestId: string;
}

/** What both simulators expose besides their data helpers. */
export interface SimulatorBase {
  /** e.g. http://127.0.0.1:PORT */
  url: string;
  port: number;
  requests: RecordedRequest[];
  faults: FaultQueue;
  /** Delays every later answer (control routes excepted) by `ms`. */
  setLatency(ms: number): void;
  /**
   * Holds every answer (those in flight and later ones) until the returned
   * release() is called: requests that all arrive while held were in flight at
   * once, evidence of concurrency that no clock can break.
   */
  hold(): () => void;
  /** Restores the initial data and latency, releases a hold, clears faults and recorded requests. */
  reset(): void;
  /** Stops listening and destroys every open socket, hung requests included. */
  close(): Promise<void>;
}

/** The data side of a simulator, as the control routes see it. */
export interface ControlTarget {
  data: unknown;
  /** Adds or replaces a region; returns an error message when the body is not one. */
  upsertRegion(body: unknown): string | undefined;
  removeRegion(regionId: string): boolean;
  updateRegion(regionId: string, patch: Record<string, unknown>): boolean;
  resetData(): void;
}

export interface SimServerOptions {
  port?: number;
  latencyMs?: number;
  handle(req: SimRequest): SimResponse;
  bodies: FaultBodies;
  target: ControlTarget;
  /** The header that carries a fresh request id on every upstream answer (Zilliz `requestid`, Huawei `X-Request-Id`). */
  requestIdHeader?: string;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export async function startSimServer(opts: SimServerOptions): Promise<SimulatorBase> {
  const sockets = new Set<Socket>();
  const closing = new AbortController();
  const requests: RecordedRequest[] = [];
  const faults = new FaultQueue();
  let latencyMs = opts.latencyMs ?? 0;
  let held: { gate: Promise<void>; open: () => void } | undefined;
  const reset = (): void => {
    opts.target.resetData();
    latencyMs = opts.latencyMs ?? 0;
    held?.open();
    faults.clear();
    requests.length = 0;
  };

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = req.method ?? 'GET';
    const { pathname: path, searchParams: query } = url;
    const rawBody = await readText(req);
    const requestId = randomUUID();
    const simReq: SimRequest = { method, url: req.url ?? '/', path, query, headers: req.headers, body: parseBody(rawBody), rawBody, requestId };
    if (path.startsWith('/_sim/')) {
      const state = { latencyMs, requestCount: requests.length, faults: faults.describe() };
      const answer = handleControl(simReq, opts.target, faults, state, reset);
      return send(res, jsonReply(answer.status, answer.body));
    }
    const idHeader = opts.requestIdHeader;
    requests.push({ method, path, query: Object.fromEntries(query), headers: req.headers, body: simReq.body, at: Date.now(), ...(idHeader ? { requestId } : {}) });
    // Taken on arrival, so concurrent requests consume faults in arrival order.
    const fault = faults.take(method, path);
    const base = opts.handle(simReq);
    if (fault?.kind === 'hang') return;
    const wait = latencyMs + (fault?.kind === 'delay' ? fault.ms : 0);
    if (wait > 0 && !(await pause(wait, closing.signal))) return;
    // close() opens every gate too, and then the answer is dropped.
    while (held) await held.gate;
    if (closing.signal.aborted) return;
    if (fault?.kind === 'reset') return void req.socket.destroy();
    const reply = applyFault(base, fault, opts.bodies);
    send(res, idHeader ? { ...reply, headers: { ...reply.headers, [idHeader]: requestId } } : reply);
  }

  const server = createServer((req, res) => {
    serve(req, res).catch((err: unknown) => {
      if (res.headersSent || res.destroyed) return void res.destroy();
      send(res, jsonReply(500, { message: err instanceof Error ? err.message : String(err) }));
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('simulator: no TCP address');

  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closed ??= new Promise<void>((resolve) => {
      closing.abort();
      held?.open();
      server.close(() => resolve());
      for (const socket of sockets) socket.destroy();
    });
    return closed;
  };
  const setLatency = (ms: number): void => {
    latencyMs = ms;
  };
  const hold = (): (() => void) => {
    held?.open();
    let open = (): void => undefined;
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const current = { gate, open: () => {
      if (held === current) held = undefined;
      open();
    } };
    held = current;
    return current.open;
  };
  return { url: `http://127.0.0.1:${address.port}`, port: address.port, requests, faults, setLatency, hold, reset, close };
}

/** Waits `ms`; false when the server closed meanwhile. */
async function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  try {
    await sleep(ms, undefined, { signal });
    return true;
  } catch (err: unknown) {
    if (signal.aborted) return false;
    throw err;
  }
}

async function readText(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8');
}

function parseBody(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (err: unknown) {
    if (err instanceof SyntaxError) return text;
    throw err;
  }
}

function send(res: ServerResponse, reply: Reply): void {
  if (res.destroyed) return;
  res.writeHead(reply.status, { ...reply.headers, 'content-length': Buffer.byteLength(reply.text) });
  res.end(reply.text);
}

/**
 * Routes under /_sim/: `GET state`, `POST regions` (add or replace),
 * `PATCH|DELETE regions/{regionId}`, `POST|DELETE faults`, `POST reset`.
 */
export function handleControl(
  req: SimRequest,
  target: ControlTarget,
  faults: FaultQueue,
  state: Record<string, unknown>,
  reset: () => void,
): SimResponse {
  const route = req.path.slice('/_sim'.length);
  const regionPath = /^\/regions\/([^/]+)$/.exec(route);
  const regionId = regionPath?.[1] === undefined ? undefined : safeDecode(regionPath[1]);
  const fail = (status: number, error: string): SimResponse => ({ status, body: { error } });
  if (regionPath && regionId === undefined) return fail(400, 'bad region id');

  switch (`${req.method} ${regionPath ? '/regions/:id' : route}`) {
    case 'GET /state':
      return { status: 200, body: { data: target.data, ...state } };
    case 'POST /regions': {
      const error = target.upsertRegion(req.body);
      return error === undefined ? { status: 201, body: req.body } : fail(400, error);
    }
    case 'PATCH /regions/:id':
      if (!isRecord(req.body)) return fail(400, 'body must be a JSON object');
      return target.updateRegion(regionId ?? '', req.body) ? { status: 200, body: { regionId } } : fail(404, 'no such region');
    case 'DELETE /regions/:id':
      return target.removeRegion(regionId ?? '') ? { status: 200, body: { regionId } } : fail(404, 'no such region');
    case 'POST /faults': {
      const parsed = parseFaultRequest(req.body);
      if (typeof parsed === 'string') return fail(400, parsed);
      faults.push(parsed.fault, parsed.options);
      return { status: 201, body: { queued: faults.size } };
    }
    case 'DELETE /faults':
      faults.clear();
      return { status: 200, body: { queued: 0 } };
    case 'POST /reset':
      reset();
      return { status: 200, body: { reset: true } };
    default:
      return fail(404, `no control route ${req.method} ${req.path}`);
  }
}

function safeDecode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch (err: unknown) {
    if (err instanceof URIError) return undefined;
    throw err;
  }
}

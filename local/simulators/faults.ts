/**
 * Fault injection shared by both simulators: the `Fault` kinds, the queue a
 * test (or the /_sim control API) fills, and the rewriting of a simulator's
 * normal answer into the faulty one. Timing faults (`hang`, `reset`, `delay`)
 * are carried out by the server shell in control.ts; everything else is here.
 */
import { STATUS_CODES } from 'node:http';
import * as z from 'zod';

export const faultSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('status'), status: z.number().int().min(400).max(599), body: z.unknown().optional() }),
  z.object({ kind: z.literal('rate-limit'), retryAfterSeconds: z.number().int().nonnegative() }),
  z.object({ kind: z.literal('hang') }),
  z.object({ kind: z.literal('malformed-json') }),
  z.object({ kind: z.literal('html') }),
  z.object({ kind: z.literal('empty-list') }),
  z.object({ kind: z.literal('missing-id') }),
  z.object({
    kind: z.literal('business-error'),
    code: z.union([z.number(), z.string()]).optional(),
    message: z.string().optional(),
    httpStatus: z.number().int().min(100).max(599).optional(),
    /** ModelArts only: `{error_code, error_msg}` (default) or `{code, message}`. */
    shape: z.enum(['error-code', 'code-message']).optional(),
  }),
  z.object({ kind: z.literal('short-list'), keep: z.number().int().nonnegative() }),
  z.object({ kind: z.literal('delay'), ms: z.number().nonnegative() }),
  z.object({ kind: z.literal('reset') }),
]);

export type Fault = z.infer<typeof faultSchema>;
export type FaultKind = Fault['kind'];
export type BusinessErrorFault = Extract<Fault, { kind: 'business-error' }>;

export interface FaultMatch {
  /** A string must equal the request's pathname; a RegExp is tested against it. */
  path?: string | RegExp;
  method?: string;
}

export interface FaultOptions {
  /** How many matching requests the fault applies to: default 1, Infinity allowed. */
  times?: number;
  match?: FaultMatch;
  /**
   * Called each time a request takes this fault, as it arrives (the request is
   * already in the simulator's `requests`): lets a caller count faults that hit,
   * not faults queued.
   */
  onHit?: (hit: { method: string; path: string }) => void;
}

interface Entry {
  fault: Fault;
  remaining: number;
  match: FaultMatch;
  onHit?: FaultOptions['onHit'];
}

/**
 * FIFO of faults. Only the head is considered: a request matching it consumes
 * one of its `times` (whatever the request's outcome); a request that does not
 * match is answered normally and leaves the queue untouched.
 */
export class FaultQueue {
  #entries: Entry[] = [];

  push(fault: Fault, options: FaultOptions = {}): void {
    const times = options.times ?? 1;
    if (!(times === Infinity || (Number.isInteger(times) && times > 0))) {
      throw new RangeError(`times must be a positive integer or Infinity, got ${times}`);
    }
    this.#entries.push({ fault, remaining: times, match: options.match ?? {}, onHit: options.onHit });
  }

  clear(): void {
    this.#entries = [];
  }

  get size(): number {
    return this.#entries.length;
  }

  /** Consumes and returns the head fault when the request matches it. */
  take(method: string, path: string): Fault | undefined {
    const head = this.#entries[0];
    if (!head || !matches(head.match, method, path)) return undefined;
    head.remaining -= 1;
    if (head.remaining <= 0) this.#entries.shift();
    head.onHit?.({ method, path });
    return head.fault;
  }

  /** A JSON-safe view of the queue, for /_sim/state. */
  describe(): Array<{ fault: Fault; remaining: number | 'Infinity'; match: { path?: string; method?: string } }> {
    return this.#entries.map(({ fault, remaining, match }) => ({
      fault,
      remaining: remaining === Infinity ? 'Infinity' : remaining,
      match: { path: match.path === undefined ? undefined : String(match.path), method: match.method },
    }));
  }
}

function matches(match: FaultMatch, method: string, path: string): boolean {
  if (match.method !== undefined && match.method.toUpperCase() !== method.toUpperCase()) return false;
  if (match.path === undefined) return true;
  return typeof match.path === 'string' ? match.path === path : match.path.test(path);
}

const faultRequestSchema = z.object({
  fault: faultSchema,
  /** JSON has no Infinity: send "Infinity" (or null) for a permanent fault. */
  times: z.union([z.number().int().positive(), z.literal('Infinity'), z.null()]).optional(),
  match: z
    .object({ path: z.string().optional(), pathPattern: z.string().optional(), method: z.string().optional() })
    .optional(),
});

/** Reads a `POST /_sim/faults` body: `{fault, times?, match?: {path?, pathPattern?, method?}}`, or an error message. */
export function parseFaultRequest(body: unknown): { fault: Fault; options: FaultOptions } | string {
  const parsed = faultRequestSchema.safeParse(body);
  if (!parsed.success) return z.prettifyError(parsed.error);
  const { fault, times, match } = parsed.data;
  let path: string | RegExp | undefined = match?.path;
  try {
    if (match?.pathPattern !== undefined) path = new RegExp(match.pathPattern);
  } catch (err: unknown) {
    if (err instanceof SyntaxError) return `match.pathPattern: ${err.message}`;
    throw err;
  }
  const count = typeof times === 'number' ? times : times === undefined ? 1 : Infinity;
  return { fault, options: { times: count, match: { path, method: match?.method } } };
}

/** A simulator's answer before faults, as produced by its request handler. */
export interface SimResponse {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  /** Present on successful list answers so list-shaping faults can rewrite them. */
  list?: {
    items: Array<Record<string, unknown>>;
    idKey: string;
    wrap: (items: Array<Record<string, unknown>>) => unknown;
  };
}

/** The upstream-specific error bodies a fault produces. */
export interface FaultBodies {
  status(status: number): unknown;
  rateLimit(retryAfterSeconds: number): unknown;
  businessError(fault: BusinessErrorFault): { status: number; body: unknown };
}

/** What goes on the wire. */
export interface Reply {
  status: number;
  headers: Record<string, string>;
  text: string;
}

export function jsonReply(status: number, body: unknown, headers: Record<string, string> = {}): Reply {
  return { status, headers: { 'content-type': 'application/json', ...headers }, text: JSON.stringify(body) };
}

/** The reply for `base` once `fault` is applied. List faults leave non-list answers as they are. */
export function applyFault(base: SimResponse, fault: Fault | undefined, bodies: FaultBodies): Reply {
  const list = base.list;
  switch (fault?.kind) {
    case 'status':
      return jsonReply(fault.status, fault.body === undefined ? bodies.status(fault.status) : fault.body);
    case 'rate-limit':
      return jsonReply(429, bodies.rateLimit(fault.retryAfterSeconds), {
        'retry-after': String(fault.retryAfterSeconds),
      });
    case 'malformed-json':
      return { status: 200, headers: { 'content-type': 'application/json' }, text: '{"code":200,"data":[' };
    case 'html':
      return {
        status: 200,
        headers: { 'content-type': 'text/html; charset=utf-8' },
        text: '<html><body>Bad Gateway</body></html>',
      };
    case 'business-error': {
      const { status, body } = bodies.businessError(fault);
      return jsonReply(status, body);
    }
    case 'empty-list':
      return list ? jsonReply(base.status, list.wrap([]), base.headers) : toReply(base);
    case 'short-list':
      return list ? jsonReply(base.status, list.wrap(list.items.slice(0, fault.keep)), base.headers) : toReply(base);
    case 'missing-id': {
      if (!list) return toReply(base);
      const items = list.items.map((item, i) => (i === 0 ? withoutKey(item, list.idKey) : item));
      return jsonReply(base.status, list.wrap(items), base.headers);
    }
    default:
      // no fault, or a timing fault handled by the server shell
      return toReply(base);
  }
}

function toReply(base: SimResponse): Reply {
  return jsonReply(base.status, base.body, base.headers);
}

function withoutKey(item: Record<string, unknown>, key: string): Record<string, unknown> {
  const copy = { ...item };
  delete copy[key];
  return copy;
}

/** `Service Unavailable` → `service unavailable`; 500 reads `internal error` as Zilliz does. */
export function statusMessage(status: number): string {
  return status === 500 ? 'internal error' : (STATUS_CODES[status] ?? 'error').toLowerCase();
}

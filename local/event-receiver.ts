/**
 * A local stand-in for the EventBridge PutEvents API: a node:http server the
 * real `EventBridgeClient` talks to through `endpoint`. It records accepted
 * events, can print them / append them to a JSON-lines file, and can inject
 * faults (per-entry failures, a whole-service outage) for tests.
 *
 * It checks what EventBridge checks before accepting an entry: 1–10 entries,
 * 256 KB per call, Source / DetailType / Detail present, Detail a JSON object.
 */
import { randomUUID } from 'node:crypto';
import { appendFileSync, mkdirSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import { answer, isRecord, listenOnLoopback, readBody } from './aws-json';
import { dirname } from 'node:path';

export interface ReceivedEvent {
  eventId: string;
  source: string;
  detailType: string;
  /** Detail, parsed. */
  detail: unknown;
  busName: string;
  /** The entry's Time, as ISO string, when the caller set one. */
  time?: string;
  resources: string[];
  /** ISO timestamp of arrival. */
  receivedAt: string;
}

/** A well-formed entry as the fault predicate sees it. */
export interface IncomingEntry {
  source: string;
  detailType: string;
  detail: unknown;
  busName: string;
}

export interface EventReceiverFaults {
  /** The next `n` well-formed entries fail with `errorCode` (default InternalFailure) and are not stored. */
  failEntries(n: number, errorCode?: string): void;
  /** While on, every call answers HTTP 500 `{"__type":"InternalException"}`. */
  outage(on: boolean): void;
  /** Entries matching the predicate fail with `errorCode` (default InternalFailure); `undefined` removes it. */
  failIf(predicate: ((entry: IncomingEntry) => boolean) | undefined, errorCode?: string): void;
  /** Removes every fault. */
  clear(): void;
}

export interface EventReceiver {
  endpoint: string;
  /** Accepted events, oldest first (a live array). */
  events: ReceivedEvent[];
  /** HTTP calls received, including failed ones. */
  readonly calls: number;
  faults: EventReceiverFaults;
  /** Forgets events and the call count (faults stay; see `faults.clear()`). */
  clear(): void;
  /** Resolves once at least `count` events were accepted. */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedEvent[]>;
  close(): Promise<void>;
}

export interface EventReceiverOptions {
  /** Port on 127.0.0.1; 0 (any free port) by default. */
  port?: number;
  /** Append each accepted event as one JSON line. */
  logFile?: string;
  /** Print each accepted event on one line. */
  print?: boolean;
  /** Called with each accepted event (the notification preview of `npm start`). */
  onEvent?: (event: ReceivedEvent) => void;
}

type ResultEntry = { EventId: string } | { ErrorCode: string; ErrorMessage: string };

const TARGET = 'AWSEvents.PutEvents';
const MAX_ENTRIES = 10;
const MAX_CALL_BYTES = 256 * 1024;
const MAX_BODY_BYTES = 4 * 1024 * 1024;

export async function startEventReceiver(options: EventReceiverOptions = {}): Promise<EventReceiver> {
  const events: ReceivedEvent[] = [];
  let calls = 0;
  let failNext = 0;
  let failNextCode = 'InternalFailure';
  let down = false;
  let predicate: ((entry: IncomingEntry) => boolean) | undefined;
  let predicateCode = 'InternalFailure';
  if (options.logFile !== undefined) mkdirSync(dirname(options.logFile), { recursive: true });

  const accept = (entry: IncomingEntry, raw: Record<string, unknown>): ResultEntry => {
    if (failNext > 0) {
      failNext -= 1;
      return { ErrorCode: failNextCode, ErrorMessage: 'Injected failure (failEntries).' };
    }
    if (predicate?.(entry) === true) return { ErrorCode: predicateCode, ErrorMessage: 'Injected failure (failIf).' };
    const event: ReceivedEvent = {
      eventId: randomUUID(),
      ...entry,
      resources: Array.isArray(raw.Resources) ? raw.Resources.filter((r): r is string => typeof r === 'string') : [],
      receivedAt: new Date().toISOString(),
    };
    const time = timeOf(raw.Time);
    if (time !== undefined) event.time = time;
    events.push(event);
    if (options.print === true) process.stdout.write(`${eventLine(event)}\n`);
    if (options.logFile !== undefined) appendFileSync(options.logFile, `${JSON.stringify(event)}\n`);
    options.onEvent?.(event);
    return { EventId: event.eventId };
  };

  const handle = (body: string, response: ServerResponse): void => {
    if (down) return answer(response, 500, { __type: 'InternalException', message: 'Injected outage.' });
    let request: unknown;
    try {
      request = JSON.parse(body);
    } catch {
      return answer(response, 400, { __type: 'SerializationException', message: 'Request body is not valid JSON.' });
    }
    const entries = isRecord(request) && Array.isArray(request.Entries) ? request.Entries : undefined;
    if (entries === undefined || entries.length < 1 || entries.length > MAX_ENTRIES) {
      return answer(response, 400, {
        __type: 'ValidationException',
        message: `Entries must hold 1 to ${MAX_ENTRIES} entries, got ${entries?.length ?? 'none'}.`,
      });
    }
    const size = entries.reduce((sum: number, entry: unknown) => sum + entrySize(entry), 0);
    if (size > MAX_CALL_BYTES) {
      return answer(response, 400, { __type: 'ValidationException', message: 'Total size of the entries in the request is over the limit.' });
    }
    const results = entries.map((raw: unknown): ResultEntry => {
      const checked = check(raw);
      return 'ErrorCode' in checked ? checked : accept(checked.entry, checked.raw);
    });
    answer(response, 200, {
      FailedEntryCount: results.filter((result) => 'ErrorCode' in result).length,
      Entries: results,
    });
  };

  const server = createServer((request, response) => {
    calls += 1;
    if (request.method !== 'POST' || request.headers['x-amz-target'] !== TARGET) {
      request.resume();
      return answer(response, 400, {
        __type: 'UnknownOperationException',
        message: `Only POST with X-Amz-Target: ${TARGET} is served here.`,
      });
    }
    readBody(request, MAX_BODY_BYTES)
      .then((body) => handle(body, response))
      .catch((error: unknown) =>
        answer(response, 413, { __type: 'ValidationException', message: error instanceof Error ? error.message : String(error) }),
      );
  });
  const listening = await listenOnLoopback(server, options.port ?? 0);

  const faults: EventReceiverFaults = {
    failEntries(n, errorCode = 'InternalFailure') {
      failNext = Math.max(0, Math.floor(n));
      failNextCode = errorCode;
    },
    outage(on) {
      down = on;
    },
    failIf(next, errorCode = 'InternalFailure') {
      predicate = next;
      predicateCode = errorCode;
    },
    clear() {
      failNext = 0;
      down = false;
      predicate = undefined;
    },
  };

  return {
    endpoint: listening.url,
    events,
    get calls() {
      return calls;
    },
    faults,
    clear() {
      events.length = 0;
      calls = 0;
    },
    async waitFor(count, timeoutMs = 5_000) {
      const deadline = Date.now() + timeoutMs;
      while (events.length < count) {
        if (Date.now() > deadline) throw new Error(`expected ${count} events within ${timeoutMs} ms, got ${events.length}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      return events.slice();
    },
    close: listening.close,
  };
}

/** One line per event: `[event] <DetailType> <detail.type> <detail.regionKey|scope> id=<detail.id>`. */
export function eventLine(event: ReceivedEvent): string {
  const detail = isRecord(event.detail) ? event.detail : {};
  const field = (key: string): string | undefined => {
    const value = detail[key];
    return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
  };
  const id = field('id');
  return ['[event]', event.detailType, field('type'), field('regionKey') ?? field('scope'), id === undefined ? undefined : `id=${id}`]
    .filter((part): part is string => part !== undefined)
    .join(' ');
}

/** Validates one entry the way EventBridge does; failures are per entry, not per call. */
function check(
  raw: unknown,
): { entry: IncomingEntry; raw: Record<string, unknown> } | { ErrorCode: string; ErrorMessage: string } {
  if (!isRecord(raw)) return { ErrorCode: 'InvalidArgument', ErrorMessage: 'Entry is not an object.' };
  for (const key of ['Source', 'DetailType', 'Detail'] as const) {
    const value = raw[key];
    if (typeof value !== 'string' || value === '') {
      return { ErrorCode: 'InvalidArgument', ErrorMessage: `Parameter ${key} is not valid. Reason: ${key} is a required argument.` };
    }
  }
  let detail: unknown;
  try {
    detail = JSON.parse(String(raw.Detail));
  } catch {
    return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
  }
  if (!isRecord(detail)) return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
  return {
    raw,
    entry: {
      source: String(raw.Source),
      detailType: String(raw.DetailType),
      detail,
      busName: typeof raw.EventBusName === 'string' && raw.EventBusName !== '' ? raw.EventBusName : 'default',
    },
  };
}

/** EventBridge's entry size: 14 bytes for Time plus the UTF-8 bytes of Source, DetailType, Detail, Resources. */
function entrySize(raw: unknown): number {
  if (!isRecord(raw)) return 0;
  let size = raw.Time !== undefined ? 14 : 0;
  for (const key of ['Source', 'DetailType', 'Detail']) {
    const value = raw[key];
    if (typeof value === 'string') size += Buffer.byteLength(value, 'utf8');
  }
  if (Array.isArray(raw.Resources)) {
    for (const resource of raw.Resources) if (typeof resource === 'string') size += Buffer.byteLength(resource, 'utf8');
  }
  return size;
}

/** The SDK sends Time as epoch seconds. */
function timeOf(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return new Date(value * 1000).toISOString();
  if (typeof value === 'string' && !Number.isNaN(Date.parse(value))) return new Date(value).toISOString();
  return undefined;
}





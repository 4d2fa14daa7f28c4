/**
 * A timeline of the SDK calls a pass makes (command, start, end), so a slow
 * pass can be split into reads, commit and publish, and the write model that
 * turns the recorded writes into the WCU AWS would bill. No heavy imports: the
 * scale child bundles it.
 */
/** One SDK call as the timeline saw it: command name, start and end (ms since the timeline began). */
export interface Span {
  command: string;
  start: number;
  end: number;
  /** The command's input, for the write model (kept only when the timeline keeps inputs). */
  input?: unknown;
}

export interface Timeline {
  spans: Span[];
  origin: number;
  keepInputs: boolean;
  reset(): void;
  /** First start and last end of the calls whose command matches. */
  window(match: RegExp): { from: number; to: number; calls: number } | undefined;
}

export function createTimeline(keepInputs = false): Timeline {
  const t: Timeline = {
    spans: [],
    origin: performance.now(),
    keepInputs,
    reset() {
      t.spans.length = 0;
      t.origin = performance.now();
    },
    window(match) {
      const hits = t.spans.filter((s) => match.test(s.command));
      if (hits.length === 0) return undefined;
      return { from: Math.min(...hits.map((s) => s.start)), to: Math.max(...hits.map((s) => s.end)), calls: hits.length };
    },
  };
  return t;
}

/** Wraps `client.send` so every call lands on the timeline; the client is otherwise untouched. */
export function traceClient<C extends { send: (...args: never[]) => Promise<unknown> }>(client: C, timeline: Timeline): C {
  const send = client.send.bind(client) as (...args: unknown[]) => Promise<unknown>;
  (client as unknown as { send: (...args: unknown[]) => Promise<unknown> }).send = async (...args: unknown[]) => {
    const cmd = args[0] as { constructor: { name: string }; input?: unknown };
    const start = performance.now() - timeline.origin;
    try {
      return await send(...args);
    } finally {
      const span: Span = { command: cmd.constructor.name, start, end: performance.now() - timeline.origin };
      if (timeline.keepInputs) span.input = cmd.input;
      timeline.spans.push(span);
    }
  };
  return client;
}

/** Approximate DynamoDB item size: attribute names plus values (strings and numbers as text, nested values as JSON). */
export function itemBytes(item: Record<string, unknown>): number {
  let bytes = 0;
  for (const [name, value] of Object.entries(item)) {
    bytes += Buffer.byteLength(name);
    bytes += typeof value === 'string' ? Buffer.byteLength(value) : Buffer.byteLength(JSON.stringify(value instanceof Set ? [...value] : value) ?? '');
  }
  return bytes;
}

const units = (bytes: number) => Math.max(1, Math.ceil(bytes / 1024));

/**
 * The WCU AWS would bill for the writes on the timeline, by the documented rules:
 * one unit per KB written (a Put's item; Updates and Deletes here touch items under
 * 1 KB), doubled inside a transaction. DynamoDB Local under-reports transactions,
 * and the lease / cursor / outbox writes ask for no ConsumedCapacity, so this
 * model is given beside the metered figure.
 */
export function modelledWcu(spans: readonly Span[]): number {
  let wcu = 0;
  for (const span of spans) {
    const input = span.input as Record<string, unknown> | undefined;
    if (!input) continue;
    if (span.command === 'TransactWriteCommand') {
      for (const raw of (input.TransactItems as Array<Record<string, { Item?: Record<string, unknown> }>>) ?? []) {
        const put = raw.Put?.Item;
        wcu += 2 * (put ? units(itemBytes(put)) : 1);
      }
    } else if (span.command === 'PutCommand') {
      wcu += units(itemBytes((input.Item as Record<string, unknown>) ?? {}));
    } else if (span.command === 'UpdateCommand' || span.command === 'DeleteCommand') {
      wcu += 1;
    }
  }
  return wcu;
}

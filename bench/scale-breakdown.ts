/**
 * Where a scale pass's time goes, from the spans of its calls (kind, start,
 * end in ms from the pass start; recorded by bench/scale-child.ts): each kind's
 * calls and busy time, and the pass cut into its consecutive phases (the
 * upstream call, parsing and hashing its answer, reading the changed scopes'
 * regions, planning, the transactions, the status writes, the schema, the
 * publishing). Pure; no imports, so the child bundles it for nothing.
 */

export interface KindSpan {
  kind: string;
  start: number;
  end: number;
}

export interface KindFigures {
  calls: number;
  from: number;
  to: number;
  /** Time at least one call of the kind was in flight. */
  busyMs: number;
}

export interface PassBreakdown {
  wallMs: number;
  kinds: Record<string, KindFigures>;
  /** Consecutive phases, ms each (their sum is the wall time, give or take rounding). */
  phases: {
    /** Pass start to the last upstream response (the heads Query runs beside it). */
    upstream: number;
    /** Last upstream response to the first table call it leads to: body parse, validation, normalising, the answer hash. */
    parseAndHash: number;
    /** The regions of changed scopes read from DynamoDB (0 when the snapshot cache had them). */
    readRegions: number;
    /** Diff and plan, up to the first commit call (the SEQ read). */
    plan: number;
    /** The SEQ read and every TransactWriteItems, one after the other. */
    transactions: number;
    /** The scopes' status: a transaction per 100 scopes (an UpdateItem each when the pass could not read them first). */
    status: number;
    /** Schema read and write. */
    schema: number;
    /** Reading the cursor and changesets, the lease, PutEvents, the cursor writes. */
    publish: number;
  };
  transactions: number;
  /** Mean time of one TransactWriteItems. */
  meanTransactionMs: number;
}

const keyPk = (value: unknown): string | undefined => {
  const pk = (value as { pk?: unknown } | undefined)?.pk;
  return typeof pk === 'string' ? pk : undefined;
};

/** The kind of a document-client call, from its command name (bundled names may carry a digit) and input. */
export function classify(command: string, input: Record<string, unknown> | undefined): string {
  const name = command.replace(/\d+$/, '');
  const values = (input?.ExpressionAttributeValues ?? {}) as Record<string, unknown>;
  if (name === 'QueryCommand') {
    if (values[':pk'] === 'SCOPE') return 'read:heads';
    if (values[':pk'] === 'REGION') return 'read:regions';
    if (values[':pk'] === 'OUTBOX') return 'publish:outbox';
    if (values[':pk'] === 'STATUS') return 'read:status';
    if (values[':pk'] === 'CHANGES') return 'publish:state';
    return 'query:other';
  }
  if (name === 'TransactWriteCommand') {
    // The scopes' status and the known fields go in transactions of their own: by the partition of their first item.
    const first = (input?.TransactItems as { Update?: { Key?: unknown }; Put?: { Item?: unknown } }[] | undefined)?.[0];
    const pk = keyPk(first?.Update?.Key) ?? keyPk(first?.Put?.Item);
    if (pk === 'STATUS') return 'status';
    if (pk === 'SCHEMA') return 'schema';
    return 'commit:transaction';
  }
  const pk = keyPk(input?.Key) ?? keyPk(input?.Item);
  if (pk === 'SEQ') return 'seq:read';
  if (pk === 'STATUS') return 'status';
  if (pk === 'SCHEMA') return 'schema';
  if (pk === 'PUBLISH' || pk === 'CHANGES') return 'publish:state';
  if (pk === 'OUTBOX') return 'publish:outbox';
  return `${name}:${pk ?? 'other'}`;
}

function union(spans: readonly KindSpan[]): number {
  const sorted = [...spans].sort((a, b) => a.start - b.start);
  let busy = 0;
  let until = -Infinity;
  for (const s of sorted) {
    if (s.end <= until) continue;
    busy += s.end - Math.max(s.start, until);
    until = s.end;
  }
  return busy;
}

const round1 = (n: number) => Math.round(n * 10) / 10;

export function breakdown(spans: readonly KindSpan[], wallMs: number): PassBreakdown {
  const kinds: Record<string, KindFigures> = {};
  const of = (kind: string) => spans.filter((s) => s.kind === kind);
  for (const kind of new Set(spans.map((s) => s.kind))) {
    const hits = of(kind);
    kinds[kind] = {
      calls: hits.length,
      from: round1(Math.min(...hits.map((s) => s.start))),
      to: round1(Math.max(...hits.map((s) => s.end))),
      busyMs: round1(union(hits)),
    };
  }
  const first = (kind: string, fallback: number) => kinds[kind]?.from ?? fallback;
  const last = (kind: string, fallback: number) => kinds[kind]?.to ?? fallback;
  const upstreamEnd = last('upstream', 0);
  // The first seq read after the upstream phase starts the commit (the publisher reads SEQ later too).
  const commitStart = spans.filter((s) => s.kind === 'seq:read' && s.start >= upstreamEnd).reduce((m, s) => Math.min(m, s.start), Infinity);
  const txEnd = last('commit:transaction', Number.isFinite(commitStart) ? commitStart : upstreamEnd);
  const statusStart = first('status', txEnd);
  const regionsStart = first('read:regions', Number.isFinite(commitStart) ? commitStart : statusStart);
  const regionsEnd = last('read:regions', regionsStart);
  const planEnd = Number.isFinite(commitStart) ? commitStart : statusStart;
  const statusEnd = last('status', statusStart);
  const schemaEnd = Math.max(last('schema', statusEnd), statusEnd);
  const tx = kinds['commit:transaction'];
  return {
    wallMs,
    kinds,
    phases: {
      upstream: round1(upstreamEnd),
      parseAndHash: round1(Math.max(0, regionsStart - upstreamEnd)),
      readRegions: round1(Math.max(0, regionsEnd - regionsStart)),
      plan: round1(Math.max(0, planEnd - regionsEnd)),
      transactions: round1(Math.max(0, statusStart - planEnd)),
      status: round1(Math.max(0, statusEnd - statusStart)),
      schema: round1(Math.max(0, schemaEnd - statusEnd)),
      publish: round1(Math.max(0, wallMs - schemaEnd)),
    },
    transactions: tx?.calls ?? 0,
    meanTransactionMs: tx ? round1(of('commit:transaction').reduce((n, s) => n + s.end - s.start, 0) / tx.calls) : 0,
  };
}
